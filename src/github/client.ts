import type { Octokit } from "@octokit/rest";

/**
 * The slice of Octokit that Gatehouse uses. Probot's `context.octokit` and the Action's
 * `getOctokit()` both satisfy it, so `src/github` serves both halves.
 */
export type GitHubClient = Pick<Octokit, "rest" | "paginate" | "request">;

export interface RepoRef {
  owner: string;
  repo: string;
}
