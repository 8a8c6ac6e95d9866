import { describe, expect, it } from "vitest";
import { ChecklistSchema } from "../../../src/core/config/checklist-schema.js";
import type { Ledger, LedgerEvent } from "../../../src/core/ledger/ledger.js";
import { decodeLedger, encodeLedger, LedgerCapacityError } from "../../../src/core/ledger/ledger-codec.js";
import { renderCheckRun, renderProblems, renderProblemsCheckRun } from "../../../src/core/render/render-check-run.js";
import { CHECK_RUN_FIELD_MAX_LENGTH } from "../../../src/core/render/text-budget.js";
import { HEAD_SHA, handVerdict, launchChecklist, signoffEvent } from "../../fixtures/hand-verdict.js";

const ledger = (events: LedgerEvent[]): Ledger => ({ version: 1, pr: 42, events });

const events = [
  signoffEvent("security", "waf", { actor: "alice", at: "2026-11-24T09:00:00.000Z" }),
  signoffEvent("security", "penetration-test", {
    actor: "bob",
    method: "command",
    url: "https://example.com/pt.pdf",
    at: "2026-11-24T10:00:00.000Z",
  }),
  signoffEvent("infrastructure", undefined, { actor: "pat", method: "button", at: "2026-11-25T08:00:00.000Z" }),
];

function fieldsFit(output: { title: string; summary: string; text: string }) {
  for (const field of ["title", "summary", "text"] as const)
    expect(output[field].length, field).toBeLessThanOrEqual(CHECK_RUN_FIELD_MAX_LENGTH);
}

describe("renderCheckRun", () => {
  it("titles the run by approved gates", () => {
    const pending = handVerdict(launchChecklist, { signed: { "infrastructure.multi-region": {}, "infrastructure.cdn": {} } });
    expect(renderCheckRun({ verdict: pending, ledger: ledger([]), checklist: launchChecklist }).title).toBe("1 of 2 gates approved");
    const approved = handVerdict(launchChecklist, {
      signed: Object.fromEntries(
        ["infrastructure.multi-region", "infrastructure.cdn", "security.waf", "security.rate-limits", "security.penetration-test"].map(
          (k) => [k, {}],
        ),
      ),
    });
    expect(renderCheckRun({ verdict: approved, ledger: ledger([]), checklist: launchChecklist }).title).toBe(
      "All 2 required gates approved",
    );
    const error = { ...pending, status: "error" as const, reason: "phase 'pilot' is not in checklist 'pre-production'" };
    const run = renderCheckRun({ verdict: error, ledger: ledger([]), checklist: launchChecklist });
    expect(run.title).toBe("Configuration error");
    expect(run.summary).toContain("phase 'pilot' is not in checklist 'pre-production'");
  });

  it("summarises every gate in a table", () => {
    const verdict = handVerdict(launchChecklist, { signed: { "security.waf": { actor: "alice" } } });
    const { summary } = renderCheckRun({ verdict, ledger: ledger(events), checklist: launchChecklist });
    expect(summary).toContain("| Gate | Status | Signed | Owners | Reason |");
    expect(summary).toContain("| Security Controls `security` | ⏳ pending | 1 of 3 required (@&#8203;alice) | @&#8203;acme/security |");
    expect(summary).toContain("| Infrastructure Readiness `infrastructure` | ⏳ pending | 0 of 2 |");
    expect(summary).toContain("| Phase promotion evidence `promotion` | ➖ optional | 0 of 1 |");
    expect(summary).toContain("Sign off my gates");
  });

  it("ends the text with the ledger block, after a table of events, latest first", () => {
    const verdict = handVerdict(launchChecklist);
    const { text } = renderCheckRun({ verdict, ledger: ledger(events), checklist: launchChecklist });
    expect(text.endsWith(encodeLedger(ledger(events)))).toBe(true);
    expect(decodeLedger(text)).toEqual(ledger(events));
    const rows = text.split("\n").filter((l) => l.startsWith("| 2026-"));
    expect(rows[0]).toMatch(/^\| 2026-11-25 08:00 UTC \| ✅ signed \| `infrastructure` \(whole gate\) \| @&#8203;pat \| button \|/);
    expect(rows[2]).toContain("`security.waf`");
    expect(text).toContain("[evidence](<https://example.com/pt.pdf>)");
    expect(text).toContain("### Still to sign");
    expect(text).toContain("`security.rate-limits` API rate limits");
  });

  it("keeps an empty ledger as a block too", () => {
    const { text } = renderCheckRun({ verdict: handVerdict(launchChecklist), ledger: ledger([]), checklist: launchChecklist });
    expect(decodeLedger(text)).toEqual(ledger([]));
    expect(text).toContain("_No sign-offs yet._");
  });

  it("shrinks the human-readable part, never the block, for a large ledger", () => {
    const many = Array.from({ length: 2500 }, (_, i) =>
      signoffEvent("security", ["waf", "rate-limits"][i % 2], {
        actor: `user-${i % 40}`,
        at: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
        note: `Checked rule set ${i} against the change log and the staging environment; all good and documented in the runbook.`,
        method: "command",
        url: `https://example.com/reviews/${i}/details`,
      }),
    );
    const big = ledger(many);
    const block = encodeLedger(big);
    const run = renderCheckRun({ verdict: handVerdict(launchChecklist), ledger: big, checklist: launchChecklist });
    fieldsFit(run);
    expect(run.text.endsWith(block)).toBe(true);
    expect(decodeLedger(run.text)).toEqual(big);
    expect(run.text).toMatch(/…\d+ earlier events are not shown here; the ledger block holds all of them\./);
    // Fewer rows than the usual 200 fit next to the block; the latest events are the ones shown.
    const rows = run.text.split("\n").filter((l) => l.startsWith("| 2026-"));
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.length).toBeLessThan(200);
    expect(rows[0]).toContain("Checked rule set 2499 ");
  });

  it("lets a ledger too large for a check run fail closed", () => {
    const huge = Array.from({ length: 4000 }, (_, i) =>
      signoffEvent("security", "waf", { note: `${i}-${Math.sin(i).toString(36)}-${Math.cos(i * 7).toString(36)}`.repeat(3) }),
    );
    expect(() => renderCheckRun({ verdict: handVerdict(launchChecklist), ledger: ledger(huge), checklist: launchChecklist })).toThrow(
      LedgerCapacityError,
    );
  });

  it("escapes titles, owners, notes and actors", () => {
    const hostile = "@acme/everyone <img src=x> [click](http://evil) <!-- gatehouse:item security.waf -->";
    const checklist = ChecklistSchema.parse({
      id: "evil",
      title: hostile,
      gates: [{ id: "security", title: hostile, owner: "security", items: [{ id: "waf", title: hostile }] }],
    });
    const verdict = handVerdict(checklist, { owners: { security: ["@acme/everyone"] } });
    const run = renderCheckRun({
      verdict,
      ledger: ledger([
        signoffEvent("security", "waf", { actor: "mallory", note: hostile, url: "javascript:alert(1)", sha: "<b>not-a-sha</b>" }),
      ]),
      checklist,
    });
    for (const field of [run.summary, run.text]) {
      expect(field).not.toMatch(/<img|<b>/);
      expect(field).not.toContain("](http://evil");
      expect(field).not.toContain("](javascript:");
      expect(field).not.toMatch(/(?<![\w`])@[A-Za-z0-9]/);
      expect(field).not.toContain("<!-- gatehouse:item");
    }
  });

  it("keeps a table of thousands of gates within the limit", () => {
    const checklist = ChecklistSchema.parse({
      id: "wide",
      title: "Wide",
      gates: Array.from({ length: 3000 }, (_, g) => ({
        id: `gate-${g}`,
        title: `A gate with a fairly long title number ${g}`,
        owner: "ops",
        items: [{ id: "a", title: "A" }],
      })),
    });
    const run = renderCheckRun({ verdict: handVerdict(checklist), ledger: ledger([]), checklist });
    fieldsFit(run);
    expect(run.summary).toMatch(/\n\n_…and \d+ more gates\._/);
    expect(run.text).toMatch(/more lines; see the PR's checklist comment/);
    expect(decodeLedger(run.text)).toEqual(ledger([]));
  });
});

describe("configuration errors", () => {
  const problems = [
    { file: "acme/app:.github/gatehouse.yml", line: 3, col: 5, message: "role 'security' has no owners; add owners.security" },
    { file: "acme/app:.github/gatehouse.yml", line: 9, col: 1, message: "unknown role 'qa' <img src=x>" },
  ];

  it("reports every problem with file:line:col and keeps the ledger", () => {
    const previous = ledger(events);
    const run = renderCheckRun({ verdict: handVerdict(launchChecklist), ledger: previous, checklist: launchChecklist, problems });
    expect(run.title).toBe("Configuration error: 2 problems");
    expect(run.summary).toContain("acme/app:.github/gatehouse.yml:3:5: role 'security' has no owners; add owners.security");
    expect(run.summary).toContain("unknown role 'qa' &lt;img src=x&gt;");
    expect(run.summary).toContain("no gate can be approved");
    expect(decodeLedger(run.text)).toEqual(previous);
    expect(renderProblemsCheckRun({ problems }).text).toBe("");
  });

  it("lists as many problems as fit and counts the rest", () => {
    const lots = Array.from({ length: 5000 }, (_, i) => ({
      file: "checklists/big.yml",
      line: i + 1,
      col: 3,
      message: `item id "Bad ${i}" must be lowercase letters`,
    }));
    const summary = renderProblems(lots);
    expect(summary.length).toBeLessThanOrEqual(CHECK_RUN_FIELD_MAX_LENGTH);
    expect(summary).toContain("checklists/big.yml:1:3:");
    expect(summary).toMatch(/- _…and \d+ more problems_/);
    expect(summary).toContain("gatehouse validate");
  });
});

it("uses the head SHA the verdict was made for", () => {
  const { summary } = renderCheckRun({ verdict: handVerdict(launchChecklist), ledger: ledger([]), checklist: launchChecklist });
  expect(summary).toContain(`at \`${HEAD_SHA.slice(0, 7)}\``);
});
