import { describe, expect, it } from "vitest";
import { isNewerLedger } from "../../../src/core/ledger/latest-ledger.js";
import type { Ledger } from "../../../src/core/ledger/ledger.js";
import { revoke, signoff } from "../../fixtures/launch-checklist.js";

const at = (iso: string) => ({ at: iso });
const ledger = (...events: Ledger["events"]): Ledger => ({ version: 1, pr: 42, events });

describe("isNewerLedger", () => {
  const approved = ledger(signoff("security", "waf", at("2026-11-25T10:00:00.000Z")));
  const revoked = ledger(...approved.events, revoke("security", "waf", at("2026-11-25T11:00:00.000Z")));

  it("the copy written later (later last event) is newer, whichever is passed first", () => {
    expect(isNewerLedger(revoked, approved)).toBe(true);
    expect(isNewerLedger(approved, revoked)).toBe(false);
  });

  it("on equal times the longer copy is newer; identical copies keep the caller's preference", () => {
    const sameTime = ledger(...approved.events, revoke("security", "waf", at("2026-11-25T10:00:00.000Z")));
    expect(isNewerLedger(sameTime, approved)).toBe(true);
    expect(isNewerLedger(approved, structuredClone(approved))).toBe(false);
  });

  it("any event beats an empty ledger", () => {
    expect(isNewerLedger(approved, ledger())).toBe(true);
    expect(isNewerLedger(ledger(), approved)).toBe(false);
  });
});
