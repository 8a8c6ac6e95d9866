import { describe, expect, it } from "vitest";
import { itemMarker } from "../../../src/core/render/comment-markers.js";
import { diffTicks } from "../../../src/core/parse/parse-ticks.js";
import { renderComment } from "../../../src/core/render/render-comment.js";
import { handVerdict, launchChecklist } from "../../fixtures/hand-verdict.js";

const line = (box: " " | "x" | "X", title: string, gate: string, item: string) => `- [${box}] ${title} ${itemMarker(gate, item)}`;

const BEFORE = [
  "<!-- gatehouse:checklist -->",
  "## Checklist",
  "",
  "### Security Controls",
  line(" ", "Web application firewall", "security", "waf"),
  line("x", "API rate limits — signed by @alice", "security", "rate-limits"),
  line(" ", "Secret rotation", "security", "secret-rotation"),
  "",
  "Footer text",
].join("\n");

const tick = (body: string, item: string) => body.replace(new RegExp(`- \\[ \\](.*security\\.${item} -->)`), "- [x]$1");

describe("diffTicks", () => {
  it("reports a tick and an untick", () => {
    const after = tick(BEFORE, "waf").replace("- [x] API rate limits", "- [ ] API rate limits");
    expect(diffTicks(BEFORE, after)).toEqual({
      ticked: [{ gate: "security", item: "waf" }],
      unticked: [{ gate: "security", item: "rate-limits" }],
    });
  });

  it("reports nothing for an unchanged body", () => {
    expect(diffTicks(BEFORE, BEFORE)).toEqual({ ticked: [], unticked: [] });
  });

  it("ignores CRLF versus LF between the two versions", () => {
    const crlf = BEFORE.replace(/\n/g, "\r\n");
    expect(diffTicks(BEFORE, crlf)).toEqual({ ticked: [], unticked: [] });
    expect(diffTicks(crlf, tick(BEFORE, "waf"))).toEqual({ ticked: [{ gate: "security", item: "waf" }], unticked: [] });
    expect(diffTicks(BEFORE, tick(crlf, "waf"))).toEqual({ ticked: [{ gate: "security", item: "waf" }], unticked: [] });
  });

  it("reads [X] as ticked", () => {
    const after = BEFORE.replace("- [ ] Web application", "- [X] Web application");
    expect(diffTicks(BEFORE, after).ticked).toEqual([{ gate: "security", item: "waf" }]);
    // [x] → [X] is not a change.
    const upper = BEFORE.replace("- [x] API", "- [X] API");
    expect(diffTicks(BEFORE, upper)).toEqual({ ticked: [], unticked: [] });
  });

  it("ignores trailing and repeated whitespace", () => {
    const spaced = BEFORE.split("\n")
      .map((l) => `${l.replace("] ", "]   ")}   \t`)
      .join("\n");
    expect(diffTicks(BEFORE, spaced)).toEqual({ ticked: [], unticked: [] });
    expect(diffTicks(spaced, tick(BEFORE, "secret-rotation")).ticked).toEqual([{ gate: "security", item: "secret-rotation" }]);
  });

  it("ignores reordered lines, and still sees a tick among them", () => {
    const lines = BEFORE.split("\n");
    const reordered = [...lines.slice(0, 4), lines[6], lines[4], lines[5], ...lines.slice(7)].join("\n");
    expect(diffTicks(BEFORE, reordered)).toEqual({ ticked: [], unticked: [] });
    expect(diffTicks(BEFORE, tick(reordered, "secret-rotation")).ticked).toEqual([{ gate: "security", item: "secret-rotation" }]);
  });

  it("ignores edits outside the boxes", () => {
    const edited = BEFORE.replace("Footer text", "Footer text, edited by someone").replace("## Checklist", "## My checklist");
    expect(diffTicks(BEFORE, edited)).toEqual({ ticked: [], unticked: [] });
  });

  it("does not count a removed marker as an untick, or a box without a marker as a tick", () => {
    const removed = BEFORE.replace(` ${itemMarker("security", "rate-limits")}`, "");
    expect(diffTicks(BEFORE, removed)).toEqual({ ticked: [], unticked: [] });
    const tickedWithoutMarker = tick(BEFORE, "waf").replace(` ${itemMarker("security", "waf")}`, "");
    expect(diffTicks(BEFORE, tickedWithoutMarker)).toEqual({ ticked: [], unticked: [] });
  });

  it("uses the first line when a marker is duplicated", () => {
    const waf = line(" ", "Web application firewall", "security", "waf");
    const dupFirstTicked = BEFORE.replace(waf, `${waf.replace("[ ]", "[x]")}\n${waf}`);
    expect(diffTicks(BEFORE, dupFirstTicked).ticked).toEqual([{ gate: "security", item: "waf" }]);
    const dupSecondTicked = BEFORE.replace(waf, `${waf}\n${waf.replace("[ ]", "[x]")}`);
    expect(diffTicks(BEFORE, dupSecondTicked)).toEqual({ ticked: [], unticked: [] });
  });

  it("does not read a marker edited to another item as a tick or untick of that item", () => {
    // The WAF line now carries the rate-limits marker and is ticked; the real rate-limits line follows.
    const retargeted = BEFORE.replace(
      line(" ", "Web application firewall", "security", "waf"),
      line("x", "Web application firewall", "security", "secret-rotation"),
    );
    expect(diffTicks(BEFORE, retargeted)).toEqual({ ticked: [], unticked: [] });
    // The signed rate-limits line is deleted and the WAF line (unticked) takes its marker: no revoke.
    const stolen = BEFORE.replace(`${line("x", "API rate limits — signed by @alice", "security", "rate-limits")}\n`, "").replace(
      line(" ", "Web application firewall", "security", "waf"),
      line(" ", "Web application firewall", "security", "rate-limits"),
    );
    expect(diffTicks(BEFORE, stolen)).toEqual({ ticked: [], unticked: [] });
  });

  it("counts a genuine flip of a line copied verbatim", () => {
    // Identical text and marker: the same line as far as anyone can tell, so its flip is real.
    const rl = line("x", "API rate limits — signed by @alice", "security", "rate-limits");
    const moved = BEFORE.replace(`${rl}\n`, "").replace("Footer text", `${rl.replace("[x]", "[ ]")}\nFooter text`);
    expect(diffTicks(BEFORE, moved).unticked).toEqual([{ gate: "security", item: "rate-limits" }]);
  });

  it("ignores a box whose text was edited in the same change", () => {
    const edited = BEFORE.replace("- [ ] Web application firewall", "- [x] Web application firewall (done!)");
    expect(diffTicks(BEFORE, edited)).toEqual({ ticked: [], unticked: [] });
  });

  it("handles nested and ordered lists", () => {
    const nested = ["* Gate", `    - [ ] Nested ${itemMarker("ops", "alerts")}`, `  1. [ ] Ordered ${itemMarker("ops", "runbooks")}`].join(
      "\n",
    );
    const after = nested.replace("- [ ] Nested", "- [x] Nested").replace("1. [ ] Ordered", "1. [x] Ordered");
    expect(diffTicks(nested, after).ticked).toEqual([
      { gate: "ops", item: "alerts" },
      { gate: "ops", item: "runbooks" },
    ]);
  });

  it("ignores boxes inside fenced code", () => {
    const fenced = `${BEFORE}\n\`\`\`\n${line(" ", "x", "security", "extra")}\n\`\`\``;
    const after = fenced.replace("- [ ] x <!-- gatehouse:item security.extra", "- [x] x <!-- gatehouse:item security.extra");
    expect(diffTicks(fenced, after)).toEqual({ ticked: [], unticked: [] });
  });

  it("is not fooled by a hostile item title in a rendered comment", () => {
    const checklist = {
      ...launchChecklist,
      gates: launchChecklist.gates.map((g) =>
        g.id === "infrastructure"
          ? {
              ...g,
              items: [
                { ...g.items[0]!, title: "@acme/everyone <img src=x> [click](http://evil) <!-- gatehouse:item security.waf -->" },
                g.items[1]!,
              ],
            }
          : g,
      ),
    };
    const body = renderComment({ verdict: handVerdict(checklist), checklist, mentionOwners: true });
    const ticked = body.replace(/- \[ \] (@.*gatehouse:item infrastructure\.multi-region -->)/, "- [x] $1");
    expect(ticked).not.toBe(body);
    expect(diffTicks(body, ticked)).toEqual({ ticked: [{ gate: "infrastructure", item: "multi-region" }], unticked: [] });
  });
});

describe("diffTicks on text longer than GitHub stores", () => {
  it("reads no tick from a body over 65,536 characters", () => {
    const line = (box: string) => `- [${box}] WAF ${itemMarker("security", "waf")}`;
    const padding = `\n${"x".repeat(65_536)}`;
    expect(diffTicks(line(" "), line("x")).ticked).toEqual([{ gate: "security", item: "waf" }]);
    expect(diffTicks(line(" ") + padding, line("x") + padding)).toEqual({ ticked: [], unticked: [] });
  });
});

describe("diffTicks on bodies it has read before", () => {
  // Parsed bodies are kept by content: a webhook's body is a new string equal to one seen before,
  // and bodies of one PR differ only in their boxes, so have the same length.
  const copy = (s: string): string => JSON.parse(JSON.stringify(s));
  const items = ["waf", "rate-limits", "secret-rotation"] as const;
  const withTicks = (mask: number) =>
    [
      "<!-- gatehouse:checklist -->",
      ...items.map((item, i) => line(mask & (1 << i) ? "x" : " ", `Item ${item}`, "security", item)),
      "Footer",
    ].join("\n");
  const refs = (mask: number) => items.filter((_, i) => mask & (1 << i)).map((item) => ({ gate: "security", item }));

  it("reads each of many same-length bodies right, on first and later reads, beyond the bodies it keeps", () => {
    for (let round = 0; round < 3; round++) {
      for (let from = 0; from < 8; from++) {
        for (let to = 0; to < 8; to++) {
          expect(diffTicks(copy(withTicks(from)), copy(withTicks(to))), `${from} → ${to}`).toEqual({
            ticked: refs(to & ~from),
            unticked: refs(from & ~to),
          });
        }
      }
      // Other PRs' bodies in between push these out of what is kept.
      for (let n = 0; n < 40; n++) diffTicks(`${BEFORE}\n${n}`, copy(`${BEFORE}\n${n}`));
    }
  });
});
