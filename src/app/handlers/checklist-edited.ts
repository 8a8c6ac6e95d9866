import type { Context } from "probot";
import { isChecklistComment } from "../../core/render/comment-markers.js";
import { diffTicks, onlyBoxesFlipped } from "../../core/parse/parse-ticks.js";
import { syncRelease } from "../sync/release-sync.js";
import type { Runtime } from "../runtime/runtime.js";
import { buildSignEvents, type SignRequest } from "../sync/sign-requests.js";

/**
 * An owner ticked or unticked boxes in the checklist comment. The comment is only a view:
 * authorised ticks become ledger events, and the re-render from the ledger reverts the rest.
 */
export async function onChecklistEdited(rt: Runtime, context: Context<"issue_comment.edited">): Promise<void> {
  const { comment, issue, sender, changes } = context.payload;
  if (!issue.pull_request) return;
  // A user's comment that imitates the markers is not the checklist.
  if (comment.user?.type !== "Bot" || !isChecklistComment(comment.body)) return;
  if (comment.performed_via_github_app && comment.performed_via_github_app.id !== rt.appId) return;
  // The webhook echo of our own re-render costs nothing.
  if (sender.login === comment.user.login) return;

  const before = changes.body?.from;
  if (before === undefined) return;
  const { ticked, unticked } = diffTicks(before, comment.body);
  const requests: SignRequest[] = [
    ...ticked.map((ref) => ({ kind: "signoff" as const, ...ref, method: "tick" as const })),
    ...unticked.map((ref) => ({ kind: "revoke" as const, ...ref, method: "tick" as const })),
  ];

  const gh = context.octokit;
  const repo = context.repo();
  await syncRelease(rt, {
    gh,
    repo,
    number: issue.number,
    commentNow: { id: comment.id, body: comment.body },
    // Edits with no tick still re-render: anything else a user changed in the comment is overwritten, at once.
    ...(onlyBoxesFlipped(before, comment.body) ? {} : { commentTampered: true }),
    ...(requests.length
      ? {
          change: (view) =>
            buildSignEvents(gh, rt.membership, view, { login: sender.login, id: sender.id, type: sender.type }, requests, rt.now()).then(
              rt.metrics.countReverted,
            ),
        }
      : {}),
  });
}
