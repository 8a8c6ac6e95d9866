import { describe, expect, it } from "vitest";
import type { Ledger } from "../../../src/core/ledger/ledger.js";
import { renderJobSummary } from "../../../src/core/render/render-summary.js";
import { HEAD_SHA, handVerdict, launchChecklist, signoffEvent } from "../../fixtures/hand-verdict.js";

describe("renderJobSummary", () => {
  const events = [
    signoffEvent("security", "waf", { actor: "alice", at: "2026-11-24T09:15:00.000Z", sha: "1111111aaaaaaa" }),
    signoffEvent("security", "penetration-test", { actor: "bob", at: "2026-11-24T10:00:00.000Z", url: "https://example.com/pt.pdf" }),
  ];
  const ledger: Ledger = { version: 1, pr: 42, events };
  const verdict = handVerdict(launchChecklist, {
    signed: {
      "security.waf": events[0]!,
      "security.penetration-test": events[1]!,
    },
  });
  const summary = renderJobSummary({ verdict, ledger, prUrl: "https://github.com/acme/app/pull/42", prNumber: 42 });

  it("states the verdict for the PR and its head SHA", () => {
    expect(summary).toMatch(/^## Gatehouse: ⏳ Pending\n/);
    expect(summary).toContain("0 of 2 required gates approved — pull request [\\#&#8203;42](<https://github.com/acme/app/pull/42>)");
    expect(summary).toContain(`at \`${HEAD_SHA.slice(0, 7)}\``);
  });

  it("has the gates table", () => {
    expect(summary).toContain("| Gate | Status | Signed | Owners | Reason |");
    expect(summary).toContain("| Security Controls `security` | ⏳ pending | 2 of 3 required (@&#8203;alice, @&#8203;bob) |");
  });

  it("lists who signed what, when, on which commit, with what evidence", () => {
    expect(summary).toContain("| `security.waf` | @&#8203;alice | 2026-11-24 09:15 UTC | `1111111` | – |");
    expect(summary).toContain(
      "| `security.penetration-test` | @&#8203;bob | 2026-11-24 10:00 UTC | `abc1234` | [link](<https://example.com/pt.pdf>) |",
    );
  });

  it("includes the ledger, latest first", () => {
    const ledgerPart = summary.slice(summary.indexOf("### Ledger (2 events, latest first)"));
    expect(ledgerPart.indexOf("penetration-test")).toBeLessThan(ledgerPart.indexOf("security.waf"));
  });

  it("does not link a PR URL that is not http(s)", () => {
    const text = renderJobSummary({ verdict, ledger, prUrl: "javascript:alert(1)", prNumber: 7 });
    expect(text).not.toContain("javascript:");
    expect(text).toContain("pull request \\#&#8203;7 at");
  });

  it("stays within its limit, cutting the ledger first", () => {
    const many = Array.from({ length: 3000 }, (_, i) => signoffEvent("security", "waf", { note: `note ${i} `.repeat(10) }));
    const text = renderJobSummary({
      verdict,
      ledger: { version: 1, pr: 42, events: many },
      prUrl: "https://github.com/acme/app/pull/42",
      prNumber: 42,
      maxLength: 20_000,
    });
    expect(text.length).toBeLessThanOrEqual(20_000);
    expect(text).toContain("| `security.penetration-test` |");
    expect(text).toMatch(/_…and \d+ earlier events\._/);
  });
});
