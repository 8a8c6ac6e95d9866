import type { Comparison } from "../core/ledger/carry-over.js";
import type { PullRequestFacts } from "../core/evaluate/verdict.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { httpStatus } from "./http-error.js";
import { ANSWER_UNPARSED, jsonAnswer } from "./unparsed-answers.js";

export interface PullRequestInfo extends PullRequestFacts {
  state: "open" | "closed";
  merged: boolean;
  draft: boolean;
  htmlUrl: string;
  title: string;
}

interface PullLike {
  number: number;
  user: { login: string; id?: number } | null;
  head: { sha: string };
  base: { ref: string };
  labels: { name?: string }[];
  state: string;
  merged?: boolean | null;
  merged_at?: string | null;
  draft?: boolean;
  html_url: string;
  title: string;
}

/** Maps a REST or webhook pull request to the facts evaluation needs. */
export function pullRequestInfo(pr: PullLike): PullRequestInfo {
  return {
    number: pr.number,
    author: pr.user?.login ?? "ghost",
    ...(typeof pr.user?.id === "number" ? { authorId: pr.user.id } : {}),
    headSha: pr.head.sha,
    baseRef: pr.base.ref,
    labels: pr.labels.map((l) => l.name ?? "").filter(Boolean),
    state: pr.state === "open" ? "open" : "closed",
    merged: Boolean(pr.merged ?? pr.merged_at),
    draft: Boolean(pr.draft),
    htmlUrl: pr.html_url,
    title: pr.title,
  };
}

export async function getPullRequest(gh: GitHubClient, repo: RepoRef, number: number): Promise<PullRequestInfo> {
  // Read on every tick, and a pull request's JSON is long: parsed natively (see unparsed-answers.ts).
  const { data } = await gh.rest.pulls.get({ ...repo, pull_number: number, request: ANSWER_UNPARSED });
  return pullRequestInfo(await jsonAnswer<PullLike>(data));
}

/** GitHub's compare lists at most this many files; a list this long may have been cut off. */
const COMPARE_FILE_LIMIT = 300;

/**
 * What changed from `base` (the commit signed off) to `head`, by GitHub's three-dot compare.
 * The file list is trusted only for a fast-forward (status "ahead", behind_by 0): otherwise
 * GitHub lists the files since the merge base, which says nothing about what `base` held.
 * A compare GitHub cannot answer (a force-push that dropped `base` and let it be collected,
 * a diff too large) is "unknown", so the caller can fail closed.
 */
export async function compareCommits(gh: GitHubClient, repo: RepoRef, base: string, head: string): Promise<Comparison> {
  let data: Awaited<ReturnType<GitHubClient["rest"]["repos"]["compareCommitsWithBasehead"]>>["data"];
  try {
    // One commit per page: only the status, the counts and the files (all on page 1) are needed.
    ({ data } = await gh.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${base}...${head}`, per_page: 1 }));
  } catch (error) {
    const status = httpStatus(error);
    if (status === 404 || status === 422)
      return { kind: "unknown", why: status === 404 ? "one of the commits no longer exists" : "the comparison is too large" };
    throw error;
  }
  if (data.status === "behind" || data.status === "diverged") return { kind: "rewrite", aheadBy: data.ahead_by, behindBy: data.behind_by };
  if ((data.status !== "ahead" && data.status !== "identical") || data.behind_by !== 0) {
    return { kind: "unknown", why: `GitHub answered status "${String(data.status)}", behind by ${String(data.behind_by)}` };
  }
  const files = data.files ?? [];
  return {
    kind: "fast-forward",
    files: files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename])),
    complete: files.length < COMPARE_FILE_LIMIT,
  };
}

/** The SHAs of a PR's commits, oldest first (GitHub lists at most 250). */
export async function listPullRequestCommitShas(gh: GitHubClient, repo: RepoRef, number: number): Promise<string[]> {
  const commits = await gh.paginate(gh.rest.pulls.listCommits, { ...repo, pull_number: number, per_page: 100 });
  return commits.map((c) => c.sha);
}

export async function requestOwnerReviews(
  gh: GitHubClient,
  repo: RepoRef,
  number: number,
  reviewers: { users: string[]; teams: string[] },
): Promise<void> {
  if (reviewers.users.length === 0 && reviewers.teams.length === 0) return;
  await gh.rest.pulls.requestReviewers({ ...repo, pull_number: number, reviewers: reviewers.users, team_reviewers: reviewers.teams });
}
