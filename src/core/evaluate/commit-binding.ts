/** The commits a release PR's sign-offs can stand for. */
export interface ReleaseCommits {
  number: number;
  /** The PR's current head: the commit its newest ledger was written for. */
  headSha: string;
  merged: boolean;
  /** For a merged PR, the commit it merged as (merge, squash or the last rebased commit). */
  mergeCommitSha: string | null;
}

export type CommitBinding =
  | { bound: true; approvedAt: string; as: "head" | "merge commit" }
  | { bound: false; approvedAt: string; reason: string };

/**
 * Whether `sha` is a commit the PR's verdict at `approvedAt` speaks for: that head itself, or the
 * commit a merged PR became, when `approvedAt` is its final head. Sign-offs hold for one commit:
 * an earlier head, a later commit of the branch or an unrelated ref is never covered.
 */
export function bindCommit(pr: ReleaseCommits, sha: string, approvedAt: string = pr.headSha): CommitBinding {
  const want = sha.toLowerCase();
  if (want === approvedAt.toLowerCase()) return { bound: true, approvedAt, as: "head" };
  const finalHead = approvedAt.toLowerCase() === pr.headSha.toLowerCase();
  if (pr.merged && finalHead && pr.mergeCommitSha && want === pr.mergeCommitSha.toLowerCase()) {
    return { bound: true, approvedAt, as: "merge commit" };
  }
  const covers =
    pr.merged && finalHead && pr.mergeCommitSha
      ? `${short(approvedAt)} and the commit it merged as, ${short(pr.mergeCommitSha)}`
      : short(approvedAt);
  return {
    bound: false,
    approvedAt,
    reason: `#${pr.number}'s sign-offs hold for ${covers}, not for ${short(sha)}`,
  };
}

export function short(sha: string): string {
  return sha.slice(0, 7);
}
