import { describe, expect, it } from "vitest";
import { planArchive } from "../../../src/core/ledger/archive-plan.js";
import {
  decodeArchiveBlock,
  decodeLedger,
  decodeLedgerBlock,
  encodeLedger,
  joinArchive,
  LedgerCapacityError,
  LedgerCorruptError,
  LEDGER_BLOCK_BUDGET,
} from "../../../src/core/ledger/ledger-codec.js";
import type { Ledger, LedgerEvent } from "../../../src/core/ledger/ledger.js";

const SHA = "a".repeat(40);
function event(n: number, note: string): LedgerEvent {
  return {
    kind: "signoff",
    actor: "sam",
    role: "security",
    gate: "security",
    item: "waf",
    sha: SHA,
    at: new Date(Date.UTC(2026, 10, 25, 0, 0, n)).toISOString(),
    method: "command",
    note,
  };
}
/** Distinct text that deflate cannot shrink much. */
function noise(n: number, length: number): string {
  let s = "";
  let x = n + 1;
  while (s.length < length) {
    x = (x * 48_271) % 2_147_483_647;
    s += x.toString(36);
  }
  return s.slice(0, length);
}

describe("planArchive", () => {
  it("archives nothing while the ledger fits", () => {
    expect(planArchive({ version: 1, pr: 1, events: [event(0, "ok")] })).toEqual([]);
  });

  it("moves the oldest events out so the rest fits, and the pieces join back in order", () => {
    const events = Array.from({ length: 400 }, (_, n) => event(n, noise(n, 480)));
    const ledger: Ledger = { version: 1, pr: 3, events };
    expect(() => encodeLedger(ledger)).toThrow(LedgerCapacityError);
    const chunks = planArchive(ledger);
    expect(chunks.length).toBeGreaterThan(0);
    const archive = chunks.map((c, i) => ({ checkRunId: 100 + i, digest: c.digest, events: c.events.length }));
    const text = encodeLedger({ ...ledger, archive });
    expect(text.length).toBeLessThanOrEqual(LEDGER_BLOCK_BUDGET);
    const block = decodeLedgerBlock(text)!;
    const archived = chunks.map((c, i) => decodeArchiveBlock(c.block, 3, archive[i]!));
    expect(joinArchive(block, archived).events).toEqual(events);
    // An archive block of another PR, or with another count, is refused.
    expect(() => decodeArchiveBlock(chunks[0]!.block, 4, archive[0]!)).toThrow(LedgerCorruptError);
    expect(() => decodeArchiveBlock(chunks[0]!.block, 3, { ...archive[0]!, events: 1 })).toThrow(LedgerCorruptError);
  });

  it("fails (so the caller fails closed) when one event alone is larger than an archive run", () => {
    const ledger: Ledger = { version: 1, pr: 1, events: [event(0, noise(1, 70_000)), event(1, "x")] };
    expect(() => planArchive(ledger)).toThrow(LedgerCapacityError);
  });
});

describe("system events", () => {
  it("encode and decode, and ledgers written before them still decode", () => {
    const ledger: Ledger = {
      version: 1,
      pr: 2,
      events: [
        { ...event(0, "n"), kind: "expire", method: "system", actor: "gatehouse" },
        {
          kind: "reevaluate",
          actor: "gatehouse",
          role: "",
          gate: "*",
          sha: SHA,
          at: "2026-11-25T00:00:00.000Z",
          method: "system",
          note: "config",
        },
      ],
    };
    expect(decodeLedgerBlock(encodeLedger(ledger))).toEqual({ pr: 2, events: ledger.events, archive: [] });
    // A block written by the Gatehouse before archives and system events (its encoder, verbatim output).
    const old =
      "<!-- gatehouse-ledger:v1:gz:eNqNkMtuwjAQRf_lrm-L45TQ-lcsL1zHEAuSIHugoCj_XrlR95zN6FzNQ5oF1wzTaKJITtOpwFgUP4IoMdxykieIH38E4V8ERB_vIEB8vwgccU5TD4OSE4gxyjBXDeFabweZM4xVVPxwRJ4vEcY2bLh3xMnLvzaOSBJHGKup-Va9DB7GtmzZOcJLbT187Tv1qf5g2231oLfAEfEhuU5ZxQXTXPcjDDGcY4_V0WouOKZL3D6Ww87fZNj5dylwq3PrLxqGacE -->";
    const decoded = decodeLedger(old)!;
    expect(decoded.pr).toBe(12);
    expect(decoded.events.map((e) => e.kind)).toEqual(["signoff", "revoke", "invalidate"]);
    expect(decoded.events[2]).toMatchObject({ method: "push", files: ["src/auth/a.ts"] });
  });
});
