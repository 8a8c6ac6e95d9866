import { describe, expect, it } from "vitest";
import { evaluate, evaluateAppended, type EvaluateInput } from "../../../src/core/evaluate/evaluate.js";
import { appendEvents, type Ledger, type LedgerEvent } from "../../../src/core/ledger/ledger.js";
import { HEAD, launchChecklist, launchConfig, releasePr, revoke, signoff } from "../../fixtures/launch-checklist.js";

const NOW = new Date("2026-08-01T10:00:00.000Z");
const ledgerOf = (events: LedgerEvent[]): Ledger => ({ version: 1, pr: 42, events });

/** A small deterministic generator, so a failing walk can be replayed from its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Any event a ledger may hold: sign-offs (of the author too, with evidence or without, expired), revokes, invalidations, pushes, PR events. */
function anyEvent(rand: () => number): LedgerEvent {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const gate = pick([...launchChecklist.gates, undefined]);
  const gateId = gate?.id ?? "retired-gate";
  const item = gate && rand() < 0.8 ? pick(gate.items).id : undefined;
  const actor = pick(["alice", "bob", "dana", "erin", releasePr.author]);
  const at = pick(["2026-05-03T10:00:00.000Z", "2026-07-30T09:00:00.000Z", "2026-08-01T09:59:59.000Z"]);
  const kind = rand();
  if (kind < 0.5) {
    return signoff(gateId, item, {
      actor,
      at,
      ...(rand() < 0.5 ? { url: "https://example.com/evidence" } : {}),
      ...(rand() < 0.5 ? { metrics: { uptime_percent: pick([99.5, 99.95]), error_rate_percent: pick([1, 3]) } } : {}),
      ...(rand() < 0.1 ? { role: "somebody-else" } : {}),
    });
  }
  if (kind < 0.7) return revoke(gateId, item, { actor, at });
  if (kind < 0.85) return { ...signoff(gateId, item, { actor: "gatehouse", at }), kind: "invalidate", method: "push" };
  if (kind < 0.93) return { kind: "pushed", actor: pick(["alice", "mallory"]), role: "", gate: "", sha: HEAD, at, method: "push" };
  return { kind: pick(["unlabel", "relabel"] as const), actor: "alice", role: "", gate: "", sha: HEAD, at, method: "label" };
}

describe("evaluateAppended", () => {
  it("equals evaluate after every append of a long random walk, for several configs and gate selections", () => {
    const setups: Omit<EvaluateInput, "ledger">[] = [
      { checklist: launchChecklist, config: launchConfig(), pr: releasePr, now: NOW },
      { checklist: launchChecklist, config: launchConfig({ phase: "production" }), pr: releasePr, now: NOW },
      {
        checklist: launchChecklist,
        config: launchConfig({ allow_author: true }),
        pr: releasePr,
        now: NOW,
        gates: ["security", "promotion"],
      },
      { checklist: launchChecklist, config: launchConfig({ phase: "no-such-phase" }), pr: releasePr, now: NOW },
    ];
    for (const [n, setup] of setups.entries()) {
      const rand = random(n + 1);
      let ledger = ledgerOf([]);
      let verdict = evaluate({ ...setup, ledger });
      for (let step = 0; step < 300; step++) {
        const added = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => anyEvent(rand));
        const before = { ledger, verdict };
        ledger = appendEvents(ledger, added);
        verdict = evaluateAppended(before, { ...setup, ledger });
        expect(verdict, `setup ${n}, step ${step}`).toEqual(evaluate({ ...setup, ledger }));
      }
    }
  });

  it("keeps the verdicts of the gates the new events do not touch, and judges the touched one again", () => {
    const input = { checklist: launchChecklist, config: launchConfig(), pr: releasePr, now: NOW };
    const ledger = ledgerOf([signoff("security", "waf"), signoff("operations", "dashboards", { actor: "dana" })]);
    const before = { ledger, verdict: evaluate({ ...input, ledger }) };
    const after = evaluateAppended(before, { ...input, ledger: appendEvents(ledger, [signoff("security", "rate-limits")]) });
    const gate = (id: string) => launchChecklist.gates.findIndex((g) => g.id === id);
    expect(after.gates[gate("operations")]).toBe(before.verdict.gates[gate("operations")]);
    expect(after.gates[gate("compliance")]).toBe(before.verdict.gates[gate("compliance")]);
    expect(after.gates[gate("security")]).not.toBe(before.verdict.gates[gate("security")]);
    expect(after.gates[gate("security")]!.items.find((i) => i.item.id === "rate-limits")!.status).toBe("signed");
  });

  it("judges everything again after a push (its pusher may no longer sign any gate), or when the ledger is not an extension", () => {
    const input = { checklist: launchChecklist, config: launchConfig(), pr: releasePr, now: NOW };
    const ledger = ledgerOf([signoff("operations", "dashboards", { actor: "dana" })]);
    const before = { ledger, verdict: evaluate({ ...input, ledger }) };
    const pushed: LedgerEvent = { kind: "pushed", actor: "dana", role: "", gate: "", sha: HEAD, at: NOW.toISOString(), method: "push" };
    const afterPush = evaluateAppended(before, { ...input, ledger: appendEvents(ledger, [pushed]) });
    expect(afterPush.gates.find((g) => g.gate.id === "operations")!.items[0]!.status).toBe("pending");

    // Same length, other events: not an extension, so nothing is kept.
    const other = ledgerOf([signoff("compliance", "soc2", { actor: "erin" })]);
    const judged = evaluateAppended(before, { ...input, ledger: other });
    expect(judged).toEqual(evaluate({ ...input, ledger: other }));
  });

  it("returns the verdict before when nothing was appended", () => {
    const input = { checklist: launchChecklist, config: launchConfig(), pr: releasePr, now: NOW };
    const ledger = ledgerOf([signoff("security", "waf")]);
    const verdict = evaluate({ ...input, ledger });
    expect(evaluateAppended({ ledger, verdict }, { ...input, ledger })).toBe(verdict);
  });
});
