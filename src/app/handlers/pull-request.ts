import type { Context } from "probot";
import { pullRequestInfo } from "../../github/pull-requests.js";
import { syncRelease } from "../sync/release-sync.js";
import { guardReleaseLabel, isRestoredLabelEcho } from "../sync/release-label.js";
import type { Runtime } from "../runtime/runtime.js";

export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.labeled",
  "pull_request.unlabeled",
  "pull_request.edited",
  "pull_request.ready_for_review",
] as const;

type PullRequestContext = Context<(typeof PULL_REQUEST_EVENTS)[number]>;

/** A release PR changed: (re)post its checklist comment and check run. */
export async function onPullRequest(rt: Runtime, context: PullRequestContext): Promise<void> {
  const { payload } = context;
  // Title and body edits change nothing Gatehouse shows; only a new base can change the gates.
  if (payload.action === "edited" && !("changes" in payload && payload.changes.base)) return;
  if (payload.pull_request.state !== "open") return;

  const pr = pullRequestInfo(payload.pull_request);
  if (
    payload.action === "labeled" &&
    payload.label &&
    isRestoredLabelEcho(rt, context.repo(), payload.pull_request.number, payload.label.name)
  )
    return;
  if (payload.action === "unlabeled" && payload.label && payload.sender) {
    const remover = { login: payload.sender.login, id: payload.sender.id, type: payload.sender.type };
    if (await guardReleaseLabel(rt, { gh: context.octokit, repo: context.repo(), pr, label: payload.label.name, remover })) return;
  }
  await syncRelease(rt, {
    gh: context.octokit,
    repo: context.repo(),
    number: pr.number,
    pr,
    opening: payload.action === "opened",
    ...(payload.sender ? { pusher: payload.sender.login, pusherId: payload.sender.id } : {}),
    ...(payload.action === "synchronize" ? { before: payload.before } : {}),
    ...(payload.action === "edited" && payload.changes.base ? { retargetedFrom: payload.changes.base.ref.from } : {}),
    retireIfNotRelease: payload.action === "unlabeled" || payload.action === "edited",
  });
}
