/** A merge queue branch is named gh-readonly-queue/<base>/pr-<number>-<sha>, with or without refs/heads/. */
const QUEUE_PREFIX = /(?:^|\/)gh-readonly-queue\//;
const PR_SEGMENT = /^pr-([0-9]+)-[0-9a-f]+$/;

/**
 * The number of the PR a merge group was made for, or undefined for any other ref. The last
 * segment is read on its own: one regex over the whole ref (`…queue\/.+\/pr-…$`) retries `.+`
 * from every `gh-readonly-queue/` in it, which is quadratic on a crafted ref.
 */
export function mergeQueuePullRequest(ref: string): number | undefined {
  const lastSlash = ref.lastIndexOf("/");
  const number = PR_SEGMENT.exec(ref.slice(lastSlash + 1))?.[1];
  const prefix = QUEUE_PREFIX.exec(ref);
  // The base branch between the prefix and the last segment is at least one character.
  if (number === undefined || !prefix || prefix.index + prefix[0].length >= lastSlash) return undefined;
  return Number(number);
}

/**
 * The PR a merge queue commit was made for, from the message GitHub writes: "Merge pull request
 * #N from …" (merge) or "<title> (#N)" (squash), where GitHub appends the number after the title,
 * so the last one on the first line is the PR's. Undefined for any other message.
 */
export function queuedPullRequestOfMessage(message: string): number | undefined {
  const first = message.split("\n", 1)[0]!.slice(0, 1_000);
  const number = /^Merge pull request #([0-9]+) from /.exec(first)?.[1] ?? /\(#([0-9]+)\)\s*$/.exec(first)?.[1];
  return number === undefined ? undefined : Number(number);
}
