import { describe, expect, it } from "vitest";
import { ChecklistSchema, type Checklist } from "../../../src/core/config/checklist-schema.js";
import { COMMENT_MARKER, isChecklistComment, itemMarkerAtEnd } from "../../../src/core/render/comment-markers.js";
import { checkCommandTarget, parseCommands } from "../../../src/core/parse/parse-commands.js";
import { diffTicks } from "../../../src/core/parse/parse-ticks.js";
import { fullDetailBoxes, renderComment } from "../../../src/core/render/render-comment.js";
import { COMMENT_MAX_LENGTH } from "../../../src/core/render/text-budget.js";
import { handVerdict, launchChecklist } from "../../fixtures/hand-verdict.js";

/** item key → the box line that carries its marker. */
function boxes(body: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of body.split("\n")) {
    const ref = itemMarkerAtEnd(line);
    if (ref) found.set(`${ref.gate}.${ref.item}`, line);
  }
  return found;
}

/** Raw @-mentions GitHub would notify: "@" directly followed by a name. */
const mentions = (body: string) => body.match(/(?<![\w`])@[A-Za-z0-9][\w/-]*/g) ?? [];

describe("renderComment", () => {
  const verdict = handVerdict(launchChecklist, {
    signed: {
      "security.waf": { actor: "alice", at: "2026-11-25T09:30:00.000Z" },
      "infrastructure.multi-region": { actor: "pat" },
      "infrastructure.cdn": { actor: "pat" },
    },
    statuses: {
      "security.penetration-test": {
        status: "expired",
        reason: "expired 3d ago (signed by @bob on 2026-05-01)",
        signoff: { actor: "bob" },
      },
      "security.rate-limits": { status: "invalidated", reason: "invalidated by push abc1234: src/auth/** changed" },
    },
  });
  const body = renderComment({ verdict, checklist: launchChecklist, mentionOwners: true });

  it("starts with the marker, so the App can find its comment", () => {
    expect(body.split("\n")[0]).toBe(COMMENT_MARKER);
    expect(isChecklistComment(body)).toBe(true);
  });

  it("shows the overall status and the checklist title", () => {
    expect(body).toContain("Pre-Production Launch Checklist");
    expect(body).toMatch(/Pending\*\* · 1 of 2 required gates approved · at `abc1234`/);
  });

  it("has one box per item, ticked exactly when the item is signed, with its marker at the end", () => {
    const found = boxes(body);
    expect([...found.keys()].sort()).toEqual(launchChecklist.gates.flatMap((g) => g.items.map((i) => `${g.id}.${i.id}`)).sort());
    expect(found.get("security.waf")).toMatch(/^- \[x\] Web application firewall — signed by @&#8203;alice on 2026-11-25 <!--/);
    expect(found.get("security.rate-limits")).toMatch(/^- \[ \] /);
    expect(found.get("security.penetration-test")).toMatch(/^- \[ \] .*⌛ expired 3d ago/);
    expect(found.get("security.rate-limits")).toContain("♻️ invalidated by push abc1234: src/auth/\\*\\* changed");
  });

  it("shows exactly the boxes fullDetailBoxes predicts, so a deferred tick is judged without rendering", () => {
    const predicted = fullDetailBoxes(verdict);
    const shown = new Map([...boxes(body)].map(([key, line]) => [key, line.startsWith("- [x]")]));
    expect(shown).toEqual(predicted);
    expect(predicted.get("security.waf")).toBe(true);
    expect(predicted.get("security.penetration-test")).toBe(false);
    // Settled gates show their boxes too, folded.
    const approved = handVerdict(launchChecklist, {
      signed: Object.fromEntries(launchChecklist.gates.flatMap((g) => g.items.map((i) => [`${g.id}.${i.id}`, { actor: "pat" }]))),
    });
    const all = renderComment({ verdict: approved, checklist: launchChecklist, mentionOwners: false });
    expect(new Map([...boxes(all)].map(([key, line]) => [key, line.startsWith("- [x]")]))).toEqual(fullDetailBoxes(approved));
  });

  it("marks optional items and the evidence an item needs", () => {
    const found = boxes(body);
    expect(found.get("security.bug-bounty")).toContain("_optional_");
    expect(found.get("security.waf")).not.toContain("optional");
    expect(found.get("security.penetration-test")).toContain("needs a link");
    expect(found.get("promotion.initial-uptime")).toContain("needs uptime\\_percent ≥ 99.9");
  });

  it("mentions owners of pending required gates only when asked, and nobody else", () => {
    expect(mentions(body)).toEqual(["@acme/security"]);
    const quiet = renderComment({ verdict, checklist: launchChecklist, mentionOwners: false });
    expect(mentions(quiet)).toEqual([]);
    expect(quiet).toContain("@&#8203;acme/security"); // still shown
  });

  it("folds approved and optional gates", () => {
    expect(body).toMatch(/<details>\n<summary>✅ <b>Infrastructure Readiness<\/b> — approved · 2 of 2 items signed<\/summary>/);
    expect(body).toMatch(/<summary>➖ <b>Phase promotion evidence<\/b> — optional for this release/);
    expect(body).toMatch(/### ⏳ Security Controls\n\*\*Required\*\* · \*\*Owners:\*\* @acme\/security · 1 of 3 required items signed/);
  });

  it("shows the phase and its scope", () => {
    const phased = handVerdict(launchChecklist, { phaseId: "initial-production" });
    const text = renderComment({ verdict: phased, checklist: launchChecklist, mentionOwners: false });
    expect(text).toContain("**Phase:** Initial Production — 5–8 use cases spanning 4–5 departments");
    // The phase makes the promotion item required, so its gate is expanded and no longer optional.
    expect(text).toContain("### ⏳ Phase promotion evidence");
  });

  it("shows an error verdict with its reason", () => {
    const error = { ...verdict, status: "error" as const, reason: "phase 'pilot' is not in checklist 'pre-production'" };
    const text = renderComment({ verdict: error, checklist: launchChecklist, mentionOwners: false });
    expect(text).toContain("**❌ Error** · phase 'pilot' is not in checklist 'pre-production' · at `abc1234`");
  });

  it("includes the App's notices as Markdown", () => {
    const notice = "♻️ Push `abc1234` changed `src/auth/login.ts`; **Security Controls** needs signing again.";
    const text = renderComment({ verdict, checklist: launchChecklist, mentionOwners: false, notices: [notice] });
    expect(text).toContain(`\n\n${notice}\n\n`);
  });

  it("says how to sign off, with examples that parse and name real items", () => {
    const footer = body.slice(body.indexOf("#### How to sign off"));
    expect(footer).toMatch(/\*\*Tick a box\*\*.*untick it to revoke.*anyone else is reverted/);
    expect(footer).toContain("`/signoff gate.item [note or URL] [metric=value]`");
    expect(footer).toContain("`/revoke gate.item [reason]`");
    expect(footer).toMatch(/_Sign off my gates_ on the \*\*Gatehouse\*\* check run/);
    const examples = [...footer.matchAll(/`(\/signoff [a-z0-9_-]+\.[a-z0-9_-]+[^`]*)`/g)]
      .map((m) => m[1]!)
      .filter((example) => !example.startsWith("/signoff gate.item"));
    expect(examples).toEqual([
      "/signoff security.rate-limits",
      "/signoff security.penetration-test https://example.com/report",
      "/signoff promotion.initial-uptime uptime_percent=99.9",
    ]);
    for (const example of examples) {
      const [command] = parseCommands(example);
      expect(command?.kind).toBe("signoff");
      if (command?.kind === "signoff") expect(checkCommandTarget(command, launchChecklist)).toBeUndefined();
    }
  });

  it("contains no line that reads as a command, so quoting it never signs anything", () => {
    expect(parseCommands(body)).toEqual([]);
  });

  it("re-renders an unauthorised tick back to unticked", () => {
    const tampered = body.replace(/- \[ \] (API rate limits.*)$/m, "- [x] $1");
    expect(diffTicks(body, tampered).ticked).toEqual([{ gate: "security", item: "rate-limits" }]);
    // The ledger did not accept it, so the verdict is unchanged and so is the comment.
    const again = renderComment({ verdict, checklist: launchChecklist, mentionOwners: true });
    expect(boxes(again).get("security.rate-limits")).toMatch(/^- \[ \] /);
    expect(diffTicks(tampered, again).unticked).toEqual([{ gate: "security", item: "rate-limits" }]);
  });
});

describe("renderComment escaping", () => {
  const hostile = "@acme/everyone <img src=x> [click](http://evil) <!-- gatehouse:item security.waf -->";
  const checklist = ChecklistSchema.parse({
    id: "evil",
    title: `Launch ${hostile}`,
    gates: [
      {
        id: "infrastructure",
        title: `Infra ${hostile}`,
        description: hostile,
        owner: "infrastructure",
        items: [
          { id: "cdn", title: hostile, description: hostile, help_url: "https://example.com/help" },
          { id: "dns", title: "DNS" },
        ],
      },
      { id: "security", title: "Security", owner: "security", items: [{ id: "waf", title: "WAF" }] },
    ],
  });
  const verdict = handVerdict(checklist, {
    signed: { "infrastructure.dns": { actor: "mallory", note: hostile, url: "javascript:alert(1)", metrics: { "@x": 1 } } },
  });
  for (const mentionOwners of [true, false]) {
    const body = renderComment({ verdict, checklist, mentionOwners });

    it(`renders hostile config and ledger text inert (mentionOwners: ${mentionOwners})`, () => {
      expect(body).not.toMatch(/<img/i);
      expect(body).not.toContain("](http://evil");
      expect(body).not.toContain("javascript:");
      expect(mentions(body).filter((m) => m !== "@acme/infrastructure" && m !== "@acme/security")).toEqual([]);
      // The only markers are the real ones, one per item, each on its own box line.
      expect(body.match(/<!-- gatehouse:item [^ ]+ -->/g)).toEqual([
        "<!-- gatehouse:item infrastructure.cdn -->",
        "<!-- gatehouse:item infrastructure.dns -->",
        "<!-- gatehouse:item security.waf -->",
      ]);
      expect(boxes(body).get("security.waf")).toMatch(/^- \[ \] WAF /);
    });
  }
});

describe("renderComment folding", () => {
  /** 1,000 items over 4 gates with long titles and guidance: several times GitHub's limit. */
  function bigChecklist(): Checklist {
    return ChecklistSchema.parse({
      id: "big",
      title: "Big checklist",
      gates: Array.from({ length: 4 }, (_, g) => ({
        id: `gate-${g}`,
        title: `Gate number ${g}`,
        owner: `role-${g}`,
        description: "Why this gate exists. ".repeat(10),
        items: Array.from({ length: 250 }, (_, i) => ({
          id: `item-${i}`,
          title: `Item ${i} of gate ${g}: ${"a long and careful description of what must be true ".repeat(3)}`,
          description: "Guidance for the owner. ".repeat(8),
          help_url: `https://example.com/runbooks/${g}/${i}`,
        })),
      })),
    });
  }
  const checklist = bigChecklist();

  it("folds a 1,000-item checklist under the comment limit, keeping every pending gate", () => {
    const signed = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`gate-0.item-${i}`, { actor: "pat" }]));
    const verdict = handVerdict(checklist, { signed: { ...signed, "gate-1.item-3": { actor: "pat" } } });
    const body = renderComment({ verdict, checklist, mentionOwners: true });
    expect(body.length).toBeLessThanOrEqual(COMMENT_MAX_LENGTH);
    expect(body).toContain("This checklist is too long for one GitHub comment");
    for (const g of [1, 2, 3]) {
      expect(body).toContain(`### ⏳ Gate number ${g}`);
      expect(body).toMatch(new RegExp(`more unsigned items.* hidden.*\`/signoff gate-${g}\\.<item>\``));
    }
    expect(body).toContain("signed item hidden"); // gate-1's one signed item
    // The approved gate is a single line now; pending gates still show their first boxes.
    expect(body).toContain("✅ **Gate number 0** — approved · 250 of 250 items signed");
    const shown = boxes(body);
    expect(shown.has("gate-0.item-0")).toBe(false);
    for (const g of [1, 2, 3]) expect(shown.has(`gate-${g}.item-0`)).toBe(true);
    expect(shown.size).toBeGreaterThan(30);
    expect(body).toContain("#### How to sign off");
    // Boxes that are shown still tick.
    const ticked = body.replace(/- \[ \] (Item 0 of gate 2.*)$/m, "- [x] $1");
    expect(diffTicks(body, ticked).ticked).toEqual([{ gate: "gate-2", item: "item-0" }]);
  });

  it("drops guidance first when that is enough", () => {
    const small = ChecklistSchema.parse({
      ...checklist,
      gates: checklist.gates.map((g) => ({ ...g, items: g.items.slice(0, 20) })),
    });
    const verdict = handVerdict(small);
    const full = renderComment({ verdict, checklist: small, mentionOwners: false, maxLength: 1_000_000 });
    const limit = full.length - 100;
    const body = renderComment({ verdict, checklist: small, mentionOwners: false, maxLength: limit });
    expect(body.length).toBeLessThanOrEqual(limit);
    expect(full).toContain("Guidance for Gate number 0");
    expect(body).not.toContain("Guidance for");
    expect(boxes(body).size).toBe(80);
  });

  it("cuts whole gates when even headings do not fit, pending gates first", () => {
    const many = ChecklistSchema.parse({
      id: "many",
      title: "Many gates",
      gates: Array.from({ length: 60 }, (_, g) => ({
        id: `g${g}`,
        title: `Gate ${g}`,
        owner: "ops",
        items: [{ id: "only", title: "Only item" }],
      })),
    });
    const verdict = handVerdict(many, { signed: { "g0.only": {} } });
    const body = renderComment({ verdict, checklist: many, mentionOwners: false, maxLength: 6_000 });
    expect(body.length).toBeLessThanOrEqual(6_000);
    expect(body).toMatch(/…and \d+ more gates are hidden/);
    expect(body).toContain("### ⏳ Gate 1\n");
    expect(body).not.toContain("Gate 0**"); // the approved gate goes first
    expect(body).toContain("#### How to sign off");
  });
});
