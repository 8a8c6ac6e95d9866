import type { GitHubClient } from "../src/github/client.js";
import { httpStatus } from "../src/github/http-error.js";
import { commitOfRef, pullRequestForCommit } from "../src/github/pull-request-lookup.js";
import type { RunnerContext } from "./runner-context.js";
import { mergeQueuePullRequest } from "../src/core/parse/merge-queue-ref.js";

/** The release PR a workflow run is gated on. */
export interface ReleaseTarget {
  number: number;
  /**
   * The head SHA to read the check run on, when the event fixes it (a pull_request run gates
   * the commit it ran for, even if the PR has moved on). Otherwise the PR's current head.
   */
  headSha?: string;
  /** How the PR was found, e.g. "push of 6113728: merged as 6113728". */
  via: string;
  /**
   * The commit the job deploys: the 'sha' input, else the event's commit. The PR's approval must
   * hold for exactly this commit. Undefined only when the event names none (the Action then fails).
   */
  deployed?: string;
  /** Set for a merge_group event: the group's commit carries every PR queued ahead, too. */
  mergeGroup?: boolean;
}

/** No release PR could be found: a release must come through a gated pull request. */
export class NoPullRequestError extends Error {
  constructor(message: string) {
    super(
      `${message} A release must come through a pull request that Gatehouse gates. If this run is for such a PR, set the 'pull-request' input (or 'sha' to the commit the PR merged as).`,
    );
    this.name = "NoPullRequestError";
  }
}

/** The parts of webhook payloads that name a PR, a commit or a tag. */
interface EventPayload {
  pull_request?: { number: number; head: { sha: string } };
  ref?: string;
  ref_type?: string;
  after?: string;
  deleted?: boolean;
  release?: { tag_name: string };
  inputs?: Record<string, unknown> | null;
  deployment?: { sha: string };
  merge_group?: { head_ref: string; head_sha: string };
  workflow_run?: {
    head_sha: string;
    pull_requests?: { number: number; head: { sha: string }; base: { repo: { id: number } } }[];
  };
  repository?: { id: number };
}

/**
 * Finds the release PR: from the `pull-request` or `sha` input when given, else from the event
 * (pull_request[_target], push, create, release, workflow_dispatch, deployment[_status],
 * merge_group, workflow_run). Throws NoPullRequestError when there is none.
 */
export async function resolvePullRequest(
  gh: GitHubClient,
  ctx: RunnerContext,
  inputs: { pullRequest?: number; sha?: string },
): Promise<ReleaseTarget> {
  const payload = ctx.payload as EventPayload;
  if (inputs.pullRequest !== undefined) {
    return { number: inputs.pullRequest, via: "the 'pull-request' input", ...deployedCommit(ctx, payload, inputs.sha) };
  }
  if (inputs.sha) return fromCommit(gh, ctx, inputs.sha, "the 'sha' input");

  switch (ctx.eventName) {
    case "pull_request":
    case "pull_request_target":
    case "pull_request_review":
    case "pull_request_review_comment": {
      const pr = payload.pull_request;
      if (!pr) throw new NoPullRequestError(`The ${ctx.eventName} event payload has no pull_request.`);
      return { number: pr.number, headSha: pr.head.sha, via: `the ${ctx.eventName} event`, deployed: pr.head.sha };
    }
    case "push":
      return fromPush(gh, ctx, payload);
    case "create":
      if (payload.ref_type === "tag" && payload.ref) return fromTag(gh, ctx, payload.ref);
      return fromCommit(gh, ctx, requireSha(ctx.sha, "create"), `creation of branch ${payload.ref ?? "?"}`);
    case "release":
      if (!payload.release) throw new NoPullRequestError("The release event payload has no release.");
      return fromTag(gh, ctx, payload.release.tag_name);
    case "workflow_dispatch":
      return fromDispatch(gh, ctx, payload);
    case "deployment":
    case "deployment_status":
      if (!payload.deployment) throw new NoPullRequestError(`The ${ctx.eventName} event payload has no deployment.`);
      return fromCommit(gh, ctx, payload.deployment.sha, "the deployment");
    case "merge_group":
      return fromMergeGroup(ctx, payload);
    case "workflow_run":
      return fromWorkflowRun(gh, ctx, payload);
    default:
      throw new NoPullRequestError(`A '${ctx.eventName}' event does not name a pull request or a release commit.`);
  }
}

async function fromCommit(gh: GitHubClient, ctx: RunnerContext, sha: string, what: string): Promise<ReleaseTarget> {
  const match = await pullRequestForCommit(gh, ctx.repo, sha);
  if (!match) {
    throw new NoPullRequestError(`No pull request was merged as commit ${sha.slice(0, 7)} (from ${what}) or has it as its head.`);
  }
  return { number: match.number, headSha: match.headSha, via: `${what}: ${match.via}`, deployed: sha };
}

async function fromTag(gh: GitHubClient, ctx: RunnerContext, tag: string): Promise<ReleaseTarget> {
  let sha: string;
  try {
    sha = await commitOfRef(gh, ctx.repo, `tags/${tag}`);
  } catch (error) {
    if (httpStatus(error) === 404 || httpStatus(error) === 422) {
      throw new NoPullRequestError(`Tag '${tag}' does not exist in ${ctx.repo.owner}/${ctx.repo.repo} (is the release still a draft?).`);
    }
    throw error;
  }
  return fromCommit(gh, ctx, sha, `tag ${tag}`);
}

async function fromPush(gh: GitHubClient, ctx: RunnerContext, payload: EventPayload): Promise<ReleaseTarget> {
  if (payload.deleted) throw new NoPullRequestError(`The push deleted ${payload.ref ?? "a ref"}; there is no commit to gate.`);
  const tag = payload.ref?.match(/^refs\/tags\/(.+)$/)?.[1];
  // The push payload's `after` of an annotated tag is the tag object, so tags go through the API.
  if (tag) return fromTag(gh, ctx, tag);
  const sha = requireSha(payload.after ?? ctx.sha, "push");
  return fromCommit(gh, ctx, sha, `push of ${sha.slice(0, 7)}`);
}

async function fromDispatch(gh: GitHubClient, ctx: RunnerContext, payload: EventPayload): Promise<ReleaseTarget> {
  const inputs = payload.inputs ?? {};
  const input = (...names: string[]) =>
    names
      .map((name) => inputs[name])
      .find((v): v is string | number => (typeof v === "string" && v.trim() !== "") || typeof v === "number");
  const pr = input("pull-request", "pull_request", "pr");
  if (pr !== undefined) {
    const text = String(pr).trim();
    const match = /^#?([1-9][0-9]*)$/.exec(text);
    if (!match) throw new Error(`The workflow_dispatch input 'pull-request' is '${text}'; expected a pull request number such as 42.`);
    return { number: Number(match[1]), via: "the workflow_dispatch input 'pull-request'", ...deployedCommit(ctx, payload, undefined) };
  }
  const sha = input("sha");
  if (sha !== undefined) {
    const text = String(sha).trim();
    if (!/^[0-9a-f]{40}$/i.test(text))
      throw new Error(`The workflow_dispatch input 'sha' is '${text}'; expected a full 40-character commit SHA.`);
    return fromCommit(gh, ctx, text.toLowerCase(), "the workflow_dispatch input 'sha'");
  }
  const ref = input("ref", "tag");
  if (ref !== undefined) {
    const commit = await commitOfRef(gh, ctx.repo, String(ref).trim());
    return fromCommit(gh, ctx, commit, `the workflow_dispatch ref ${String(ref).trim()}`);
  }
  return fromCommit(gh, ctx, requireSha(ctx.sha, "workflow_dispatch"), "the dispatched commit");
}

function fromMergeGroup(ctx: RunnerContext, payload: EventPayload): ReleaseTarget {
  const headRef = payload.merge_group?.head_ref ?? "";
  const number = mergeQueuePullRequest(headRef);
  if (number === undefined) throw new NoPullRequestError(`The merge group branch '${headRef}' does not name a pull request.`);
  return {
    number,
    via: `merge queue branch ${headRef.replace(/^refs\/heads\//, "")}`,
    mergeGroup: true,
    ...deployedCommit(ctx, payload, undefined),
  };
}

/**
 * The commit a job deploys when the PR is named rather than found from a commit: the 'sha' input,
 * else the commit the event is about (GITHUB_SHA is a pull_request run's test merge and a
 * workflow_run's default branch, so those come from the payload).
 */
function deployedCommit(ctx: RunnerContext, payload: EventPayload, sha: string | undefined): { deployed?: string } {
  const fromEvent = () => {
    if (ctx.eventName.startsWith("pull_request")) return payload.pull_request?.head.sha;
    if (ctx.eventName === "deployment" || ctx.eventName === "deployment_status") return payload.deployment?.sha;
    if (ctx.eventName === "merge_group") return payload.merge_group?.head_sha;
    if (ctx.eventName === "workflow_run") return payload.workflow_run?.head_sha;
    return ctx.sha;
  };
  const deployed = sha ?? fromEvent();
  return deployed ? { deployed: deployed.toLowerCase() } : {};
}

async function fromWorkflowRun(gh: GitHubClient, ctx: RunnerContext, payload: EventPayload): Promise<ReleaseTarget> {
  const run = payload.workflow_run;
  if (!run) throw new NoPullRequestError("The workflow_run event payload has no workflow_run.");
  const repoId = payload.repository?.id;
  // pull_requests lists PRs whose head branch matches, in this repo and in forks; only this
  // repo's PR whose head is the run's commit is the one the run was for.
  const prs = (run.pull_requests ?? []).filter(
    (pr) => pr.head.sha === run.head_sha && (repoId === undefined || pr.base.repo.id === repoId),
  );
  if (prs.length === 1)
    return { number: prs[0]!.number, headSha: run.head_sha, via: "the workflow run's pull request", deployed: run.head_sha };
  return fromCommit(gh, ctx, run.head_sha, `the workflow run's commit ${run.head_sha.slice(0, 7)}`);
}

function requireSha(sha: string | undefined, event: string): string {
  if (!sha) throw new NoPullRequestError(`The ${event} event has no commit SHA (GITHUB_SHA is not set).`);
  return sha;
}
