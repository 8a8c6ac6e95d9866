import type { Checklist } from "../../core/config/checklist-schema.js";
import type { RepoConfig } from "../../core/config/config-schema.js";
import type { Ledger } from "../../core/ledger/ledger.js";
import { keepEditsInFlight, lagsOnlyBySignoffs } from "../../core/parse/parse-ticks.js";
import { fullDetailBoxes, renderComment } from "../../core/render/render-comment.js";
import type { Verdict } from "../../core/evaluate/verdict.js";
import { createCheckRun, updateCheckRun, type CheckRunContent } from "../../github/check-runs.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { createComment, getCommentBody, updateComment } from "../../github/comments.js";
import { requestOwnerReviews, type PullRequestInfo } from "../../github/pull-requests.js";
import { aggregateCheckRun, checkRunFingerprint, gateCheckRun } from "./check-run-content.js";
import { notifyReviewers } from "./notify.js";
import type { PrState } from "../runtime/pr-state.js";
import type { SyncRequest } from "./sync-types.js";
import type { Runtime } from "../runtime/runtime.js";
import { storableLedger, writeAggregateFailClosed } from "./fail-closed.js";

/** Writes the check run first (the ledger's commit point), then the comment, each only if changed. */
export async function writeRelease(
  rt: Runtime,
  input: {
    merged: SyncRequest;
    pr: PullRequestInfo;
    state: PrState;
    config: RepoConfig;
    checklist: Checklist;
    ledger: Ledger;
    verdict: Verdict;
    /** The verdict's status before this batch's changes. */
    previousStatus: Verdict["status"];
    notices: string[];
    key: string;
  },
): Promise<{ commentUrl: string; commentOwed: boolean }> {
  const { merged, pr, state, config, checklist, verdict, previousStatus, notices, key } = input;
  const { gh, repo } = merged;
  let comment = state.comment;
  /** The comment as GitHub holds it, when this batch read it. */
  let read: string | undefined;
  if (comment && comment.body === undefined) {
    // After a restart we know the comment only by id: read it once rather than write blindly.
    read = await getCommentBody(gh, repo, comment.id);
    comment = read === undefined ? undefined : { ...comment, body: read };
  }
  let createdComment = false;
  // Owners are @-mentioned in the comment's first version only, so they are notified once.
  const mentionOwners = !comment && config.notify === "mention";
  // Rendered only when written or compared: a tick the comment already shows defers it unrendered.
  let rendered: string | undefined;
  const body = () => (rendered ??= renderComment({ verdict, checklist, notices, mentionOwners }));
  if (!comment) {
    // The comment comes first on a new PR: the check run links to it as its details_url.
    const created = await createComment(gh, repo, pr.number, body());
    comment = { id: created.id, url: created.html_url, body: body() };
    createdComment = true;
  }

  const ledger = await storableLedger(gh, repo, pr.headSha, input.ledger, state, comment.url, rt.now());
  const content = aggregateCheckRun({ verdict, ledger, checklist, detailsUrl: comment.url });
  const next: PrState = { ...state, headSha: pr.headSha, ledger, comment, gateRuns: { ...state.gateRuns } };
  await writeAggregateFailClosed(gh, repo, pr.headSha, content, next, rt.now(), () =>
    writeCheckRun(gh, repo, pr.headSha, content, next, "aggregate", rt.now()),
  );
  // The ledger is on GitHub now: remember it before anything else can fail.
  rt.states.set(key, next);

  // Ledger first, view later: a re-render that only adds who signed and when may wait (see CommentViews).
  let shown: string | undefined;
  let commentOwed = false;
  if (!createdComment) {
    const known = comment.body ?? "";
    // What must show at once: a verdict that turned, a notice, text someone typed into the checklist.
    const turned = merged.commentTampered === true || notices.length > 0 || verdict.status !== previousStatus;
    // Boxes the comment shows ticked stay as they are until the window closes; a command's do not
    // show yet, and a box the ledger does not hold (a revert, an invalidation) must untick now.
    const mayWait = !turned && !merged.flushComment && !merged.showNow;
    // The common tick is judged on the boxes a render would show, so the comment is rendered once a
    // window, not once a tick. (A checklist too long for GitHub's comment limit shows fewer boxes;
    // such a tick waits for the window too, where rendering would have written it at once.)
    const waits =
      mayWait &&
      ((addsSignoffs(state.ledger, input.ledger) && lagsOnlyBySignoffs(known, fullDetailBoxes(verdict))) ||
        (known !== body() && lagsOnlyBySignoffs(known, body())));
    if (waits) {
      commentOwed = true;
      shown = known;
    } else if (known !== body()) {
      if (!turned && merged.flushComment) {
        // A deferred re-render. (When it shares a batch with a change that turned the verdict, that
        // change re-renders the whole ledger at once, as any urgent write does.)
        // GitHub may hold an edit whose webhook has not arrived yet: never untick what an owner just ticked.
        const current = read ?? (await getCommentBody(gh, repo, comment.id));
        shown = current === undefined ? body() : keepEditsInFlight(body(), known, current);
        if (shown !== current) await updateComment(gh, repo, comment.id, shown);
        // A kept edit gets one more window for its webhook. If none came (the App was down, or a
        // concurrent edit won), the next flush sees no edit in flight and shows the ledger as it is.
        commentOwed = shown !== body();
      } else await updateComment(gh, repo, comment.id, body());
    }
  }
  if (!commentOwed) rt.views.wrote(key);
  next.comment = { ...comment, body: shown ?? body() };

  if (config.gate_checks) {
    for (const gate of verdict.gates)
      await writeCheckRun(gh, repo, pr.headSha, gateCheckRun(gate, comment.url), next, gate.gate.id, rt.now());
  }
  if (createdComment && merged.opening && config.notify === "request_review") {
    await requestOwnerReviews(gh, repo, pr.number, notifyReviewers(config, verdict, repo.owner, pr.author));
  }
  return { commentUrl: comment.url, commentOwed };
}

/** Creates the run on this head, or PATCHes it only when what it shows would change. */
export async function writeCheckRun(
  gh: GitHubClient,
  repo: RepoRef,
  headSha: string,
  content: CheckRunContent,
  state: PrState,
  slot: "aggregate" | string,
  completedAt: Date,
): Promise<void> {
  const fingerprint = checkRunFingerprint(content);
  const existing =
    slot === "aggregate"
      ? state.checkRunId !== undefined
        ? { id: state.checkRunId, fingerprint: state.checkFingerprint }
        : undefined
      : state.gateRuns[slot];
  let id = existing?.id;
  if (id === undefined) id = await createCheckRun(gh, repo, headSha, content, completedAt);
  else if (existing?.fingerprint !== fingerprint) await updateCheckRun(gh, repo, id, content, completedAt);
  if (slot === "aggregate") {
    state.checkRunId = id;
    state.checkFingerprint = fingerprint;
  } else state.gateRuns[slot] = { id, fingerprint };
}

/** Whether this batch appended a sign-off to the ledger it loaded. */
function addsSignoffs(loaded: Ledger, ledger: Ledger): boolean {
  for (let i = loaded.events.length; i < ledger.events.length; i++) if (ledger.events[i]!.kind === "signoff") return true;
  return false;
}
