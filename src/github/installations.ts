import type { GitHubClient, RepoRef } from "./client.js";
import { pullRequestInfo, type PullRequestInfo } from "./pull-requests.js";

/** The App's installations, read as the App itself (JWT), at most `max`. */
export async function listInstallationIds(appGh: GitHubClient, max: number): Promise<number[]> {
  const ids: number[] = [];
  for await (const { data } of appGh.paginate.iterator(appGh.rest.apps.listInstallations, { per_page: 100 })) {
    ids.push(...data.map((i) => i.id));
    if (ids.length >= max) break;
  }
  return ids.slice(0, max);
}

/** The repositories an installation can see, at most `max`. */
export async function listInstallationRepos(gh: GitHubClient, max: number): Promise<RepoRef[]> {
  const repos: RepoRef[] = [];
  for await (const { data } of gh.paginate.iterator(gh.rest.apps.listReposAccessibleToInstallation, { per_page: 100 })) {
    repos.push(...data.map((r) => ({ owner: r.owner.login, repo: r.name })));
    if (repos.length >= max) break;
  }
  return repos.slice(0, max);
}

/** A repo's open pull requests, newest first, at most `max` (one read per 100). */
export async function listOpenPullRequests(gh: GitHubClient, repo: RepoRef, max: number): Promise<PullRequestInfo[]> {
  const pulls: PullRequestInfo[] = [];
  for await (const { data } of gh.paginate.iterator(gh.rest.pulls.list, { ...repo, state: "open", per_page: 100 })) {
    pulls.push(...data.map((p) => pullRequestInfo(p)));
    if (pulls.length >= max) break;
  }
  return pulls.slice(0, max);
}
