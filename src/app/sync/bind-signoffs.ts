import { bindSignoffs } from "../../core/ledger/carry-over.js";
import type { LedgerEvent } from "../../core/ledger/ledger.js";
import { escapeMarkdown } from "../../core/render/escape.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { compareCommits } from "../../github/pull-requests.js";
import type { Change, ChangeView } from "./sync-types.js";

/**
 * Sign-offs given on `seenSha` (the commit a review was submitted on, or whose check run's button
 * was clicked) while the head has moved on: they stay recorded at `seenSha`, and the carry-over
 * rules from `seenSha` to the head decide whether they count. Costs one compare, only then.
 */
export async function bindToHead(
  gh: GitHubClient,
  repo: RepoRef,
  view: ChangeView,
  events: LedgerEvent[],
  seenSha: string | undefined,
  now: Date,
): Promise<Change> {
  const head = view.pr.headSha;
  if (seenSha === undefined || seenSha === head || !events.some((e) => e.kind === "signoff")) return { events: [], notices: [] };
  const bound = bindSignoffs(events, {
    checklist: view.checklist,
    mode: view.config.invalidate_on_push,
    rewriteMode: view.config.invalidate_on_rewrite,
    seenSha,
    toSha: head,
    comparison: await compareCommits(gh, repo, seenSha, head),
    at: now.toISOString(),
    actor: "gatehouse",
  });
  const notices = bound.invalidated.map((i) => {
    const title = view.checklist.gates.find((g) => g.id === i.gate)?.title ?? i.gate;
    return `♻️ A sign-off of **${escapeMarkdown(title)}** was recorded but does not count: ${escapeMarkdown(i.reason)}. Sign again on the current head.`;
  });
  return { events: bound.events, notices };
}
