import { describe, expect, it } from "vitest";
import { deploymentState, environmentGates } from "../../../src/core/evaluate/deployment-gates.js";
import { evaluate } from "../../../src/core/evaluate/evaluate.js";
import type { LedgerEvent } from "../../../src/core/ledger/ledger.js";
import { launchChecklist, launchConfig, releasePr, signoff } from "../../fixtures/launch-checklist.js";

const config = launchConfig({ environments: { staging: ["security"], production: "all", preview: [] } });
const NOW = new Date("2026-11-27T12:00:00.000Z");
const judge = (environment: string, events: LedgerEvent[] = []) => {
  const selection = environmentGates(config, environment);
  const verdict = evaluate({
    checklist: launchChecklist,
    config,
    ledger: { version: 1, pr: 42, events },
    pr: releasePr,
    now: NOW,
    ...(selection.gates ? { gates: selection.gates } : {}),
  });
  return { selection, verdict, state: deploymentState(verdict) };
};
const securitySigned = [
  signoff("security", "waf"),
  signoff("security", "rate-limits"),
  signoff("security", "penetration-test", { url: "https://example.com/pentest.pdf", method: "command" }),
];

describe("environmentGates", () => {
  it("takes a listed environment's gates, or everything for all", () => {
    expect(environmentGates(config, "staging")).toEqual({
      gates: ["security"],
      key: "security",
      rule: "environments.staging lists security",
    });
    expect(environmentGates(config, "production")).toMatchObject({
      key: "*",
      rule: 'environments.production is "all": every required gate counts',
    });
    expect(environmentGates(config, "production").gates).toBeUndefined();
  });

  it("fails closed: an environment the config does not list requires every gate", () => {
    expect(environmentGates(config, "qa")).toEqual({
      key: "*",
      rule: 'environment "qa" is not listed in environments, so every required gate counts',
    });
    // Not an own property: inherited names never select a subset.
    expect(environmentGates(config, "constructor").gates).toBeUndefined();
  });
});

describe("deploymentState", () => {
  it("approves staging on the security sign-offs alone while production still waits", () => {
    expect(judge("staging", securitySigned).state).toBe("approved");
    expect(judge("production", securitySigned).state).toBe("pending");
    expect(judge("qa", securitySigned).state).toBe("pending");
    expect(judge("staging").state).toBe("pending");
  });

  it("rejects a selection nothing can approve instead of holding the run", () => {
    expect(judge("preview")).toMatchObject({ state: "rejected", verdict: { requiredGates: 0 } });
    const unknown = launchConfig({ environments: { staging: ["securty"] } });
    const selection = environmentGates(unknown, "staging");
    const verdict = evaluate({
      checklist: launchChecklist,
      config: unknown,
      ledger: { version: 1, pr: 42, events: [] },
      pr: releasePr,
      now: NOW,
      gates: selection.gates!,
    });
    expect(deploymentState(verdict)).toBe("rejected");
  });
});
