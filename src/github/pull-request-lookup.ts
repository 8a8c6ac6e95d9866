import type { GitHubClient, RepoRef } from "./client.js";
import { pullRequestInfo, type PullRequestInfo } from "./pull-requests.js";
import { responseText } from "./response-text.js";

/** A pull request found for a commit, and how it was found (for logs and messages). */
export interface PullRequestMatch {
  number: number;
  /** Set when the commit is the PR's head: that commit, not a later head, is what was released. */
  headSha?: string;
  via: string;
}

/**
 * The pull request that brought `sha`: the merged PR whose `merge_commit_sha` is `sha` (merge,
 * squash and rebase merges all set it), or else the PR whose head is `sha`. Returns undefined
 * when no PR qualifies, and throws when several do, so a release never borrows another PR's
 * approval by guesswork.
 */
export async function pullRequestForCommit(gh: GitHubClient, repo: RepoRef, sha: string): Promise<PullRequestMatch | undefined> {
  return (await commitPullRequests(gh, repo, sha)).match;
}

/**
 * `pullRequestForCommit`, plus the open PRs that merely contain `sha` (an earlier commit of their
 * branch), so a refusal can say whose earlier head it is. Same single call.
 */
export async function commitPullRequests(
  gh: GitHubClient,
  repo: RepoRef,
  sha: string,
): Promise<{ match?: PullRequestMatch; containing: { number: number; headSha: string }[] }> {
  const { data } = await gh.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha, per_page: 100 });
  const containing = data
    .filter((pr) => pr.state === "open" && pr.head.sha !== sha)
    .map((pr) => ({ number: pr.number, headSha: pr.head.sha }));
  const match = matchOf(data, sha);
  return match ? { match, containing } : { containing };
}

function matchOf(
  data: { number: number; merged_at: string | null; merge_commit_sha: string | null; head: { sha: string } }[],
  sha: string,
): PullRequestMatch | undefined {
  const merged = data.filter((pr) => pr.merged_at && pr.merge_commit_sha === sha);
  const head = data.filter((pr) => pr.head.sha === sha);
  const short = sha.slice(0, 7);
  const candidates = [
    { matches: merged, via: `merged as ${short}`, role: "merge commit", headSha: undefined },
    { matches: head, via: `head commit ${short}`, role: "head", headSha: sha },
  ];
  for (const { matches, via, role, headSha } of candidates) {
    if (matches.length === 1) return { number: matches[0]!.number, headSha, via };
    if (matches.length > 1) {
      const numbers = matches.map((pr) => `#${pr.number}`).join(", ");
      throw new Error(
        `Commit ${short} is the ${role} of several pull requests (${numbers}). Set the 'pull-request' input to the release PR.`,
      );
    }
  }
  return undefined;
}

/**
 * The commit SHA a branch, tag or SHA points to. Tags are peeled to their commit, so annotated
 * tags work too. Pass tags as `tags/<name>` to avoid a branch of the same name.
 */
export async function commitOfRef(gh: GitHubClient, repo: RepoRef, ref: string): Promise<string> {
  // The "sha" media type answers with the bare commit SHA instead of the whole commit and diff.
  const { data } = await gh.rest.repos.getCommit({ ...repo, ref, mediaType: { format: "sha" } });
  const sha = (responseText(data) ?? "").trim();
  if (!/^[0-9a-f]{40}$/i.test(sha)) throw new Error(`GitHub did not return a commit SHA for '${ref}'.`);
  return sha.toLowerCase();
}

/** A PR with the commit it merged as: what a deployed commit is checked against. */
export interface ReleasePullRequest extends PullRequestInfo {
  mergeCommitSha: string | null;
}

/**
 * The PR by number, with `mergeCommitSha` set only once it is merged: an open PR's
 * merge_commit_sha is GitHub's test merge, which nobody approved.
 */
export async function getReleasePullRequest(gh: GitHubClient, repo: RepoRef, number: number): Promise<ReleasePullRequest> {
  const { data } = await gh.rest.pulls.get({ ...repo, pull_number: number });
  const pr = pullRequestInfo(data);
  return { ...pr, mergeCommitSha: pr.merged ? (data.merge_commit_sha ?? null) : null };
}
