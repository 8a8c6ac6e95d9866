import { describe, expect, it } from "vitest";
import { mergeQueuePullRequest, queuedPullRequestOfMessage } from "../../../src/core/parse/merge-queue-ref.js";

describe("merge queue refs and messages", () => {
  it("reads the PR from the queue branch", () => {
    expect(mergeQueuePullRequest("refs/heads/gh-readonly-queue/main/pr-104-929f8209d40f77f4abc622a499c93a83babdbe64")).toBe(104);
    expect(mergeQueuePullRequest("refs/heads/main")).toBeUndefined();
  });

  it("reads the PR from the message GitHub writes for a merge or a squash, the number GitHub appends winning", () => {
    expect(queuedPullRequestOfMessage("Merge pull request #2048 from octo-repo/update-readme\n\nUpdate README.md")).toBe(2048);
    expect(queuedPullRequestOfMessage("Fix login (#12) (#13)\n\n* commit (#99)")).toBe(13);
    expect(queuedPullRequestOfMessage("Direct change\n\n(#5)")).toBeUndefined();
    expect(queuedPullRequestOfMessage("See Merge pull request #5 from x")).toBeUndefined();
  });
});

describe("mergeQueuePullRequest", () => {
  it("reads the PR number of a merge queue branch, with or without refs/heads/", () => {
    expect(mergeQueuePullRequest("refs/heads/gh-readonly-queue/main/pr-12-0123abcd")).toBe(12);
    expect(mergeQueuePullRequest("gh-readonly-queue/release/v2/pr-7-ff")).toBe(7);
  });

  it("refuses other refs", () => {
    for (const ref of [
      "refs/heads/main",
      "gh-readonly-queue/pr-1-ab",
      "gh-readonly-queue//pr-1-ab",
      "xgh-readonly-queue/main/pr-1-ab",
      "gh-readonly-queue/main/pr-1-xyz",
      "gh-readonly-queue/main/pr-1-ab/x",
      "gh-readonly-queue/main/pr--ab",
    ]) {
      expect(mergeQueuePullRequest(ref), ref).toBeUndefined();
    }
  });
});
