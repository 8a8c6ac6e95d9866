import type { GitHubClient, RepoRef } from "./client.js";
import { sameLogin } from "../core/config/owner-ref.js";

/**
 * The workflow run a deployment protection rule request belongs to, from its
 * `deployment_callback_url` (…/repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule).
 * Undefined when the URL names another repository or is not such a URL.
 */
export function runIdFromCallbackUrl(url: string | undefined, repo: RepoRef): number | undefined {
  const match = /\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/deployment_protection_rule\/?$/.exec(url ?? "");
  if (!match) return undefined;
  const sameRepo = sameLogin(match[1]!, repo.owner) && sameLogin(match[2]!, repo.repo);
  return sameRepo ? Number(match[3]) : undefined;
}

export interface DeploymentReview {
  environment: string;
  /** Omitted for a status report: the comment is shown and the run keeps waiting. */
  state?: "approved" | "rejected";
  /** Markdown, at most 1,024 characters. */
  comment: string;
}

/** Approves, rejects or reports on a run waiting for this App's protection rule on `environment`. */
export async function reviewDeployment(gh: GitHubClient, repo: RepoRef, runId: number, review: DeploymentReview): Promise<void> {
  const body = review.state
    ? { environment_name: review.environment, state: review.state, comment: review.comment }
    : { environment_name: review.environment, comment: review.comment };
  await gh.rest.actions.reviewCustomGatesForRun({ ...repo, run_id: runId, ...body });
}

/** Workflow runs on `headSha` that are waiting for a deployment protection rule or reviewer. */
export async function waitingRunIds(gh: GitHubClient, repo: RepoRef, headSha: string): Promise<number[]> {
  const runs = await gh.paginate(gh.rest.actions.listWorkflowRunsForRepo, { ...repo, head_sha: headSha, status: "waiting", per_page: 100 });
  return runs.map((run) => run.id);
}

/** The environments a waiting run is held at. */
export async function pendingEnvironments(gh: GitHubClient, repo: RepoRef, runId: number): Promise<string[]> {
  const { data } = await gh.rest.actions.getPendingDeploymentsForRun({ ...repo, run_id: runId });
  return data.map((d) => d.environment.name).filter((name): name is string => typeof name === "string" && name.length > 0);
}

/**
 * The commit a workflow run was started for. For a pull_request run this is the PR head it
 * built (the deployment's own SHA is then GitHub's test merge of that head into the base).
 */
export async function workflowRunHeadSha(gh: GitHubClient, repo: RepoRef, runId: number): Promise<string> {
  const { data } = await gh.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
  return data.head_sha;
}
