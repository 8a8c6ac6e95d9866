import type { PullRequestFacts } from "../core/evaluate/verdict.js";
import type { GitHubClient, RepoRef } from "./client.js";

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
  const { data } = await gh.rest.pulls.get({ ...repo, pull_number: number });
  return pullRequestInfo(data);
}

/**
 * Files changed between two commits. Returns undefined when GitHub cannot compare them
 * (a force-push that dropped `before`, or a diff too large to list) so the caller can
 * fail closed by invalidating everything.
 */
export async function changedFilesBetween(gh: GitHubClient, repo: RepoRef, base: string, head: string): Promise<string[] | undefined> {
  try {
    const { data } = await gh.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${base}...${head}`, per_page: 100 });
    const files = data.files ?? [];
    // The compare API lists at most 300 files; beyond that we cannot know what changed.
    if (files.length >= 300) return undefined;
    return files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404 || status === 422) return undefined;
    throw error;
  }
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
