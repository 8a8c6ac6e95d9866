import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/core/evaluate/evaluate.js";
import { verdictStableUntil } from "../../src/core/evaluate/expiry.js";
import { appendEvents, type Ledger, type LedgerEvent } from "../../src/core/ledger/ledger.js";
import { evaluateOrReuse, judged } from "../../src/app/sync/judged-verdict.js";
import { launchChecklist, launchConfig, NEXT_HEAD, releasePr, signoff } from "../fixtures/launch-checklist.js";

const PENTEST_URL = "https://example.com/pentest-2026.pdf";
/** Signed on 2026-05-03 10:00, valid 90 days: counts until 2026-08-01T10:00:00.000Z included. */
const pentest = signoff("security", "penetration-test", { url: PENTEST_URL, at: "2026-05-03T10:00:00.000Z" });
const EXPIRY = Date.parse("2026-08-01T10:00:00.000Z");
const ledgerOf = (events: LedgerEvent[]): Ledger => ({ version: 1, pr: 42, events });
const config = launchConfig();
const base = { checklist: launchChecklist, config, pr: releasePr };

describe("verdictStableUntil", () => {
  it("is the first instant after the earliest expiry of a standing sign-off", () => {
    const verdict = evaluate({ ...base, ledger: ledgerOf([signoff("security", "waf"), pentest]), now: new Date("2026-07-01T00:00:00Z") });
    expect(verdictStableUntil(verdict)).toBe(EXPIRY + 1);
  });

  it("is forever when no standing sign-off can expire (none signed, or only items without expires_after)", () => {
    expect(verdictStableUntil(evaluate({ ...base, ledger: ledgerOf([]), now: new Date(EXPIRY) }))).toBe(Number.POSITIVE_INFINITY);
    const waf = evaluate({ ...base, ledger: ledgerOf([signoff("security", "waf")]), now: new Date(EXPIRY) });
    expect(verdictStableUntil(waf)).toBe(Number.POSITIVE_INFINITY);
  });

  it("ignores what expired already, and counts a sign-off still missing its evidence", () => {
    const expired = evaluate({ ...base, ledger: ledgerOf([pentest]), now: new Date(EXPIRY + 1) });
    expect(verdictStableUntil(expired)).toBe(Number.POSITIVE_INFINITY);
    const { url: _url, ...noLink } = pentest;
    const missing = evaluate({ ...base, ledger: ledgerOf([noLink]), now: new Date(EXPIRY - 1) });
    expect(missing.gates[0]!.items.find((i) => i.item.id === "penetration-test")!.status).toBe("evidence_missing");
    expect(verdictStableUntil(missing)).toBe(EXPIRY + 1);
  });
});

describe("evaluateOrReuse", () => {
  const ledger = ledgerOf([signoff("security", "waf"), pentest]);
  const at = new Date("2026-07-01T00:00:00Z");
  const kept = judged({ ...base, ledger, now: at }, evaluate({ ...base, ledger, now: at }));

  it("reuses the kept verdict for the very same inputs at a later moment before any expiry", () => {
    expect(evaluateOrReuse(kept, { ...base, ledger, now: new Date(EXPIRY) })).toBe(kept.verdict);
    // A new PR object with the same facts (each event reads the PR again) is the same input.
    expect(evaluateOrReuse(kept, { ...base, pr: { ...releasePr }, ledger, now: new Date(EXPIRY) })).toBe(kept.verdict);
  });

  it("judges afresh once a sign-off expired, and then equals evaluate", () => {
    const now = new Date(EXPIRY + 1);
    const verdict = evaluateOrReuse(kept, { ...base, ledger, now });
    expect(verdict).not.toBe(kept.verdict);
    expect(verdict).toEqual(evaluate({ ...base, ledger, now }));
    expect(verdict.gates[0]!.items.find((i) => i.item.id === "penetration-test")!.status).toBe("expired");
  });

  it("judges afresh when anything it rests on changed", () => {
    const later = new Date(EXPIRY - 1);
    const changed = [
      { ...base, ledger: appendEvents(ledger, [signoff("security", "rate-limits")]), now: later },
      { ...base, ledger: { ...ledger }, now: later },
      { ...base, config: launchConfig(), ledger, now: later },
      { ...base, pr: { ...releasePr, headSha: NEXT_HEAD }, ledger, now: later },
      { ...base, pr: { ...releasePr, author: "alice" }, ledger, now: later },
      { ...base, pr: { ...releasePr, authorId: 7 }, ledger, now: later },
      { ...base, pr: { ...releasePr, contributors: [{ login: "alice", as: "author" as const }] }, ledger, now: later },
      // A clock that went back.
      { ...base, ledger, now: new Date(at.getTime() - 1) },
    ];
    for (const input of changed) {
      const verdict = evaluateOrReuse(kept, input);
      expect(verdict).not.toBe(kept.verdict);
      expect(verdict).toEqual(evaluate(input));
    }
  });

  it("never differs from evaluate, hour by hour across an expiry", () => {
    let state = kept;
    for (let t = EXPIRY - 5 * 3_600_000; t <= EXPIRY + 5 * 3_600_000; t += 3_600_000 / 4) {
      const input = { ...base, ledger, now: new Date(t) };
      const verdict = evaluateOrReuse(state, input);
      expect(verdict).toEqual(evaluate(input));
      state = judged(input, verdict);
    }
  });
});

describe("appendEvents", () => {
  it("keeps the same ledger when nothing is appended, so what was judged for it still holds", () => {
    const ledger = ledgerOf([pentest]);
    expect(appendEvents(ledger, [])).toBe(ledger);
    expect(appendEvents(ledger, [signoff("security", "waf")]).events).toHaveLength(2);
    expect(ledger.events).toHaveLength(1);
  });
});
