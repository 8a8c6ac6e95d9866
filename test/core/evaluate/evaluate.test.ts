import { describe, expect, it } from "vitest";
import { evaluate, ownersOf, signableItems } from "../../../src/core/evaluate/evaluate.js";
import type { LedgerEvent } from "../../../src/core/ledger/ledger.js";
import type { Verdict } from "../../../src/core/evaluate/verdict.js";
import { HEAD, launchChecklist, launchConfig, releasePr, revoke, signoff } from "../../fixtures/launch-checklist.js";

const NOW = new Date("2026-11-27T12:00:00.000Z");
const PENTEST_URL = "https://example.com/pentest-2026.pdf";

function run(
  events: LedgerEvent[],
  options: { config?: Record<string, unknown>; gates?: string[]; now?: Date; author?: string } = {},
): Verdict {
  return evaluate({
    checklist: launchChecklist,
    config: launchConfig(options.config),
    ledger: { version: 1, pr: 42, events },
    pr: { ...releasePr, author: options.author ?? releasePr.author },
    now: options.now ?? NOW,
    ...(options.gates ? { gates: options.gates } : {}),
  });
}

const gate = (v: Verdict, id: string) => v.gates.find((g) => g.gate.id === id)!;
const item = (v: Verdict, gateId: string, itemId: string) => gate(v, gateId).items.find((i) => i.item.id === itemId)!;

/** Every required item of the three required gates, signed by people other than the author. */
const everythingSigned: LedgerEvent[] = [
  signoff("security", "waf"),
  signoff("security", "rate-limits"),
  signoff("security", "penetration-test", { url: PENTEST_URL, method: "command" }),
  signoff("operations", undefined, { actor: "dana", method: "button" }),
  signoff("compliance", "soc2", { actor: "erin" }),
  signoff("compliance", "dpia", { actor: "erin" }),
];

describe("evaluate: statuses and reasons", () => {
  it("is pending with nothing signed, and says who it waits for", () => {
    const v = run([]);
    expect(v.status).toBe("pending");
    expect(v.reason).toBe("0 of 3 required gates approved; waiting for security, operations, compliance");
    expect([v.approvedGates, v.requiredGates, v.headSha]).toEqual([0, 3, HEAD]);
    expect(gate(v, "security")).toMatchObject({
      status: "pending",
      required: true,
      owners: ["@acme/security"],
      reason: "waiting for @acme/security: 0 of 3 items signed",
    });
    expect(gate(v, "operations").reason).toBe("waiting for @acme/sre, @dana: 0 of 2 items signed");
    expect(item(v, "security", "waf")).toMatchObject({ status: "pending", required: true, reason: "not signed yet" });
    expect(item(v, "security", "penetration-test").reason).toBe(
      "not signed yet; needs a link: sign with /signoff security.penetration-test <URL>",
    );
    expect(item(v, "promotion", "uptime").reason).toBe(
      "not signed yet; needs uptime_percent >= 99.9: sign with /signoff promotion.uptime uptime_percent=<value>",
    );
  });

  it("approves when every required gate is approved, naming signer, date and commit", () => {
    const v = run(everythingSigned);
    expect(v.status).toBe("approved");
    expect(v.reason).toBe("all 3 required gates approved");
    expect(v.approvedGates).toBe(3);
    expect(item(v, "security", "waf")).toMatchObject({ status: "signed", reason: "signed by @alice on 2026-11-25 at abc1234" });
    expect(item(v, "security", "waf").signoff?.actor).toBe("alice");
    expect(item(v, "security", "penetration-test").reason).toBe("signed by @alice on 2026-11-25 at abc1234, valid until 2027-02-23");
    expect(gate(v, "security")).toMatchObject({ status: "approved", reason: "approved by @alice: 3 of 3 items signed" });
    // An optional item unsigned does not hold the gate back.
    expect(item(v, "security", "bug-bounty")).toMatchObject({ status: "pending", required: false });
    expect(gate(v, "promotion")).toMatchObject({
      status: "optional",
      required: false,
      reason: "optional: the checklist does not require it; 0 of 2 items signed",
    });
  });

  it("lets a gate-level sign-off cover every item that needs no evidence, but not evidence items", () => {
    const v = run([signoff("security", undefined, { method: "button" })]);
    for (const id of ["waf", "rate-limits", "bug-bounty"]) {
      expect(item(v, "security", id)).toMatchObject({ status: "signed", reason: "signed by @alice on 2026-11-25 at abc1234 (whole gate)" });
    }
    expect(item(v, "security", "penetration-test").status).toBe("pending");
    expect(gate(v, "security")).toMatchObject({ status: "pending", reason: "waiting for @acme/security: 2 of 3 items signed" });
  });

  it("asks for the link when an evidence item is signed without one", () => {
    const v = run([signoff("security", "penetration-test")]);
    expect(item(v, "security", "penetration-test")).toMatchObject({
      status: "evidence_missing",
      reason: "needs a link: sign with /signoff security.penetration-test <URL>",
    });
    expect(gate(v, "security").reason).toBe("waiting for @acme/security: 0 of 3 items signed (1 missing evidence)");
  });

  it("checks metric evidence against the threshold", () => {
    const metric = (metrics: Record<string, number> | undefined, id = "uptime") =>
      item(run([signoff("promotion", id, { actor: "dana", ...(metrics ? { metrics } : {}) })]), "promotion", id);
    expect(metric(undefined)).toMatchObject({
      status: "evidence_missing",
      reason: "needs uptime_percent: sign with /signoff promotion.uptime uptime_percent=<value>",
    });
    expect(metric({ latency_ms: 80 })).toMatchObject({ status: "evidence_missing" });
    expect(metric({ uptime_percent: 99.5 })).toMatchObject({
      status: "below_threshold",
      reason: "uptime_percent 99.5 is below uptime_percent >= 99.9",
    });
    expect(metric({ uptime_percent: 99.9 }).status).toBe("signed");
    expect(metric({ uptime_percent: 99.95 }).status).toBe("signed");
    expect(metric({ error_rate_percent: 3 }, "error-rate").reason).toBe("error_rate_percent 3 is above error_rate_percent < 2");
    expect(metric({ error_rate_percent: 2 }, "error-rate").reason).toBe("error_rate_percent 2 does not meet error_rate_percent < 2");
    expect(metric({ error_rate_percent: 1.2 }, "error-rate").status).toBe("signed");
  });

  it("reports a gate with no configured owners as waiting for owners nobody can be", () => {
    const v = run([], { config: { owners: { security: ["@acme/security"], compliance: ["@acme/grc"] } } });
    expect(gate(v, "operations").owners).toEqual([]);
    expect(gate(v, "operations").reason).toBe(
      "waiting for owners of role 'operations' (none configured: add owners.operations): 0 of 2 items signed",
    );
  });
});

describe("evaluate: revoke and invalidate", () => {
  it("clears one item on an item revoke, with who, when and why", () => {
    const v = run([...everythingSigned, revoke("security", "waf", { note: "WAF rules not deployed yet" })]);
    expect(item(v, "security", "waf")).toMatchObject({
      status: "pending",
      reason: "revoked by @carol on 2026-11-26: WAF rules not deployed yet",
    });
    expect(item(v, "security", "rate-limits").status).toBe("signed");
    expect(v.status).toBe("pending");
    expect(v.reason).toBe("2 of 3 required gates approved; waiting for security");
  });

  it("clears the whole gate, evidence items included, on a gate revoke", () => {
    const v = run([...everythingSigned, revoke("security")]);
    expect(gate(v, "security").items.map((i) => i.status)).toEqual(["pending", "pending", "pending", "pending"]);
    expect(item(v, "security", "penetration-test").reason).toBe("revoked by @carol on 2026-11-26");
  });

  it("counts a sign-off given again after a revoke", () => {
    const v = run([
      signoff("security", "waf"),
      revoke("security", "waf"),
      signoff("security", "waf", { actor: "frank", at: "2026-11-27T08:00:00.000Z" }),
    ]);
    expect(item(v, "security", "waf")).toMatchObject({ status: "signed", reason: "signed by @frank on 2026-11-27 at abc1234" });
  });

  it("shows invalidated items with the push's reason until they are signed again", () => {
    const invalidation: LedgerEvent = {
      kind: "invalidate",
      actor: "gatehouse[bot]",
      role: "security",
      gate: "security",
      sha: "fedcba9876543210fedcba9876543210fedcba98",
      at: "2026-11-26T10:00:00.000Z",
      method: "push",
      note: "invalidated by push fedcba9: src/auth/** changed (src/auth/login.ts)",
      files: ["src/auth/login.ts"],
    };
    const v = run([...everythingSigned, invalidation]);
    expect(item(v, "security", "waf")).toMatchObject({ status: "invalidated", reason: invalidation.note });
    // The item keeps the sign-off that no longer counts, so renderers can say whose it was.
    expect(item(v, "security", "waf").signoff?.actor).toBe("alice");
    // Never signed, so nothing to invalidate.
    expect(item(v, "security", "bug-bounty").status).toBe("pending");
    expect(gate(v, "security").invalidation).toEqual(invalidation);
    expect(gate(v, "security").reason).toBe("waiting for @acme/security: 0 of 3 items signed (3 invalidated)");
    expect(gate(v, "compliance").status).toBe("approved");

    const resigned = run([...everythingSigned, invalidation, signoff("security", "waf", { at: "2026-11-26T11:00:00.000Z" })]);
    expect(item(resigned, "security", "waf").status).toBe("signed");
    expect(item(resigned, "security", "rate-limits").status).toBe("invalidated");
  });
});

describe("evaluate: who may sign", () => {
  it("ignores the PR author's own sign-off unless allow_author is set", () => {
    const events = [signoff("security", "waf", { actor: "Bob" })];
    expect(item(run(events), "security", "waf")).toMatchObject({
      status: "pending",
      reason: "signed by @Bob, the PR's author, which does not count: someone else must sign (allow_author is off)",
    });
    expect(item(run(events, { config: { allow_author: true } }), "security", "waf").status).toBe("signed");
  });

  it("does not let the author's later sign-off replace a colleague's", () => {
    const v = run([signoff("security", "waf"), signoff("security", "waf", { actor: "bob", at: "2026-11-26T00:00:00.000Z" })]);
    expect(item(v, "security", "waf")).toMatchObject({ status: "signed", reason: "signed by @alice on 2026-11-25 at abc1234" });
  });

  it("ignores a sign-off made as a role that no longer owns the gate", () => {
    const v = run([signoff("security", "waf", { role: "operations" })]);
    expect(item(v, "security", "waf")).toMatchObject({ status: "pending" });
    expect(item(v, "security", "waf").reason).toMatch(/as operations, but the gate now belongs to security/);
  });

  it("skips events about gates or items the checklist no longer has", () => {
    const v = run([signoff("retired-gate", "x"), signoff("security", "retired-item"), ...everythingSigned]);
    expect(v.status).toBe("approved");
  });
});

describe("evaluate: expiry", () => {
  const pentest = [signoff("security", "penetration-test", { url: PENTEST_URL, at: "2026-05-03T10:00:00.000Z" })];

  it("still counts a sign-off at exactly the end of its validity", () => {
    const v = run(pentest, { now: new Date("2026-08-01T10:00:00.000Z") });
    expect(item(v, "security", "penetration-test")).toMatchObject({
      status: "signed",
      reason: "signed by @alice on 2026-05-03 at abc1234, valid until 2026-08-01",
    });
  });

  it("expires a sign-off one millisecond later, saying when and for how long it was valid", () => {
    const v = run(pentest, { now: new Date("2026-08-01T10:00:00.001Z") });
    expect(item(v, "security", "penetration-test")).toMatchObject({ status: "expired", reason: "expired on 2026-08-01 (valid 90d)" });
    expect(item(v, "security", "penetration-test").signoff?.at).toBe("2026-05-03T10:00:00.000Z");
    expect(gate(v, "security").reason).toBe("waiting for @acme/security: 0 of 3 items signed (1 expired)");
  });

  it("judges expiry at the given `now`, not the clock, so the same input gives the same verdict", () => {
    const input = () => run(pentest, { now: new Date("2030-01-01T00:00:00.000Z") });
    expect(item(input(), "security", "penetration-test").status).toBe("expired");
    expect(input()).toEqual(input());
  });
});

describe("evaluate: phases", () => {
  it("requires only the phase's gates; the others become optional with a reason", () => {
    const v = run([signoff("security", undefined), signoff("security", "penetration-test", { url: PENTEST_URL })], {
      config: { phase: "poc" },
    });
    expect(v.phase?.name).toBe("Proof of Concept");
    expect(v.status).toBe("approved");
    expect(v.reason).toBe("1 of 1 required gate approved");
    expect(gate(v, "compliance")).toMatchObject({
      status: "optional",
      required: false,
      reason: "optional: phase 'poc' does not require it; 0 of 2 items signed",
    });
    expect(item(v, "compliance", "soc2").required).toBe(false);
  });

  it("requires a phase's extra items, which makes their gate required for those items only", () => {
    const v = run(everythingSigned, { config: { phase: "production" } });
    expect(v.requiredGates).toBe(4);
    expect(gate(v, "promotion")).toMatchObject({
      required: true,
      status: "pending",
      reason: "waiting for @acme/sre, @dana: 0 of 1 item signed",
    });
    expect(item(v, "promotion", "uptime").required).toBe(true);
    expect(item(v, "promotion", "error-rate").required).toBe(false);
    expect(v.reason).toBe("3 of 4 required gates approved; waiting for promotion");

    const promoted = run([...everythingSigned, signoff("promotion", "uptime", { actor: "dana", metrics: { uptime_percent: 99.93 } })], {
      config: { phase: "production" },
    });
    expect(promoted.status).toBe("approved");
  });

  it("is an error when the configured phase does not exist, and still shows the gates", () => {
    const v = run(everythingSigned, { config: { phase: "general-availability" } });
    expect(v.status).toBe("error");
    expect(v.reason).toBe(`phase "general-availability" is not in checklist 'launch'; its phases are poc, production`);
    expect(v.phase).toBeUndefined();
    expect(gate(v, "security").status).toBe("approved");
  });

  it("is an error when a phase requires a gate or item the checklist lacks", () => {
    const broken = {
      ...launchChecklist,
      phases: [{ ...launchChecklist.phases[0]!, requires: { gates: ["security", "legal"], items: ["security.sbom"] } }],
    };
    const v = evaluate({
      checklist: broken,
      config: launchConfig({ phase: "poc" }),
      ledger: { version: 1, pr: 42, events: [] },
      pr: releasePr,
      now: NOW,
    });
    expect(v.status).toBe("error");
    expect(v.reason).toBe(`phase 'poc' requires unknown gate "legal"; phase 'poc' requires unknown item "security.sbom"`);
  });
});

describe("evaluate: a subset of gates", () => {
  it("counts only the selected gates as required", () => {
    const v = run([signoff("security", undefined), signoff("security", "penetration-test", { url: PENTEST_URL })], { gates: ["security"] });
    expect(v.status).toBe("approved");
    expect(v.requiredGates).toBe(1);
    expect(gate(v, "operations")).toMatchObject({
      status: "optional",
      reason: "optional: only security checked here; 0 of 2 items signed",
    });
  });

  it("requires a selected gate even when the checklist marks it optional", () => {
    const v = run([], { gates: ["promotion"] });
    expect(gate(v, "promotion")).toMatchObject({
      required: true,
      status: "pending",
      reason: "waiting for @acme/sre, @dana: 0 of 2 items signed",
    });
  });

  it("is an error when a selected gate does not exist", () => {
    const v = run(everythingSigned, { gates: ["security", "legal"] });
    expect(v.status).toBe("error");
    expect(v.reason).toBe(`unknown gate "legal" requested; checklist 'launch' has security, operations, compliance, promotion`);
  });

  it("never approves when nothing is required", () => {
    const v = run(everythingSigned, { gates: [] });
    expect(v.status).toBe("pending");
    expect(v.reason).toMatch(/^no gate is required, so nothing can approve this release/);
  });
});

describe("signableItems and ownersOf", () => {
  it("lists the items a tick could sign in the given gates, skipping evidence items and signed ones", () => {
    const v = run([signoff("security", "waf"), signoff("operations", "dashboards", { actor: "dana" })]);
    expect(signableItems(v, ["security", "promotion", "operations"])).toEqual([
      { gate: "security", item: "rate-limits" },
      { gate: "security", item: "bug-bounty" },
      { gate: "operations", item: "on-call" },
    ]);
    expect(signableItems(v, [])).toEqual([]);
  });

  it("includes expired and invalidated items, which need signing again", () => {
    const v = run([signoff("security", "waf"), { ...revoke("security"), kind: "invalidate", method: "push", note: "pushed" }]);
    expect(signableItems(v, ["security"])).toContainEqual({ gate: "security", item: "waf" });
  });

  it("returns a role's owners, and none for an unknown role", () => {
    const config = launchConfig();
    expect(ownersOf(config, "operations")).toEqual(["@acme/sre", "@dana"]);
    expect(ownersOf(config, "support")).toEqual([]);
    expect(ownersOf(config, "constructor")).toEqual([]);
  });
});
