import { describe, expect, it } from "vitest";
import { ledgerTableRows } from "../../../src/core/render/ledger-table.js";

describe("ledger table: system events", () => {
  it("shows expiries and re-evaluations, with their notes escaped", () => {
    const sha = "a".repeat(40);
    const rows = ledgerTableRows({
      version: 1,
      pr: 1,
      events: [
        {
          kind: "expire",
          actor: "gatehouse",
          role: "security",
          gate: "security",
          item: "penetration-test",
          sha,
          at: "2026-11-25T12:00:00.000Z",
          method: "system",
          note: "expired <img src=x> | [x]",
        },
        {
          kind: "reevaluate",
          actor: "gatehouse",
          role: "",
          gate: "*",
          sha,
          at: "2026-11-26T12:00:00.000Z",
          method: "system",
          note: "re-evaluated after a config change at abcdef123456: was success, now pending",
        },
      ],
    });
    expect(rows[0]).toContain("🔄 re-evaluated");
    expect(rows[0]).toContain("all gates");
    expect(rows[1]).toContain("⌛ expired");
    expect(rows[1]).not.toContain("<img");
    expect(rows[1]!.split(" | ")).toHaveLength(7);
  });
});
