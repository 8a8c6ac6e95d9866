import { encodeLedger, LedgerCapacityError } from "../../core/ledger/ledger-codec.js";
import type { Ledger } from "../../core/ledger/ledger.js";
import { createCheckRun, updateCheckRun, type CheckRunContent } from "../../github/check-runs.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { archiveOverflow } from "../../github/ledger-archive.js";
import { CHECK_NAME } from "../../github/ledger-check-run.js";
import type { PrState } from "../runtime/pr-state.js";

const REPAIR = "The next event on this pull request, or **Re-run** on this check, writes it again.";

/**
 * The ledger as it can be stored: when it outgrows the check run, its oldest events go to archive
 * runs first. When even that is impossible the check is turned to `failure` (keeping the ledger
 * as it was, so no earlier sign-off is lost) and the error is rethrown: a change that cannot be
 * recorded, such as a revoke, never leaves a green check behind.
 */
export async function storableLedger(
  gh: GitHubClient,
  repo: RepoRef,
  headSha: string,
  ledger: Ledger,
  state: PrState,
  detailsUrl: string,
  now: Date,
): Promise<Ledger> {
  try {
    return await archiveOverflow(gh, repo, headSha, ledger, now);
  } catch (error) {
    if (!(error instanceof LedgerCapacityError)) throw error;
    let kept = "";
    try {
      kept = encodeLedger(state.ledger);
    } catch {
      // The stored ledger no longer encodes either: the run keeps no block, and still fails.
    }
    await markFailed(gh, repo, headSha, state, detailsUrl, now, {
      title: "Ledger full: the latest change was not recorded",
      summary:
        `**Failure** · Gatehouse could not record the latest change on this pull request: ${error.message}. ` +
        "The check fails until the pull request is replaced by a new one, so nothing passes that the ledger does not show.",
      text: kept,
    });
    throw error;
  }
}

/**
 * Writes the aggregate run. When that write fails and the new state is not a pass (a revoke, an
 * expiry), the run is turned to `failure` with the new ledger, so a green check is never left
 * standing for a state that was not written; then the error goes on to the caller.
 */
export async function writeAggregateFailClosed(
  gh: GitHubClient,
  repo: RepoRef,
  headSha: string,
  content: CheckRunContent,
  next: PrState,
  now: Date,
  write: () => Promise<void>,
  log: (message: string) => void = () => {},
): Promise<void> {
  const before = next.checkRunId;
  try {
    await write();
  } catch (error) {
    if (content.conclusion !== "success" && before !== undefined) {
      try {
        await markFailed(gh, repo, headSha, next, content.details_url, now, {
          title: "Not approved: the latest change could not be written",
          summary: `**Failure** · Gatehouse could not write this check's new state (${(error as Error).message}). ${REPAIR}`,
          text: content.output.text ?? "",
        });
      } catch (fallback) {
        log(`could not mark check run ${before} failed after a failed write: ${(fallback as Error).message}`);
      }
    }
    throw error;
  }
}

async function markFailed(
  gh: GitHubClient,
  repo: RepoRef,
  headSha: string,
  state: PrState,
  detailsUrl: string | undefined,
  now: Date,
  output: { title: string; summary: string; text: string },
): Promise<void> {
  const content: CheckRunContent = {
    name: CHECK_NAME,
    conclusion: "failure",
    ...(detailsUrl ? { details_url: detailsUrl } : {}),
    output: { title: output.title, summary: output.summary, ...(output.text ? { text: output.text } : {}) },
  };
  if (state.checkRunId !== undefined) {
    try {
      await updateCheckRun(gh, repo, state.checkRunId, content, now);
      return;
    } catch {
      // The run cannot be changed: a newer run of the same name on the head supersedes it.
    }
  }
  await createCheckRun(gh, repo, headSha, content, now);
}
