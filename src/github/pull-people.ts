import type { Contributor } from "../core/evaluate/verdict.js";
import { httpStatus } from "./http-error.js";
import type { GitHubClient, RepoRef } from "./client.js";

/**
 * The people behind a PR's commits: each commit's author and committer, as GitHub resolves them
 * to accounts (GET /pulls/{n}/commits; GitHub lists at most 250). Commits whose email matches no
 * account name nobody. GitHub's own web-flow committer is left out: it is not a person.
 */
export async function listPullContributors(gh: GitHubClient, repo: RepoRef, number: number): Promise<Contributor[]> {
  const commits = await gh.paginate(gh.rest.pulls.listCommits, { ...repo, pull_number: number, per_page: 100 });
  const seen = new Set<string>();
  const people: Contributor[] = [];
  for (const commit of commits) {
    for (const [as, user] of [
      ["author", commit.author],
      ["committer", commit.committer],
    ] as const) {
      if (!user?.login || (as === "committer" && user.login.toLowerCase() === "web-flow")) continue;
      const key = `${as}:${user.login.toLowerCase()}:${user.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      people.push({ login: user.login, ...(typeof user.id === "number" ? { id: user.id } : {}), as });
    }
  }
  return people;
}

/**
 * The person's role on the repository (GET /repos/{o}/{r}/collaborators/{user}/permission):
 * admin, maintain, write, triage, read or a custom role's name; "none" when they have no access.
 */
export async function repositoryRole(gh: GitHubClient, repo: RepoRef, username: string): Promise<string> {
  try {
    const { data } = await gh.rest.repos.getCollaboratorPermissionLevel({ ...repo, username });
    return data.role_name || data.permission || "none";
  } catch (error) {
    // GitHub answers 404 for someone who is not a collaborator; anything else must not read as "allowed".
    if (httpStatus(error) === 404) return "none";
    throw error;
  }
}

/** Puts a label back on an issue or PR (POST /issues/{n}/labels). */
export async function addLabel(gh: GitHubClient, repo: RepoRef, number: number, label: string): Promise<void> {
  await gh.rest.issues.addLabels({ ...repo, issue_number: number, labels: [label] });
}
