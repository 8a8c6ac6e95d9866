import type { Context } from "probot";
import { escapeMarkdown } from "../../core/render/escape.js";
import { signableItems } from "../../core/evaluate/evaluate.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { authorize } from "../sync/authorize.js";
import { SIGN_OFF_ACTION } from "../sync/check-run-content.js";
import { syncRelease } from "../sync/release-sync.js";
import type { Runtime } from "../runtime/runtime.js";
import { buildSignEvents, type SignRequest } from "../sync/sign-requests.js";
import { bindToHead } from "../sync/bind-signoffs.js";

/** Our check runs link to the checklist comment; its URL names the PR even when `pull_requests` is empty (forks). */
function prNumbersOf(run: { pull_requests: { number: number }[]; details_url?: string | null }): number[] {
  if (run.pull_requests.length) return run.pull_requests.map((p) => p.number);
  const match = /\/pull\/(\d+)(?:#|$)/.exec(run.details_url ?? "");
  return match ? [Number(match[1])] : [];
}

/** "Sign off my gates": signs every pending item the clicker owns, each still authorised. */
export async function onRequestedAction(rt: Runtime, context: Context<"check_run.requested_action">): Promise<void> {
  const { check_run: run, requested_action: action, sender } = context.payload;
  if (run.app?.id !== rt.appId || action?.identifier !== SIGN_OFF_ACTION.identifier) return;
  const gh = context.octokit;
  const repo = context.repo();
  const signer = { login: sender.login, id: sender.id, type: sender.type };
  for (const number of prNumbersOf(run)) {
    await syncRelease(rt, {
      gh,
      repo,
      number,
      showNow: true,
      change: async (view) => {
        const owned: string[] = [];
        for (const gate of view.verdict.gates) {
          if (gate.status === "approved") continue;
          const auth = await authorize(gh, rt.membership, {
            config: view.config,
            gate: gate.gate,
            signer,
            pr: view.pr,
            events: view.ledger.events,
          });
          if (auth.ok) owned.push(gate.gate.id);
        }
        const requests: SignRequest[] = signableItems(view.verdict, owned).map((ref) => ({ kind: "signoff", ...ref, method: "button" }));
        if (requests.length === 0) {
          return {
            events: [],
            notices: [
              `ℹ️ @${signer.login} clicked **${escapeMarkdown(SIGN_OFF_ACTION.label)}**, but owns no pending item that a click can sign (items that need evidence take \`/signoff\`).`,
            ],
          };
        }
        // The click is about the commit whose run showed the button, which may no longer be the head.
        const built = await buildSignEvents(gh, rt.membership, view, signer, requests, rt.now(), run.head_sha);
        const bound = await bindToHead(gh, repo, view, built.events, run.head_sha, rt.now());
        return { events: [...built.events, ...bound.events], notices: [...built.notices, ...bound.notices] };
      },
    });
  }
}

/** "Re-run" on our check run or its suite: recompute from the ledger on GitHub and repost. */
export async function onCheckRunRerequested(rt: Runtime, context: Context<"check_run.rerequested">): Promise<void> {
  const { check_run: run } = context.payload;
  if (run.app?.id !== rt.appId) return;
  await resync(rt, context.octokit, context.repo(), prNumbersOf(run));
}

export async function onCheckSuiteRerequested(rt: Runtime, context: Context<"check_suite.rerequested">): Promise<void> {
  const { check_suite: suite } = context.payload;
  if (suite.app?.id !== rt.appId) return;
  await resync(
    rt,
    context.octokit,
    context.repo(),
    suite.pull_requests.map((p) => p.number),
  );
}

async function resync(rt: Runtime, gh: GitHubClient, repo: RepoRef, numbers: number[]): Promise<void> {
  rt.configs.forget(repo);
  for (const number of numbers) await syncRelease(rt, { gh, repo, number, refresh: true, retireIfNotRelease: true });
}
