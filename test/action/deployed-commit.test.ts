import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkRunJson, examplePayload, githubApi, ledger, pullJson, signoffs } from "../fixtures/gate-api.js";
import { fakeClock, prepareRunner, runAction } from "./runner.js";

// An approval holds for one commit. Whatever names the PR, the job passes only when the commit
// it deploys is the approved head or the commit that head merged as.

const OCTO = "octo-org/octo-repo";
/** PR #3: approved long ago at its head and merged. */
const OLD_HEAD = "929f8209d40f77f4abc622a499c93a83babdbe64";
const OLD_MERGE = "380387fbc80638b734a49e1be1c4dfec1c01b33c";
/** What `main` points to when the workflow is dispatched today. */
const DISPATCHED = "2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function approvedOldPr() {
  const pr = pullJson(OCTO, { number: 3, headSha: OLD_HEAD, merged: true, mergeCommitSha: OLD_MERGE });
  const api = githubApi(OCTO)
    .config()
    .pull(pr)
    .checkRuns(OLD_HEAD, [checkRunJson(OCTO, { id: 501, headSha: OLD_HEAD, ledger: ledger(3, signoffs({ sha: OLD_HEAD })) })]);
  return api;
}

function expectRefused(result: Awaited<ReturnType<typeof runAction>>) {
  expect(result.exitCode).toBe(1);
  expect(result.outputs).toMatchObject({ approved: "false", "pull-request": "3", "head-sha": OLD_HEAD, sha: DISPATCHED });
  expect(result.failure).toContain("Gatehouse approved PR #3 at 929f820 (merged as 380387f), but this job deploys 2ffea6d.");
  expect(result.failure).toContain("deploy 380387f, or gate the PR that brought 2ffea6d");
  expect(result.annotations).toContainEqual(expect.objectContaining({ level: "error", title: "Gatehouse: not the approved commit" }));
  expect(result.summary).toMatch(
    /^## Gatehouse: ⛔ Not the approved commit\n\nGatehouse approved PR \\#&#8203;3 at 929f820 \\\(merged as 380387f\\\), but this job deploys 2ffea6d\./,
  );
  expect(result.summary).toContain("### The PR's verdict at its head: ✅ Approved");
}

describe("the commit deployed must be the commit approved", () => {
  it("fails a workflow_dispatch of main whose 'pull-request' input names an old approved PR", async () => {
    prepareRunner({
      eventName: "workflow_dispatch",
      payload: examplePayload("workflow_dispatch"),
      sha: DISPATCHED,
      inputs: { "pull-request": "3" },
    });
    const api = approvedOldPr();
    expectRefused(await runAction());
    api.scope.done();
  });

  it("fails the same through the dispatch's own pull-request input, without waiting for sign-offs that cannot help", async () => {
    const payload = examplePayload("workflow_dispatch");
    payload.inputs = { "pull-request": "3" };
    prepareRunner({ eventName: "workflow_dispatch", payload, sha: DISPATCHED, inputs: { "wait-minutes": "30" } });
    const api = approvedOldPr();
    const clock = fakeClock();
    expectRefused(await runAction(clock));
    expect(clock.sleeps).toEqual([]);
    api.scope.done();
  });

  it("with 'pull-request', the 'sha' input names the commit deployed: the approved head passes", async () => {
    prepareRunner({
      eventName: "workflow_dispatch",
      payload: examplePayload("workflow_dispatch"),
      sha: DISPATCHED,
      inputs: { "pull-request": "3", sha: OLD_HEAD },
    });
    const api = approvedOldPr();
    const result = await runAction();
    expect(result.failure).toBeUndefined();
    expect(result.outputs).toMatchObject({ approved: "true", sha: OLD_HEAD });
    api.scope.done();
  });

  it("reads only the App's newest run on the approved head: a superseded approving run fails the job", async () => {
    prepareRunner({
      eventName: "workflow_dispatch",
      payload: examplePayload("workflow_dispatch"),
      sha: OLD_MERGE,
      inputs: { "pull-request": "3" },
    });
    const pr = pullJson(OCTO, { number: 3, headSha: OLD_HEAD, merged: true, mergeCommitSha: OLD_MERGE });
    const older = {
      ...checkRunJson(OCTO, { id: 501, headSha: OLD_HEAD, ledger: ledger(3, signoffs({ sha: OLD_HEAD })) }),
      conclusion: "success",
    };
    const newer = checkRunJson(OCTO, { id: 502, headSha: OLD_HEAD, ledger: ledger(3, []) });
    const api = githubApi(OCTO).config().pull(pr).checkRuns(OLD_HEAD, [older, newer]);
    const result = await runAction();
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ approved: "false", sha: OLD_MERGE });
    expect(result.failure).toContain(
      "PR #3 (https://github.com/octo-org/octo-repo/pull/3) is not approved: 0 of 5 required gates approved",
    );
    api.scope.done();
  });

  it("fails a merge group whose commit the App's check did not pass, though the named PR is approved", async () => {
    const payload = examplePayload("merge_group");
    const group = payload.merge_group.head_sha as string;
    prepareRunner({ eventName: "merge_group", payload, sha: group });
    const head = OLD_HEAD;
    const pr = pullJson(OCTO, { number: 104, headSha: head });
    const failed = {
      ...checkRunJson(OCTO, { id: 602, headSha: group }),
      conclusion: "failure",
      output: { title: "#101 is not approved", summary: "", text: "" },
    };
    const api = githubApi(OCTO)
      .config()
      .pull(pr)
      .checkRuns(head, [checkRunJson(OCTO, { id: 501, headSha: head, ledger: ledger(104, signoffs({ sha: head })) })])
      .checkRuns(group, [failed]);
    const result = await runAction();
    expect(result.exitCode).toBe(1);
    expect(result.outputs.approved).toBe("false");
    expect(result.failure).toContain(
      "The Gatehouse App's check on the merge group commit 2ffea6d, which also carries the PRs queued ahead of #104, concluded failure: #101 is not approved.",
    );
    api.scope.done();
  });
});
