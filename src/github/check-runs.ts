import type { GitHubClient, RepoRef } from "./client.js";
import { discardAnswer, unreadJsonWrite } from "./unparsed-answers.js";

export type CheckConclusion = "success" | "failure" | "neutral" | "action_required" | "cancelled" | "skipped" | "timed_out";

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
}

export interface CheckAction {
  label: string;
  description: string;
  identifier: string;
}

/** Everything Gatehouse writes to a check run. Completed runs never go stale. */
export interface CheckRunContent {
  name: string;
  conclusion: CheckConclusion;
  details_url?: string;
  output: { title: string; summary: string; text?: string; annotations?: CheckAnnotation[] };
  actions?: CheckAction[];
}

/** GitHub takes at most 50 annotations per request. */
const MAX_ANNOTATIONS = 50;

/** `completedAt` comes from the caller's clock (the runtime's `now`). */
function body(content: CheckRunContent, completedAt: Date) {
  return {
    name: content.name,
    status: "completed" as const,
    conclusion: content.conclusion,
    completed_at: completedAt.toISOString(),
    ...(content.details_url ? { details_url: content.details_url } : {}),
    output: { ...content.output, annotations: content.output.annotations?.slice(0, MAX_ANNOTATIONS) },
    actions: content.actions ?? [],
  };
}

export async function createCheckRun(
  gh: GitHubClient,
  repo: RepoRef,
  headSha: string,
  content: CheckRunContent,
  completedAt: Date,
): Promise<number> {
  const { data } = await gh.rest.checks.create({ ...repo, head_sha: headSha, ...body(content, completedAt) });
  return data.id;
}

export async function updateCheckRun(
  gh: GitHubClient,
  repo: RepoRef,
  checkRunId: number,
  content: CheckRunContent,
  completedAt: Date,
): Promise<void> {
  const { data } = await gh.rest.checks.update({ ...repo, check_run_id: checkRunId, ...unreadJsonWrite(body(content, completedAt)) });
  await discardAnswer(data);
}

/** The same check run content, for comparing before we PATCH (completed_at differs on every call). */
export function sameCheckRunContent(a: CheckRunContent | undefined, b: CheckRunContent): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

export interface OwnCheckRun {
  id: number;
  name: string;
  headSha: string;
  detailsUrl: string | null;
  conclusion: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
}

/**
 * This app's check runs on a commit, newest first. `app_id` makes GitHub filter by creator,
 * so a same-name run from a workflow or another app never shows up here.
 */
export async function listOwnCheckRuns(gh: GitHubClient, repo: RepoRef, ref: string, appId: number): Promise<OwnCheckRun[]> {
  const { data } = await gh.rest.checks.listForRef({ ...repo, ref, app_id: appId, filter: "latest", per_page: 100 });
  return data.check_runs
    .filter((run) => run.app?.id === appId)
    .sort((a, b) => b.id - a.id)
    .map((run) => ({
      id: run.id,
      name: run.name,
      headSha: run.head_sha,
      detailsUrl: run.details_url ?? null,
      conclusion: run.conclusion ?? null,
      output: { title: run.output.title ?? null, summary: run.output.summary ?? null, text: run.output.text ?? null },
    }));
}
