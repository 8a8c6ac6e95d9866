import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { Ledger } from "../../../src/core/ledger/ledger.js";
import { decodeLedger, encodeLedger } from "../../../src/core/ledger/ledger-codec.js";
import { replayLedger } from "../../../src/core/ledger/replay-ledger.js";
import { ledgerTableRows } from "../../../src/core/render/ledger-table.js";
import { launchChecklist } from "../../fixtures/launch-checklist.js";

const SHA = "abc1234def5678abc1234def5678abc1234def56";

const withPeople: Ledger = {
  version: 1,
  pr: 42,
  events: [
    {
      kind: "signoff",
      actor: "sam",
      actorId: 583231,
      role: "security",
      gate: "security",
      item: "waf",
      sha: SHA,
      at: "2026-11-25T10:00:00.000Z",
      method: "tick",
    },
    { kind: "pushed", actor: "dev", actorId: 1234, role: "", gate: "", sha: SHA, at: "2026-11-25T10:01:00.000Z", method: "push" },
    {
      kind: "unlabel",
      actor: "mona",
      actorId: 77,
      role: "maintain",
      gate: "",
      sha: SHA,
      at: "2026-11-25T10:02:00.000Z",
      method: "label",
      note: 'removed the release label "release"',
    },
    {
      kind: "relabel",
      actor: "mallory|<b>",
      role: "write",
      gate: "",
      sha: SHA,
      at: "2026-11-25T10:03:00.000Z",
      method: "label",
      note: "put | back <script>",
    },
    {
      kind: "revoke",
      actor: "gatehouse",
      role: "security",
      gate: "security",
      item: "waf",
      sha: SHA,
      at: "2026-11-25T10:04:00.000Z",
      method: "recheck",
      note: "no longer an owner",
    },
  ],
};

describe("ledger: people and PR events", () => {
  it("round-trips actor ids and the PR-level kinds", () => {
    expect(decodeLedger(encodeLedger(withPeople))).toEqual(withPeople);
  });

  it("still decodes a ledger written before ids (no actorId column) and writes id-less ledgers as before", () => {
    const old: Ledger = {
      version: 1,
      pr: 42,
      events: [
        {
          kind: "signoff",
          actor: "sam",
          role: "security",
          gate: "security",
          item: "waf",
          sha: SHA,
          at: "2026-11-25T10:00:00.000Z",
          method: "tick",
        },
      ],
    };
    // The v1 block an earlier Gatehouse wrote for this ledger.
    const wire = {
      pr: 42,
      strings: ["sam", "security", "waf", SHA],
      kind: "s",
      method: "t",
      actor: [0],
      role: [1],
      gate: [1],
      item: [2],
      sha: [3],
      at: [Date.parse("2026-11-25T10:00:00.000Z")],
      extra: [],
    };
    const block = `<!-- gatehouse-ledger:v1:json:${Buffer.from(JSON.stringify(wire)).toString("base64url")} -->`;
    expect(decodeLedger(block)).toEqual(old);
    const [, enc, payload] = /v1:(json|gz):([\w-]+)/.exec(encodeLedger(old))!;
    const bytes = Buffer.from(payload!, "base64url");
    expect(JSON.parse((enc === "gz" ? inflateSync(bytes) : bytes).toString("utf8"))).toEqual(wire);
  });

  it("refuses a gate event without a gate", () => {
    const bad: Ledger = { ...withPeople, events: [{ ...withPeople.events[0]!, gate: "" }] };
    expect(() => encodeLedger(bad)).toThrow(/a gate event needs a gate/);
  });

  it("PR events sign, revoke and invalidate nothing", () => {
    const state = replayLedger(launchChecklist, withPeople.events.slice(0, 4));
    expect(state.get("security")?.get("waf")?.signoff?.actor).toBe("sam");
  });

  it("renders ids and PR events in the ledger table, escaped", () => {
    const rows = ledgerTableRows(withPeople).join("\n");
    expect(rows).toContain("(id 583231)");
    expect(rows).toContain("⬆️ pushed | (whole PR)");
    expect(rows).toContain("🏷️ label removal reverted");
    expect(rows).not.toContain("<script>");
    expect(rows).not.toContain("<b>");
    expect(rows.split("\n").every((row) => row.split(/(?<!\\)\|/).length === 9)).toBe(true);
  });
});
