/** A merge queue branch is named gh-readonly-queue/<base>/pr-<number>-<sha>, with or without refs/heads/. */
const MERGE_QUEUE_REF = /(?:^|\/)gh-readonly-queue\/.+\/pr-([0-9]+)-[0-9a-f]+$/;

/** The number of the PR a merge group was made for, or undefined for any other ref. */
export function mergeQueuePullRequest(ref: string): number | undefined {
  const number = MERGE_QUEUE_REF.exec(ref)?.[1];
  return number === undefined ? undefined : Number(number);
}
