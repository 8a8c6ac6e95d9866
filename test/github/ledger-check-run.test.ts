import { Octokit } from "@octokit/rest";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LedgerCorruptError } from "../../src/core/ledger/ledger-codec.js";
import { CHECK_NAME, findLedgerCheckRun } from "../../src/github/ledger-check-run.js";
import { APP_ID, checkRunJson, githubApi, ledger, signoffs } from "../fixtures/gate-api.js";

const REPO = "acme/api";
const repo = { owner: "acme", repo: "api" };
const SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const gh = new Octokit({ auth: "ghs_test" });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe("findLedgerCheckRun", () => {
  it("reads the ledger from the trusted app's newest run and sets other apps' runs aside", async () => {
    const older = checkRunJson(REPO, { id: 100, headSha: SHA, ledger: ledger(7, []) });
    const newer = checkRunJson(REPO, { id: 200, headSha: SHA, ledger: ledger(7, signoffs({ sha: SHA, gates: ["security"] })) });
    const forged = checkRunJson(REPO, { id: 300, headSha: SHA, app: "github-actions", ledger: ledger(7, signoffs({ sha: SHA })) });
    const api = githubApi(REPO).checkRuns(SHA, [older, forged, newer]);

    const found = await findLedgerCheckRun(gh, repo, { ref: SHA, appId: APP_ID });

    api.scope.done();
    expect(found.trusted?.id).toBe(200);
    expect(found.forged.map((run) => run.id)).toEqual([300]);
    expect(found.ledger?.events.map((e) => e.gate)).toEqual(signoffs({ sha: SHA, gates: ["security"] }).map((e) => e.gate));
  });

  it("reads the newest run when the App wrote a second one on the same commit: an older success is superseded", async () => {
    const older = { ...checkRunJson(REPO, { id: 100, headSha: SHA, ledger: ledger(7, signoffs({ sha: SHA })) }), conclusion: "success" };
    const newer = { ...checkRunJson(REPO, { id: 200, headSha: SHA, ledger: ledger(7, []) }), conclusion: "action_required" };
    // GitHub lists newest first, but the order is not relied on.
    const api = githubApi(REPO).checkRuns(SHA, [older, newer]);

    const found = await findLedgerCheckRun(gh, repo, { ref: SHA, appId: APP_ID, pr: 7 });

    api.scope.done();
    expect(found.trusted?.id).toBe(200);
    expect(found.ledger?.events).toEqual([]);
  });

  it("never trusts a run without an app", async () => {
    const anonymous = { ...checkRunJson(REPO, { id: 5, headSha: SHA, ledger: ledger(7, signoffs({ sha: SHA })) }), app: null };
    const api = githubApi(REPO).checkRuns(SHA, [anonymous]);

    const found = await findLedgerCheckRun(gh, repo, { ref: SHA, appId: APP_ID });

    api.scope.done();
    expect(found.trusted).toBeUndefined();
    expect(found.ledger).toBeUndefined();
    expect(found.forged).toHaveLength(1);
  });

  it("returns the trusted run without a ledger while it holds no block", async () => {
    const api = githubApi(REPO).checkRuns(SHA, [checkRunJson(REPO, { id: 9, headSha: SHA })]);

    const found = await findLedgerCheckRun(gh, repo, { ref: SHA, appId: APP_ID, name: CHECK_NAME });

    api.scope.done();
    expect(found.trusted?.id).toBe(9);
    expect(found.ledger).toBeUndefined();
  });

  it("throws on a corrupt block instead of returning an empty ledger", async () => {
    const corrupt = checkRunJson(REPO, { id: 9, headSha: SHA, text: "<!-- gatehouse-ledger:v1:json:e30 -->" });
    const api = githubApi(REPO).checkRuns(SHA, [corrupt]);

    await expect(findLedgerCheckRun(gh, repo, { ref: SHA, appId: APP_ID })).rejects.toThrow(LedgerCorruptError);
    api.scope.done();
  });

  it("skips a run whose ledger belongs to another PR sharing the head commit", async () => {
    const other = checkRunJson(REPO, { id: 200, headSha: SHA, ledger: ledger(8, signoffs({ sha: SHA })) });
    const mine = checkRunJson(REPO, { id: 100, headSha: SHA, ledger: ledger(7, []) });
    const api = githubApi(REPO).checkRuns(SHA, [other, mine]);

    const found = await findLedgerCheckRun(gh, repo, { ref: SHA, appId: APP_ID, pr: 7 });

    api.scope.done();
    expect(found.trusted?.id).toBe(100);
    expect(found.ledger?.pr).toBe(7);
  });
});
