import type { Context } from "probot";
import { evaluate } from "../../core/evaluate/evaluate.js";
import { matchRelease } from "../../core/evaluate/release-match.js";
import { LedgerCorruptError } from "../../core/ledger/ledger-codec.js";
import { emptyLedger, type Ledger } from "../../core/ledger/ledger.js";
import { ProblemError } from "../../core/config/problem.js";
import { mergeQueuePullRequest } from "../../core/parse/merge-queue-ref.js";
import { escapeMarkdown } from "../../core/render/escape.js";
import { renderMergeGroup, renderUnknownGroup, type GroupEntry } from "../../core/render/render-merge-group.js";
import type { Checklist } from "../../core/config/checklist-schema.js";
import type { RepoConfig } from "../../core/config/config-schema.js";
import { createCheckRun } from "../../github/check-runs.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { CHECK_NAME, findLedgerCheckRun } from "../../github/ledger-check-run.js";
import { mergeGroupPullRequests, type QueuedPullRequest } from "../../github/merge-group-pulls.js";
import { getPullRequest } from "../../github/pull-requests.js";
import type { Runtime } from "../runtime/runtime.js";

/**
 * Merge queue: the group's commit ships every PR queued ahead of the one its branch is named for
 * (gh-readonly-queue/<base>/pr-<n>-<sha>), so the check on it passes only when each of them is
 * approved at the head that was queued. Reads each ledger from this App's own check run, like the
 * Action and the deployment rule.
 */
export async function onMergeGroup(rt: Runtime, context: Context<"merge_group.checks_requested">): Promise<void> {
  const group = context.payload.merge_group;
  const gh = context.octokit;
  const repo = context.repo();
  const report = (output: { conclusion: "success" | "failure"; title: string; summary: string }) =>
    createCheckRun(
      gh,
      repo,
      group.head_sha,
      { name: CHECK_NAME, conclusion: output.conclusion, output: { title: output.title, summary: output.summary } },
      rt.now(),
    );

  const named = mergeQueuePullRequest(group.head_ref);
  if (named === undefined) {
    await report(renderUnknownGroup(`the queue branch \`${escapeMarkdown(group.head_ref)}\` names no pull request.`));
    return;
  }
  let config: RepoConfig;
  let checklist: Checklist;
  try {
    ({ config, checklist } = await rt.configs.load(gh, repo));
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    await report({
      conclusion: "failure",
      title: "Configuration error",
      summary: `The Gatehouse configuration is invalid; see the check on #${named}.`,
    });
    return;
  }
  const found = await mergeGroupPullRequests(gh, repo, { baseSha: group.base_sha, headSha: group.head_sha, named });
  if (!found.found) {
    await report(renderUnknownGroup(found.reason));
    return;
  }
  const entries: GroupEntry[] = [];
  for (const queued of found.pulls) entries.push(await judgeQueued(rt, gh, repo, config, checklist, queued));
  await report(renderMergeGroup(entries));
}

/** One queued PR, judged at the head that was queued from the ledger in this App's check run there. */
async function judgeQueued(
  rt: Runtime,
  gh: GitHubClient,
  repo: RepoRef,
  config: RepoConfig,
  checklist: Checklist,
  queued: QueuedPullRequest,
): Promise<GroupEntry> {
  const pr = await getPullRequest(gh, repo, queued.number);
  const base = { number: pr.number, url: pr.htmlUrl };
  const release = matchRelease(config, pr);
  if (!release.release) return { ...base, status: "not-gated", reason: `not gated: ${release.reason}` };
  const headSha = queued.queuedHead ?? pr.headSha;
  if (pr.state !== "open") return { ...base, headSha, status: "not-approved", reason: "the pull request is closed" };
  if (headSha !== pr.headSha) {
    return {
      ...base,
      headSha,
      status: "not-approved",
      reason: `its head moved to ${pr.headSha.slice(0, 7)} after it was queued; sign-offs hold for one commit`,
    };
  }
  let ledger: Ledger | undefined;
  try {
    ledger = (await findLedgerCheckRun(gh, repo, { ref: headSha, appId: rt.appId, pr: pr.number })).ledger;
  } catch (error) {
    if (!(error instanceof LedgerCorruptError)) throw error;
    return { ...base, headSha, status: "not-approved", reason: `its sign-off ledger cannot be read (${error.message})` };
  }
  const verdict = evaluate({ checklist, config, ledger: ledger ?? emptyLedger(pr.number), pr, now: rt.now() });
  return { ...base, headSha, status: verdict.status === "approved" ? "approved" : "not-approved", reason: verdict.reason };
}
