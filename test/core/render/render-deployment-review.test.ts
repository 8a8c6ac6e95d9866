import { describe, expect, it } from "vitest";
import { ChecklistSchema } from "../../../src/core/config/checklist-schema.js";
import { deploymentState, environmentGates } from "../../../src/core/evaluate/deployment-gates.js";
import { evaluate } from "../../../src/core/evaluate/evaluate.js";
import { DEPLOYMENT_COMMENT_MAX_LENGTH, renderRefusal, renderVerdictReview } from "../../../src/core/render/render-deployment-review.js";
import { launchChecklist, launchConfig, releasePr, signoff } from "../../fixtures/launch-checklist.js";

const config = launchConfig({ environments: { production: "all" } });
const NOW = new Date("2026-11-27T12:00:00.000Z");
const securitySigned = [
  signoff("security", "waf"),
  signoff("security", "rate-limits"),
  signoff("security", "penetration-test", { url: "https://example.com/pentest.pdf", method: "command" }),
];
const judge = (environment: string, events = securitySigned) => {
  const selection = environmentGates(config, environment);
  const verdict = evaluate({ checklist: launchChecklist, config, ledger: { version: 1, pr: 42, events }, pr: releasePr, now: NOW });
  return { selection, verdict, state: deploymentState(verdict) };
};

describe("deployment review comments", () => {
  const pr = { number: 42, url: "https://github.com/acme/api/pull/42" };

  it("name what is missing, and who must sign, without notifying them", () => {
    const comment = renderVerdictReview({ environment: "production", ...judge("production", securitySigned), pr });
    expect(comment).toBe(
      [
        '⏳ Gatehouse is holding the deployment to **production**: [\\#&#8203;42](<https://github.com/acme/api/pull/42>) is not approved yet: 1 of 3 required gates approved; waiting for operations, compliance \\(environments.production is "all": every required gate counts\\).',
        "",
        "- Observability &amp; Operations: waiting for @&#8203;acme/sre, @&#8203;dana: 0 of 2 items signed",
        "- Compliance Readiness: waiting for @&#8203;acme/grc: 0 of 2 items signed",
        "",
        "Owners sign off in the PR's checklist comment; the deployment continues by itself once the last required sign-off lands.",
      ].join("\n"),
    );
  });

  it("never exceed GitHub's 1,024 characters, however many gates are missing", () => {
    const gates = Array.from({ length: 60 }, (_, g) => ({
      id: `gate-${g}`,
      title: `A rather long gate title number ${g} ${"x".repeat(60)}`,
      owner: "security",
      items: [{ id: "item", title: "Item" }],
    }));
    const big = ChecklistSchema.parse({ id: "big", title: "Big", gates });
    const bigConfig = launchConfig({ checklist: "big", environments: {} });
    const verdict = evaluate({ checklist: big, config: bigConfig, ledger: { version: 1, pr: 42, events: [] }, pr: releasePr, now: NOW });
    const comment = renderVerdictReview({
      environment: "e".repeat(500),
      state: "pending",
      verdict,
      selection: environmentGates(bigConfig, "prod"),
      pr,
    });
    expect(comment.length).toBeLessThanOrEqual(DEPLOYMENT_COMMENT_MAX_LENGTH);
    expect(comment).toMatch(/- …and \d+ more; see the checklist\n\nOwners sign off/);

    const refusal = renderRefusal(
      "prod",
      "the Gatehouse configuration is invalid",
      Array.from({ length: 50 }, (_, i) => `file.yml:${i}:1: ${"problem ".repeat(20)}`),
    );
    expect(refusal.length).toBeLessThanOrEqual(DEPLOYMENT_COMMENT_MAX_LENGTH);
    expect(refusal).toMatch(
      /^⛔ Gatehouse rejected the deployment to \*\*prod\*\*: the Gatehouse configuration is invalid\n\n- file\.yml:0:1:/,
    );
  });
});
