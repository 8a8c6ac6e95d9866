import type { Context } from "probot";
import { parseCommands } from "../../core/parse/parse-commands.js";
import { reactToComment } from "../../github/comments.js";
import { pullRequestInfo, type PullRequestInfo } from "../../github/pull-requests.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { syncRelease } from "../sync/release-sync.js";
import type { Runtime } from "../runtime/runtime.js";
import { buildSignEvents, type SignRequest, type SignResult } from "../sync/sign-requests.js";
import type { Signer } from "../sync/authorize.js";
import { bindToHead } from "../sync/bind-signoffs.js";

/** `/signoff` and `/revoke` in a PR comment: acknowledged with a reaction once the ledger holds them. */
export async function onCommandComment(rt: Runtime, context: Context<"issue_comment.created">): Promise<void> {
  const { comment, issue, sender } = context.payload;
  if (!issue.pull_request || sender.type === "Bot") return;
  const gh = context.octokit;
  const repo = context.repo();
  const outcome = await runCommands(
    rt,
    gh,
    repo,
    comment.body,
    { login: sender.login, id: sender.id, type: sender.type },
    { method: "command", source: `comment:${comment.id}` },
    { number: issue.number },
  );
  if (outcome) await reactToComment(gh, repo, comment.id, outcome.allAccepted ? "+1" : "confused");
}

/** The same commands in a review body. Reviews take no reactions; the comment's notices answer instead. */
export async function onReviewSubmitted(rt: Runtime, context: Context<"pull_request_review.submitted">): Promise<void> {
  const { review, sender, pull_request } = context.payload;
  if (sender.type === "Bot" || !review.body) return;
  const pr = pullRequestInfo(pull_request);
  // A review is about the commit it was submitted on, which may no longer be the head.
  await runCommands(
    rt,
    context.octokit,
    context.repo(),
    review.body,
    { login: sender.login, id: sender.id, type: sender.type },
    { method: "review", source: `review:${review.id}` },
    { number: pr.number, pr },
    review.commit_id,
  );
}

async function runCommands(
  rt: Runtime,
  gh: GitHubClient,
  repo: RepoRef,
  body: string,
  signer: Signer,
  from: { method: "command" | "review"; source: string },
  target: { number: number; pr?: PullRequestInfo },
  seenSha?: string,
): Promise<{ allAccepted: boolean } | undefined> {
  const commands = parseCommands(body);
  if (commands.length === 0) return undefined;

  const requests: SignRequest[] = [];
  const invalid: string[] = [];
  for (const command of commands) {
    if (command.kind === "invalid") {
      invalid.push(`❌ @${signer.login}'s command on line ${command.line} was not understood: ${command.error}`);
      continue;
    }
    requests.push({
      kind: command.kind,
      gate: command.gate,
      ...(command.item ? { item: command.item } : {}),
      ...(command.url ? { url: command.url } : {}),
      ...(command.note ? { note: command.note } : {}),
      metrics: command.metrics,
      ...from,
    });
  }

  let results: SignResult[] = [];
  const outcome = await syncRelease(rt, {
    gh,
    repo,
    ...target,
    showNow: true,
    change: async (view) => {
      const built = await buildSignEvents(gh, rt.membership, view, signer, requests, rt.now(), seenSha);
      results = built.results;
      const bound = await bindToHead(gh, repo, view, built.events, seenSha, rt.now());
      return { events: [...built.events, ...bound.events], notices: [...invalid, ...built.notices, ...bound.notices] };
    },
  });
  const allAccepted = outcome.kind === "synced" && invalid.length === 0 && results.every((r) => r.accepted);
  return { allAccepted };
}
