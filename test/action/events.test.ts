import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkRunJson, examplePayload, githubApi, ledger, pullJson, signoffs } from "../fixtures/gate-api.js";
import { prepareRunner, runAction } from "./runner.js";

// Every event the Action can run on finds its release PR, reads the App's check run on the
// PR's head and passes when the ledger there approves every required gate.

const HELLO = "Codertocat/Hello-World";
const OCTO = "octo-org/octo-repo";
/** The head of PR #2 in the webhook examples. */
const PR_HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** The config, the PR and an approving check run on `headSha`, as the gate reads them. */
function approvedGate(api: ReturnType<typeof githubApi>, repo: string, pr: ReturnType<typeof pullJson>, headSha = pr.head.sha) {
  return api
    .config()
    .pull(pr)
    .checkRuns(headSha, [checkRunJson(repo, { id: 501, headSha, ledger: ledger(pr.number, signoffs({ sha: headSha })) })]);
}

async function expectApproved(api: ReturnType<typeof githubApi>, pr: number, headSha: string) {
  const result = await runAction();
  expect(result.failure).toBeUndefined();
  expect(result.exitCode).toBe(0);
  expect(result.outputs).toMatchObject({ approved: "true", "pull-request": String(pr), "head-sha": headSha });
  api.scope.done();
  return result;
}

describe("the release PR of each event", () => {
  it("pull_request: the PR itself, gated at the commit the run is for", async () => {
    const payload = examplePayload("pull_request", (p) => p.action === "opened");
    prepareRunner({ eventName: "pull_request", payload, sha: "a8d3f9b2c1e4a5d6b7c8d9e0f1a2b3c4d5e6f708" });
    // The PR has moved on since the event; the run still gates the head it was triggered for.
    const api = approvedGate(githubApi(HELLO), HELLO, pullJson(HELLO, { number: 2, headSha: "b".repeat(40) }), PR_HEAD);
    await expectApproved(api, 2, PR_HEAD);
  });

  it("pull_request_target: the PR itself", async () => {
    const payload = examplePayload("pull_request", (p) => p.action === "synchronize");
    prepareRunner({ eventName: "pull_request_target", payload });
    const head = payload.pull_request.head.sha as string;
    const api = approvedGate(githubApi(HELLO), HELLO, pullJson(HELLO, { number: payload.number, headSha: head }));
    await expectApproved(api, payload.number, head);
  });

  it("push of a merge commit: the PR that merged as that commit, read at the PR's head", async () => {
    const payload = examplePayload("push", (p) => p.ref === "refs/heads/master");
    const merge = payload.after as string;
    prepareRunner({ eventName: "push", payload, sha: merge });
    const pr = pullJson(HELLO, { number: 2, headSha: PR_HEAD, merged: true, mergeCommitSha: merge });
    const api = githubApi(HELLO).commitPulls(merge, [pr]);
    await expectApproved(approvedGate(api, HELLO, pr), 2, PR_HEAD);
  });

  it("push of a squash merge: picks the PR whose merge_commit_sha is the pushed commit", async () => {
    const payload = examplePayload("push", (p) => p.ref === "refs/heads/master");
    const squash = payload.after as string;
    prepareRunner({ eventName: "push", payload, sha: squash });
    const released = pullJson(HELLO, { number: 12, headSha: PR_HEAD, merged: true, mergeCommitSha: squash });
    // An earlier PR that GitHub also associates with the commit, merged as another commit.
    const earlier = pullJson(HELLO, { number: 9, headSha: "9".repeat(40), merged: true, mergeCommitSha: "8".repeat(40) });
    const api = githubApi(HELLO).commitPulls(squash, [earlier, released]);
    await expectApproved(approvedGate(api, HELLO, released), 12, PR_HEAD);
  });

  it("push of a rebase merge: the last rebased commit is the PR's merge_commit_sha", async () => {
    const payload = examplePayload("push", (p) => p.ref === "refs/heads/master");
    payload.after = "7f1c0a4e9d3b2a1908f7e6d5c4b3a2918f7e6d5c";
    prepareRunner({ eventName: "push", payload, sha: payload.after });
    const pr = pullJson(HELLO, { number: 14, headSha: PR_HEAD, merged: true, mergeCommitSha: payload.after });
    const api = githubApi(HELLO).commitPulls(payload.after, [pr]);
    await expectApproved(approvedGate(api, HELLO, pr), 14, PR_HEAD);
  });

  it("push of a tag: tag → commit → PR", async () => {
    const payload = examplePayload("push", (p) => p.ref === "refs/tags/simple-tag" && !p.deleted);
    prepareRunner({ eventName: "push", payload, sha: payload.after });
    const commit = "c4295bd74fb0f4fda03689c3df3f2803b658fd85";
    const pr = pullJson(HELLO, { number: 2, headSha: PR_HEAD, merged: true, mergeCommitSha: commit });
    const api = githubApi(HELLO).tagCommit("simple-tag", commit).commitPulls(commit, [pr]);
    await expectApproved(approvedGate(api, HELLO, pr), 2, PR_HEAD);
  });

  it("create of a tag: tag → commit → PR", async () => {
    const payload = examplePayload("create", (p) => p.ref_type === "tag");
    prepareRunner({ eventName: "create", payload });
    const commit = "c4295bd74fb0f4fda03689c3df3f2803b658fd85";
    const pr = pullJson(HELLO, { number: 2, headSha: PR_HEAD, merged: true, mergeCommitSha: commit });
    const api = githubApi(HELLO).tagCommit(payload.ref, commit).commitPulls(commit, [pr]);
    await expectApproved(approvedGate(api, HELLO, pr), 2, PR_HEAD);
  });

  it("release published: the release's tag → commit → PR", async () => {
    const payload = examplePayload("release", (p) => p.action === "published");
    prepareRunner({ eventName: "release", payload, sha: "c4295bd74fb0f4fda03689c3df3f2803b658fd85" });
    const commit = "c4295bd74fb0f4fda03689c3df3f2803b658fd85";
    const pr = pullJson(HELLO, { number: 2, headSha: PR_HEAD, merged: true, mergeCommitSha: commit });
    const api = githubApi(HELLO).tagCommit(payload.release.tag_name, commit).commitPulls(commit, [pr]);
    await expectApproved(approvedGate(api, HELLO, pr), 2, PR_HEAD);
  });

  it("workflow_dispatch with a pull-request input: that PR, when the dispatched commit is what it merged as", async () => {
    const payload = examplePayload("workflow_dispatch");
    payload.inputs = { "pull-request": "104", environment: "production" };
    const dispatched = "2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d";
    prepareRunner({ eventName: "workflow_dispatch", payload, sha: dispatched });
    const head = "929f8209d40f77f4abc622a499c93a83babdbe64";
    const api = approvedGate(
      githubApi(OCTO),
      OCTO,
      pullJson(OCTO, { number: 104, headSha: head, merged: true, mergeCommitSha: dispatched }),
    );
    const result = await expectApproved(api, 104, head);
    expect(result.outputs.sha).toBe(dispatched);
  });

  it("workflow_dispatch with a ref input: that ref → commit → PR", async () => {
    const payload = examplePayload("workflow_dispatch");
    payload.inputs = { ref: "v2.4.0" };
    prepareRunner({ eventName: "workflow_dispatch", payload, sha: "2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d" });
    const commit = "380387fbc80638b734a49e1be1c4dfec1c01b33c";
    const pr = pullJson(OCTO, { number: 104, headSha: "929f8209d40f77f4abc622a499c93a83babdbe64", merged: true, mergeCommitSha: commit });
    const api = githubApi(OCTO).refCommit("v2.4.0", commit).commitPulls(commit, [pr]);
    await expectApproved(approvedGate(api, OCTO, pr), 104, pr.head.sha);
  });

  it("workflow_dispatch on a release branch: the PR whose head is the dispatched commit", async () => {
    const payload = examplePayload("workflow_dispatch");
    const head = "2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d";
    prepareRunner({ eventName: "workflow_dispatch", payload, sha: head });
    const pr = pullJson(OCTO, { number: 104, headSha: head });
    const api = githubApi(OCTO).commitPulls(head, [pr]);
    await expectApproved(approvedGate(api, OCTO, pr), 104, head);
  });

  it("deployment: the PR that merged as the deployed commit", async () => {
    const payload = examplePayload("deployment");
    prepareRunner({ eventName: "deployment", payload, sha: payload.deployment.sha });
    const pr = pullJson(HELLO, { number: 2, headSha: PR_HEAD, merged: true, mergeCommitSha: payload.deployment.sha });
    const api = githubApi(HELLO).commitPulls(payload.deployment.sha, [pr]);
    await expectApproved(approvedGate(api, HELLO, pr), 2, PR_HEAD);
  });

  it("merge_group: the PR named by the merge queue branch, and the App's check on the group's commit", async () => {
    const payload = examplePayload("merge_group");
    const group = payload.merge_group.head_sha as string;
    prepareRunner({ eventName: "merge_group", payload, sha: group });
    const head = "929f8209d40f77f4abc622a499c93a83babdbe64";
    const api = approvedGate(githubApi(OCTO), OCTO, pullJson(OCTO, { number: 104, headSha: head })).checkRuns(group, [
      { ...checkRunJson(OCTO, { id: 601, headSha: group }), conclusion: "success" },
    ]);
    await expectApproved(api, 104, head);
  });

  it("workflow_run of a PR build: the run's pull request, at the run's commit", async () => {
    const payload = examplePayload("workflow_run", (p) => p.workflow_run.pull_requests.length > 0);
    // The example's run is a repository_dispatch; make it the build of its PR's head.
    payload.workflow_run.head_sha = PR_HEAD;
    payload.workflow_run.pull_requests[0].base.repo.id = payload.repository.id;
    prepareRunner({ eventName: "workflow_run", payload });
    const api = approvedGate(githubApi(OCTO), OCTO, pullJson(OCTO, { number: 2, headSha: PR_HEAD }));
    await expectApproved(api, 2, PR_HEAD);
  });

  it("workflow_run of a push build: the PR that merged as the run's commit", async () => {
    const payload = examplePayload("workflow_run", (p) => p.workflow_run.pull_requests.length === 0 && p.repository.full_name === HELLO);
    const commit = payload.workflow_run.head_sha as string;
    prepareRunner({ eventName: "workflow_run", payload });
    const pr = pullJson(HELLO, { number: 2, headSha: PR_HEAD, merged: true, mergeCommitSha: commit });
    const api = githubApi(HELLO).commitPulls(commit, [pr]);
    await expectApproved(approvedGate(api, HELLO, pr), 2, PR_HEAD);
  });

  it("the sha input overrides the event's commit", async () => {
    const payload = examplePayload("push", (p) => p.ref === "refs/heads/master");
    const chosen = "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e";
    prepareRunner({ eventName: "push", payload, sha: payload.after, inputs: { sha: chosen } });
    const pr = pullJson(HELLO, { number: 31, headSha: PR_HEAD, merged: true, mergeCommitSha: chosen });
    const api = githubApi(HELLO).commitPulls(chosen, [pr]);
    await expectApproved(approvedGate(api, HELLO, pr), 31, PR_HEAD);
  });
});
