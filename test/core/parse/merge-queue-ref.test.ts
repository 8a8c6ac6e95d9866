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
