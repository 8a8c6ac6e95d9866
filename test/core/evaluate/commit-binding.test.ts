import { describe, expect, it } from "vitest";
import { bindCommit } from "../../../src/core/evaluate/commit-binding.js";

const HEAD = "a".repeat(40);
const MERGE = "c".repeat(40);
const OTHER = "d".repeat(40);

describe("bindCommit", () => {
  const open = { number: 7, headSha: HEAD, merged: false, mergeCommitSha: null };
  const merged = { ...open, merged: true, mergeCommitSha: MERGE };

  it("covers the approved head and, once merged, the commit the PR merged as", () => {
    expect(bindCommit(open, HEAD)).toMatchObject({ bound: true, as: "head" });
    expect(bindCommit(merged, MERGE)).toMatchObject({ bound: true, as: "merge commit", approvedAt: HEAD });
    expect(bindCommit(merged, MERGE.toUpperCase())).toMatchObject({ bound: true });
  });

  it("covers nothing else, and says which commits it would cover", () => {
    expect(bindCommit(open, OTHER)).toEqual({ bound: false, approvedAt: HEAD, reason: "#7's sign-offs hold for aaaaaaa, not for ddddddd" });
    expect(bindCommit(merged, OTHER)).toMatchObject({
      bound: false,
      reason: "#7's sign-offs hold for aaaaaaa and the commit it merged as, ccccccc, not for ddddddd",
    });
  });

  it("never lends the merge commit to an earlier head's verdict", () => {
    const earlier = "e".repeat(40);
    expect(bindCommit(merged, MERGE, earlier)).toMatchObject({ bound: false, approvedAt: earlier });
    expect(bindCommit(merged, earlier, earlier)).toMatchObject({ bound: true, as: "head" });
  });
});
