import type { Context } from "probot";
import { escapeMarkdown } from "../../core/render/escape.js";
import { mergeQueuePullRequest } from "../../core/parse/merge-queue-ref.js";
import { createCheckRun } from "../../github/check-runs.js";
import { getPullRequest } from "../../github/pull-requests.js";
import { CHECK_NAME } from "../../github/ledger-check-run.js";
import { syncRelease } from "../sync/release-sync.js";
import type { Runtime } from "../runtime/runtime.js";

/**
 * Merge queue: report the same check on the merge group's commit. GitHub names the queued PR in
 * the group's head ref (gh-readonly-queue/<base>/pr-<n>-<sha>); PRs ahead of it in the queue were
 * checked on their own groups, so the group passes only if this PR is approved.
 */
export async function onMergeGroup(rt: Runtime, context: Context<"merge_group.checks_requested">): Promise<void> {
  const group = context.payload.merge_group;
  const gh = context.octokit;
  const repo = context.repo();
  const number = mergeQueuePullRequest(group.head_ref);
  const report = (conclusion: "success" | "failure", title: string, summary: string) =>
    createCheckRun(gh, repo, group.head_sha, { name: CHECK_NAME, conclusion, output: { title, summary } }, rt.now());
  if (number === undefined) {
    await report("failure", "Unknown merge group", `Gatehouse could not find the pull request in merge group ref \`${escapeMarkdown(group.head_ref)}\`.`);
    return;
  }
  const pr = await getPullRequest(gh, repo, number);
  const outcome = await syncRelease(rt, { gh, repo, number: pr.number, pr });
  switch (outcome.kind) {
    case "not-release":
      await report("success", "Not a release PR", `#${pr.number} is not gated: ${escapeMarkdown(outcome.reason)}.`);
      return;
    case "config-error":
      await report("failure", "Configuration error", `The Gatehouse configuration is invalid; see the check on #${pr.number}.`);
      return;
    case "not-our-comment":
      return;
    case "synced": {
      const approved = outcome.verdict.status === "approved";
      await report(
        approved ? "success" : "failure",
        approved ? `#${pr.number} approved` : `#${pr.number} is not approved`,
        `${escapeMarkdown(outcome.verdict.reason)}. [Checklist](${outcome.commentUrl})`,
      );
    }
  }
}
