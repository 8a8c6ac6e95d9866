import { Octokit } from "@octokit/rest";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { commitOfRef, pullRequestForCommit } from "../../src/github/pull-request-lookup.js";
import { githubApi, pullJson } from "../fixtures/gate-api.js";

const REPO = "acme/api";
const repo = { owner: "acme", repo: "api" };
const SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
const gh = new Octokit({ auth: "ghs_test" });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe("pullRequestForCommit", () => {
  it("prefers the PR that merged as the commit over one whose head it is", async () => {
    const open = pullJson(REPO, { number: 3, headSha: SHA });
    const merged = pullJson(REPO, { number: 2, headSha: "e".repeat(40), merged: true, mergeCommitSha: SHA });
    const api = githubApi(REPO).commitPulls(SHA, [open, merged]);

    expect(await pullRequestForCommit(gh, repo, SHA)).toEqual({ number: 2, via: "merged as 6113728" });
    api.scope.done();
  });

  it("ignores an open PR's test merge commit", async () => {
    const open = pullJson(REPO, { number: 3, headSha: "e".repeat(40), mergeCommitSha: SHA });
    const api = githubApi(REPO).commitPulls(SHA, [open]);

    expect(await pullRequestForCommit(gh, repo, SHA)).toBeUndefined();
    api.scope.done();
  });

  it("falls back to the PR whose head is the commit, pinning that head", async () => {
    const api = githubApi(REPO).commitPulls(SHA, [pullJson(REPO, { number: 3, headSha: SHA })]);

    expect(await pullRequestForCommit(gh, repo, SHA)).toEqual({ number: 3, headSha: SHA, via: "head commit 6113728" });
    api.scope.done();
  });

  it("refuses to choose between several PRs", async () => {
    const a = pullJson(REPO, { number: 3, headSha: SHA });
    const b = pullJson(REPO, { number: 4, headSha: SHA });
    const api = githubApi(REPO).commitPulls(SHA, [a, b]);

    await expect(pullRequestForCommit(gh, repo, SHA)).rejects.toThrow("Commit 6113728 is the head of several pull requests (#3, #4)");
    api.scope.done();
  });
});

describe("commitOfRef", () => {
  it("peels a tag to its commit", async () => {
    const api = githubApi(REPO).tagCommit("v2.4.0", SHA);

    expect(await commitOfRef(gh, repo, "tags/v2.4.0")).toBe(SHA);
    api.scope.done();
  });
});
