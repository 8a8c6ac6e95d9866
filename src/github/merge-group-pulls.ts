import { queuedPullRequestOfMessage } from "../core/parse/merge-queue-ref.js";
import { httpStatus } from "./http-error.js";
import type { GitHubClient, RepoRef } from "./client.js";

/** The compare API lists at most 250 commits; a bigger group is not examined. */
export const MAX_GROUP_COMMITS = 250;
/** Queue entries (first-parent commits from the base to the group's head) examined, one lookup each. */
export const MAX_GROUP_ENTRIES = 20;

/** A PR whose changes are in a merge group, with the head that was queued when the commit shows it. */
export interface QueuedPullRequest {
  number: number;
  /** The PR head the queue merged (a merge commit's second parent); else the PR's head is what was queued. */
  queuedHead?: string;
  /** The queue's commit for this PR. */
  commit: string;
}

export type GroupPullRequests = { found: true; pulls: QueuedPullRequest[] } | { found: false; reason: string };

export interface MergeGroupRef {
  baseSha: string;
  headSha: string;
  /** The PR the queue branch is named for: the last entry of the group. */
  named: number;
}

/**
 * Every PR a merge group carries. GitHub builds a group as one commit per queued PR on top of
 * the base branch, each on the previous one: a merge commit whose second parent is the PR's head,
 * or a squash commit. Walking the first parents from the group's head back to its base visits
 * each entry once; a merge commit's second parent is matched to the open PR with that head, a
 * squash commit to the open PR GitHub associates with it, or else to the number GitHub wrote in
 * its message. Anything that cannot be told apart, or a group beyond the bounds, is `found: false`
 * with the reason, so the caller fails closed.
 */
export async function mergeGroupPullRequests(gh: GitHubClient, repo: RepoRef, group: MergeGroupRef): Promise<GroupPullRequests> {
  let data: Awaited<ReturnType<GitHubClient["rest"]["repos"]["compareCommitsWithBasehead"]>>["data"];
  try {
    ({ data } = await gh.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: `${group.baseSha}...${group.headSha}`,
      per_page: MAX_GROUP_COMMITS,
    }));
  } catch (error) {
    const status = httpStatus(error);
    if (status !== 404 && status !== 422) throw error;
    return {
      found: false,
      reason: `GitHub cannot compare the group's base ${group.baseSha.slice(0, 7)} with its head ${group.headSha.slice(0, 7)} (${status}).`,
    };
  }
  if (data.total_commits > data.commits.length || data.total_commits > MAX_GROUP_COMMITS) {
    return {
      found: false,
      reason: `the group holds ${data.total_commits} commits; Gatehouse examines at most ${MAX_GROUP_COMMITS}. Queue fewer pull requests per group.`,
    };
  }
  const bySha = new Map(data.commits.map((c) => [c.sha, c]));
  const entries: (typeof data.commits)[number][] = [];
  for (let sha = group.headSha; sha !== group.baseSha; ) {
    const commit = bySha.get(sha);
    if (!commit)
      return {
        found: false,
        reason: `commit ${sha.slice(0, 7)} of the group does not descend from the base ${group.baseSha.slice(0, 7)} through first parents.`,
      };
    if (entries.length === MAX_GROUP_ENTRIES) {
      return {
        found: false,
        reason: `the group holds more than ${MAX_GROUP_ENTRIES} queue entries; Gatehouse examines at most ${MAX_GROUP_ENTRIES}. Lower the merge queue's maximum group size.`,
      };
    }
    entries.push(commit);
    sha = commit.parents[0]?.sha ?? group.baseSha;
  }

  const pulls = new Map<number, QueuedPullRequest>();
  for (const commit of entries.reverse()) {
    const queuedHead = commit.parents[1]?.sha;
    let number: number | undefined;
    if (commit.sha === group.headSha) number = group.named;
    else {
      const probe = queuedHead ?? commit.sha;
      const { data: associated } = await gh.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: probe, per_page: 100 });
      const open = associated.filter((pr) => pr.state === "open" && (queuedHead === undefined || pr.head.sha === queuedHead));
      if (open.length > 1) {
        return {
          found: false,
          reason: `commit ${probe.slice(0, 7)} of the group belongs to several open pull requests (${open.map((pr) => `#${pr.number}`).join(", ")}).`,
        };
      }
      number = open[0]?.number ?? queuedPullRequestOfMessage(commit.commit.message);
    }
    if (number === undefined) {
      return {
        found: false,
        reason: `commit ${commit.sha.slice(0, 7)} of the group belongs to no pull request Gatehouse can find, so nobody is known to have approved it.`,
      };
    }
    if (!pulls.has(number)) pulls.set(number, { number, commit: commit.sha, ...(queuedHead ? { queuedHead } : {}) });
  }
  return { found: true, pulls: [...pulls.values()] };
}
