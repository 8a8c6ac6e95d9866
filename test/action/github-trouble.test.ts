import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RETRY_LIMITS } from "../../action/retry-limits.js";
import { examplePayload, signoffs } from "../fixtures/gate-api.js";
import { mountStandIn } from "../support/nock-stand-in.js";
import { SeededFaults } from "../support/seeded-faults.js";
import type { GitHubStandIn, StandInRequest } from "../support/github-stand-in.js";
import { GATE_HEAD, GATE_REPO, gateStandIn, reads } from "./gate-stand-in.js";
import { prepareRunner, runAction } from "./runner.js";

// GitHub's bad moments: 502s and rate limits are waited out within fixed bounds; past them the
// step fails as "could not decide" (result=error) with what to do, never as a pass and never as
// a list of pending gates. Waits are scaled to a millisecond per second (runner.ts).

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function onPullRequest(github: GitHubStandIn) {
  prepareRunner({ eventName: "pull_request", payload: examplePayload("pull_request", (p) => p.action === "opened") });
  mountStandIn(github);
}

const served = (github: GitHubStandIn, match: (req: StandInRequest) => boolean) =>
  github.log.filter((r) => match({ ...r, headers: {} })).length;

describe("waiting out GitHub's bad moments", () => {
  it("decides despite 502s on a third of the requests", async () => {
    const github = gateStandIn();
    const faults = new SeededFaults(github, { badGatewayShare: 0.34, seed: 7, maxConsecutive: RETRY_LIMITS.serverErrorRetries });
    onPullRequest(github);

    const result = await runAction();

    expect(faults.injected.filter((f) => f.status === 502).length).toBeGreaterThan(0);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ approved: "true", result: "approved" });
  });

  it("waits out a secondary rate limit for GitHub's retry-after", async () => {
    const github = gateStandIn();
    const faults = new SeededFaults(github, { badGatewayShare: 0, seed: 1 });
    faults.secondaryRateLimitNext(reads.checkRuns, 30);
    onPullRequest(github);

    const result = await runAction();

    expect(faults.pendingRateLimits).toBe(0);
    expect(served(github, reads.checkRuns)).toBe(2);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ approved: "true", result: "approved" });
    expect(result.log).toContain(`GitHub's secondary rate limit stopped GET /repos/${GATE_REPO}/commits/${GATE_HEAD}/check-runs`);
    expect(result.log).toContain("retrying in 30 s (retry 1 of at most 2)");
  });

  it("tells pending gates (result=pending) apart from an error", async () => {
    const github = gateStandIn(signoffs({ sha: GATE_HEAD, gates: ["security"] }));
    onPullRequest(github);

    const result = await runAction();

    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ approved: "false", result: "pending" });
    expect(JSON.parse(result.outputs["pending-gates"]!).length).toBeGreaterThan(0);
    expect(result.failure).toContain("is not approved");
    expect(result.failure).not.toContain("could not decide");
  });
});

describe("could not decide (result=error)", () => {
  it("fails after a bounded number of retries when GitHub keeps answering 502", async () => {
    const github = gateStandIn();
    new SeededFaults(github, { badGatewayShare: 1, seed: 1, eligible: reads.pull });
    onPullRequest(github);

    const result = await runAction();

    expect(served(github, reads.pull)).toBe(1 + RETRY_LIMITS.serverErrorRetries);
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ approved: "false", result: "error" });
    expect(result.outputs["pending-gates"]).toBeUndefined();
    expect(result.failure).toBe(
      "Gatehouse could not decide whether the release is approved, so the step fails (fail closed).\n" +
        `GitHub answered GET /repos/${GATE_REPO}/pulls/2 with 502, also after 3 retries: an error on GitHub's side, not a verdict on the release.\n` +
        "What to do: re-run the job. If it keeps failing, check https://www.githubstatus.com.",
    );
  });

  it("does not wait a retry-after longer than the bound, and says so instead of GitHub's raw text", async () => {
    const github = gateStandIn();
    const faults = new SeededFaults(github, { badGatewayShare: 0, seed: 1 });
    faults.secondaryRateLimitNext(reads.pull, 3600);
    onPullRequest(github);

    const result = await runAction();

    expect(served(github, reads.pull)).toBe(1);
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ approved: "false", result: "error" });
    expect(result.failure).toContain("Gatehouse could not decide");
    expect(result.failure).toContain(`GitHub's secondary rate limit stopped GET /repos/${GATE_REPO}/pulls/2 (403).`);
    expect(result.failure).toContain(
      "Gatehouse stopped waiting because GitHub asked to wait 3600 s, longer than the 60 s the Action waits at once.",
    );
    expect(result.failure).toContain("What to do: re-run the job in a few minutes.");
    expect(result.failure).not.toContain("You have exceeded a secondary rate limit");
  });

  it("retries one request at most twice for rate limits", async () => {
    const github = gateStandIn();
    const faults = new SeededFaults(github, { badGatewayShare: 0, seed: 1 });
    for (let n = 0; n < 3; n++) faults.secondaryRateLimitNext(reads.checkRuns, 1);
    onPullRequest(github);

    const result = await runAction();

    expect(served(github, reads.checkRuns)).toBe(1 + RETRY_LIMITS.rateLimitRetries);
    expect(result.outputs.result).toBe("error");
    expect(result.failure).toContain("because the request was already retried 2 times (the Action retries at most 2).");
  });

  it("waits at most the run's budget for rate limits over all requests", async () => {
    const github = gateStandIn();
    const faults = new SeededFaults(github, { badGatewayShare: 0, seed: 1 });
    faults.secondaryRateLimitNext(reads.config, 60);
    faults.secondaryRateLimitNext(reads.pull, 60);
    faults.secondaryRateLimitNext(reads.checkRuns, 60);
    onPullRequest(github);

    const result = await runAction();

    expect(faults.pendingRateLimits).toBe(0);
    expect(served(github, reads.checkRuns)).toBe(1);
    expect(result.outputs.result).toBe("error");
    expect(result.failure).toContain("because the run had already waited 120 s for rate limits and waits at most 120 s in all.");
  });

  it("points at the token's permissions when GitHub refuses a read", async () => {
    const github = gateStandIn();
    github.fault = (req) =>
      reads.checkRuns(req) ? { status: 403, body: { message: "Resource not accessible by integration" } } : undefined;
    onPullRequest(github);

    const result = await runAction();

    expect(served(github, reads.checkRuns)).toBe(1);
    expect(result.outputs).toMatchObject({ approved: "false", result: "error" });
    expect(result.failure).toContain(
      `GitHub refused GET /repos/${GATE_REPO}/commits/${GATE_HEAD}/check-runs (403). GitHub said: "Resource not accessible by integration".`,
    );
    expect(result.failure).toContain("What to do: check the token's permissions.");
    expect(result.failure).toContain("contents: read, pull-requests: read and checks: read");
  });
});
