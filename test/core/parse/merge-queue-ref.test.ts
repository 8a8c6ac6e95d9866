import { describe, expect, it } from "vitest";
import { mergeQueuePullRequest } from "../../../src/core/parse/merge-queue-ref.js";

describe("mergeQueuePullRequest", () => {
  it("reads the PR number of a merge queue branch, with or without refs/heads/", () => {
    expect(mergeQueuePullRequest("refs/heads/gh-readonly-queue/main/pr-12-0123abcd")).toBe(12);
    expect(mergeQueuePullRequest("gh-readonly-queue/release/v2/pr-7-ff")).toBe(7);
  });

  it("refuses other refs", () => {
    for (const ref of ["refs/heads/main", "gh-readonly-queue/pr-1-ab", "gh-readonly-queue//pr-1-ab", "xgh-readonly-queue/main/pr-1-ab", "gh-readonly-queue/main/pr-1-xyz", "gh-readonly-queue/main/pr-1-ab/x", "gh-readonly-queue/main/pr--ab"]) {
      expect(mergeQueuePullRequest(ref), ref).toBeUndefined();
    }
  });
});
