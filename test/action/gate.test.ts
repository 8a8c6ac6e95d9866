import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { API, APP_ID, checkRunJson, examplePayload, githubApi, ledger, pullJson, signoffs, SIGNERS } from "../fixtures/gate-api.js";
import { RETRY_LIMITS } from "../../action/retry-limits.js";
import { fakeClock, prepareRunner, runAction } from "./runner.js";

// The gate's decisions on a pull_request run of PR #2: what passes, what fails and what the
// people reading the run see.

const REPO = "Codertocat/Hello-World";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const PR_URL = `https://github.com/${REPO}/pull/2`;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function onPullRequest(inputs: Record<string, string> = {}) {
  prepareRunner({ eventName: "pull_request", payload: examplePayload("pull_request", (p) => p.action === "opened"), inputs });
}

const pr = () => pullJson(REPO, { number: 2, headSha: HEAD });
const trusted = (events = signoffs({ sha: HEAD }), id = 501) => checkRunJson(REPO, { id, headSha: HEAD, ledger: ledger(2, events) });

describe("deciding now (wait-minutes 0)", () => {
  it("passes with outputs, a job summary and the sign-offs that count", async () => {
    onPullRequest();
    const api = githubApi(REPO).config().pull(pr()).checkRuns(HEAD, [trusted()]);

    const result = await runAction();

    expect(result.exitCode).toBe(0);
    api.scope.done();
    expect(result.outputs).toMatchObject({ approved: "true", result: "approved" });
    expect(JSON.parse(result.outputs["pending-gates"]!)).toEqual([]);
    const signed = JSON.parse(result.outputs.signoffs!) as {
      gate: string;
      item: string;
      actor: string;
      sha: string;
      at: string;
      url?: string;
    }[];
    expect(signed.length).toBe(signoffs({ sha: HEAD }).length);
    expect(signed).toContainEqual(
      expect.objectContaining({ gate: "security", actor: SIGNERS.security, sha: HEAD, at: "2026-11-24T15:00:00Z" }),
    );
    expect(result.summary).toContain(PR_URL);
    expect(result.summary).toContain(SIGNERS.security);
  });

  it("fails naming each pending gate, its owners and the PR, with an annotation per gate", async () => {
    onPullRequest();
    const api = githubApi(REPO)
      .config()
      .pull(pr())
      .checkRuns(HEAD, [trusted(signoffs({ sha: HEAD, gates: ["security", "infrastructure"] }))]);

    const result = await runAction();

    expect(result.exitCode).toBe(1);
    api.scope.done();
    expect(result.outputs).toMatchObject({ approved: "false", "pull-request": "2", "head-sha": HEAD });
    const pending = JSON.parse(result.outputs["pending-gates"]!) as { gate: string; owners: string[] }[];
    expect(pending.map((g) => g.gate).sort()).toEqual(["compliance", "operations", "support"]);
    expect(pending.find((g) => g.gate === "compliance")?.owners).toEqual([`@${SIGNERS.compliance}`]);
    expect(result.failure).toContain("PR #2");
    expect(result.failure).toContain(`@${SIGNERS.compliance}`);
    expect(result.failure).toContain(`Owners sign off in ${PR_URL}`);
    expect(result.annotations.filter((a) => a.title?.startsWith("Gatehouse: gate")).map((a) => a.title)).toEqual(
      expect.arrayContaining([
        "Gatehouse: gate 'compliance' pending",
        "Gatehouse: gate 'operations' pending",
        "Gatehouse: gate 'support' pending",
      ]),
    );
    expect(result.summary).toContain(PR_URL);
  });

  it("is pending, not approved, while the App's check run holds no ledger yet", async () => {
    onPullRequest();
    const api = githubApi(REPO)
      .config()
      .pull(pr())
      .checkRuns(HEAD, [checkRunJson(REPO, { id: 501, headSha: HEAD })]);

    const result = await runAction();

    expect(result.exitCode).toBe(1);
    api.scope.done();
    expect(result.outputs.approved).toBe("false");
    expect(JSON.parse(result.outputs.signoffs!)).toEqual([]);
    expect(JSON.parse(result.outputs["pending-gates"]!)).toHaveLength(5);
  });

  it("fails with a clear error when the ledger block is corrupt, never reading it as empty", async () => {
    onPullRequest();
    const corrupt = checkRunJson(REPO, {
      id: 501,
      headSha: HEAD,
      text: "### Ledger\n\n<!-- gatehouse-ledger:v1:json:%%%not-base64%%% -->",
    });
    const api = githubApi(REPO).config().pull(pr()).checkRuns(HEAD, [corrupt]);

    const result = await runAction();

    expect(result.exitCode).toBe(1);
    api.scope.done();
    expect(result.outputs).toMatchObject({ approved: "false", result: "error" });
    expect(result.failure).toMatch(/corrupt ledger block/);
    expect(result.failure).toContain("never reads a corrupt ledger as empty");
  });

  it("only requires the gates in the gates input (a staging deploy)", async () => {
    onPullRequest({ gates: "security" });
    const api = githubApi(REPO)
      .config()
      .pull(pr())
      .checkRuns(HEAD, [trusted(signoffs({ sha: HEAD, gates: ["security"] }))]);

    const result = await runAction();

    expect(result.exitCode).toBe(0);
    api.scope.done();
    expect(result.outputs.approved).toBe("true");
  });

  it("fails closed when no config exists in the repo or the org's .github repo", async () => {
    onPullRequest();
    const scope = nock(API)
      .get(`/repos/${REPO}/contents/.github%2Fgatehouse.yml`)
      .reply(404, { message: "Not Found" })
      .get("/repos/Codertocat/.github/contents/.github%2Fgatehouse.yml")
      .reply(404, { message: "Not Found" });

    const result = await runAction();

    expect(result.exitCode).toBe(1);
    scope.done();
    expect(result.outputs).toMatchObject({ approved: "false", "pull-request": "2" });
    expect(result.failure).toContain("no .github/gatehouse.yml in Codertocat/Hello-World or Codertocat/.github");
  });
});

describe("forged check runs", () => {
  it("ignores a same-name check run from another app and warns about it", async () => {
    onPullRequest();
    // A workflow with GITHUB_TOKEN posted "Gatehouse" with a ledger that approves everything.
    const forged = checkRunJson(REPO, { id: 777, headSha: HEAD, app: "github-actions", ledger: ledger(2, signoffs({ sha: HEAD })) });
    const api = githubApi(REPO)
      .config()
      .pull(pr())
      .checkRuns(HEAD, [forged, trusted(signoffs({ sha: HEAD, gates: ["security"] }))]);

    const result = await runAction();

    expect(result.exitCode).toBe(1);
    api.scope.done();
    expect(result.outputs.approved).toBe("false");
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        level: "warning",
        title: "Gatehouse: forged check run ignored",
        message: expect.stringContaining("forgery attempt"),
      }),
    );
    expect(result.annotations.find((a) => a.level === "warning")?.message).toContain("app 'github-actions' (id 15368)");
  });

  it("says so in the failure when only forged check runs exist", async () => {
    onPullRequest();
    const forged = checkRunJson(REPO, { id: 777, headSha: HEAD, app: "github-actions", ledger: ledger(2, signoffs({ sha: HEAD })) });
    const api = githubApi(REPO).config().pull(pr()).checkRuns(HEAD, [forged]);

    const result = await runAction();

    expect(result.exitCode).toBe(1);
    api.scope.done();
    expect(result.outputs.approved).toBe("false");
    expect(result.failure).toContain(`No Gatehouse check run from the Gatehouse App (id ${APP_ID}) on ${HEAD.slice(0, 7)}`);
    expect(result.failure).toContain(`Ignored 1 check run named "Gatehouse" created by app 'github-actions' (id 15368)`);
    expect(result.failure).toContain("forgery attempt");
  });

  it("trusts only the app-id given, even when that is the other app", async () => {
    onPullRequest({ "app-id": "15368" });
    const forged = checkRunJson(REPO, { id: 777, headSha: HEAD, app: "github-actions", ledger: ledger(2, signoffs({ sha: HEAD })) });
    const api = githubApi(REPO)
      .config()
      .pull(pr())
      .checkRuns(HEAD, [trusted([]), forged]);

    const result = await runAction();

    expect(result.exitCode).toBe(0);
    api.scope.done();
    expect(result.annotations.find((a) => a.level === "warning")?.message).toContain("app 'gatehouse' (id 90210)");
  });
});

describe("waiting (wait-minutes > 0)", () => {
  it("polls until the gates are approved", async () => {
    onPullRequest({ "wait-minutes": "10", "poll-seconds": "30" });
    const api = githubApi(REPO)
      .config()
      .pull(pr())
      .checkRuns(HEAD, [trusted(signoffs({ sha: HEAD, gates: ["security"] }))])
      .pull(pr())
      .checkRuns(HEAD, [trusted(signoffs({ sha: HEAD }), 502)]);
    const clock = fakeClock();

    const result = await runAction(clock);

    expect(result.exitCode).toBe(0);
    api.scope.done();
    expect(result.outputs.approved).toBe("true");
    expect(clock.sleeps).toEqual([30_000]);
    expect(result.log).toContain("Looking again in 30s");
  });

  it("keeps waiting through a GitHub server error", async () => {
    onPullRequest({ "wait-minutes": "5", "poll-seconds": "60" });
    const api = githubApi(REPO).config();
    // The client's own retries answered 502 too, so the Action looks again at the next poll.
    api.scope
      .get(`/repos/${REPO}/pulls/2`)
      .times(RETRY_LIMITS.serverErrorRetries + 1)
      .reply(502, { message: "Server Error" });
    api.pull(pr()).checkRuns(HEAD, [trusted()]);
    const clock = fakeClock();

    const result = await runAction(clock);

    expect(result.exitCode).toBe(0);
    api.scope.done();
    expect(clock.sleeps).toEqual([60_000]);
  });

  it("times out, failing with what is still pending", async () => {
    onPullRequest({ "wait-minutes": "1", "poll-seconds": "30" });
    const pending = trusted(signoffs({ sha: HEAD, gates: ["security"] }));
    const api = githubApi(REPO)
      .config()
      .pull(pr())
      .checkRuns(HEAD, [pending])
      .pull(pr())
      .checkRuns(HEAD, [pending])
      .pull(pr())
      .checkRuns(HEAD, [pending]);
    const clock = fakeClock();

    const result = await runAction(clock);

    expect(result.exitCode).toBe(1);
    api.scope.done();
    expect(clock.sleeps).toEqual([30_000, 30_000]);
    expect(result.outputs.approved).toBe("false");
    expect(result.failure).toContain("Still not approved after waiting 1 minute.");
    expect(result.failure).toContain("Pending gates:");
  });
});

describe("no release PR", () => {
  it("fails when no pull request merged the pushed commit", async () => {
    const payload = examplePayload("push", (p) => p.ref === "refs/heads/master");
    prepareRunner({ eventName: "push", payload, sha: payload.after });
    const api = githubApi(REPO).commitPulls(payload.after, []);

    const result = await runAction();

    expect(result.exitCode).toBe(1);
    api.scope.done();
    expect(result.outputs.approved).toBe("false");
    expect(result.outputs["pull-request"]).toBeUndefined();
    expect(result.failure).toBe(
      "No pull request was merged as commit 6113728 (from push of 6113728) or has it as its head. A release must come through a pull request that Gatehouse gates. If this run is for such a PR, set the 'pull-request' input (or 'sha' to the commit the PR merged as).",
    );
  });

  it("fails when a commit is the head of several pull requests, rather than guess", async () => {
    const payload = examplePayload("deployment");
    prepareRunner({ eventName: "deployment", payload });
    const sha = payload.deployment.sha as string;
    const api = githubApi(REPO).commitPulls(sha, [
      pullJson(REPO, { number: 5, headSha: sha }),
      pullJson(REPO, { number: 6, headSha: sha }),
    ]);

    const result = await runAction();

    expect(result.exitCode).toBe(1);
    api.scope.done();
    expect(result.failure).toContain("several pull requests (#5, #6)");
    expect(result.failure).toContain("Set the 'pull-request' input");
  });

  it("fails on an event that names no release", async () => {
    prepareRunner({ eventName: "schedule", payload: { schedule: "0 9 * * 1" }, repository: REPO, sha: HEAD });

    const result = await runAction();

    expect(result.exitCode).toBe(1);
    expect(result.failure).toContain("A 'schedule' event does not name a pull request or a release commit.");
  });
});

describe("invalid inputs", () => {
  it.each([
    [
      "app-id",
      "abc",
      "Invalid input 'app-id': 'abc'. Expected the numeric id of the Gatehouse App (Settings → Developer settings → GitHub Apps → App ID).",
    ],
    ["pull-request", "twelve", "Invalid input 'pull-request': 'twelve'."],
    ["wait-minutes", "-5", "Invalid input 'wait-minutes': '-5'."],
    ["gates", "Security!", "Invalid input 'gates': 'Security!'."],
  ])("names the input and the fix: %s=%s", async (name, value, message) => {
    onPullRequest({ [name]: value });

    const result = await runAction();

    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ approved: "false", result: "error" });
    expect(result.failure).toContain(message);
  });
});
