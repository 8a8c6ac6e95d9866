import { emptyLedger, type Ledger } from "../../core/ledger/ledger.js";
import { isNewerLedger } from "../../core/ledger/latest-ledger.js";
import { isChecklistComment } from "../../core/render/comment-markers.js";
import { CHECK_NAME } from "../../github/ledger-check-run.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { listOwnCheckRuns, type OwnCheckRun } from "../../github/check-runs.js";
import { readLedgerText } from "../../github/ledger-archive.js";
import { commentIdFromUrl, findAppComment } from "../../github/comments.js";
import { listPullRequestCommitShas } from "../../github/pull-requests.js";
import type { PrState } from "../runtime/pr-state.js";
import { checkRunFingerprint } from "./check-run-content.js";

/** How far back a cold start looks for an earlier head's ledger (one read per commit). */
const MAX_COMMITS_SEARCHED = 20;

export interface LoadedState {
  state: PrState;
  /** Set when the ledger came from an earlier head and must be carried over to this one. */
  carriedFrom?: string;
}

/**
 * Rebuilds a PR's state from GitHub. The PR's ledger is one history across its heads, so the
 * ledger to continue from is the newest copy among this app's run on the head and the previous
 * head's (the cache, or `before` of a push): a head the PR returns to may still hold an older
 * run, and that run must never be trusted alone. When the newest copy is not the head's own, it
 * is carried over (`carriedFrom`) and written as a new run on the head, which GitHub then shows
 * as the head's latest. Without either, the newest earlier commit of the PR with a ledger is used.
 * A ledger is never replaced by an empty one while an earlier run still holds sign-offs.
 */
export async function loadPrState(
  gh: GitHubClient,
  repo: RepoRef,
  appId: number,
  pr: { number: number; headSha: string },
  hint: { before?: string; cached?: PrState; searchEarlier: boolean },
): Promise<LoadedState> {
  const runs = await listOwnCheckRuns(gh, repo, pr.headSha, appId);
  const gateRuns = Object.fromEntries(
    runs
      .filter((r) => r.name.startsWith(`${CHECK_NAME} / `))
      .map((r) => [r.name.slice(CHECK_NAME.length + 3), { id: r.id, fingerprint: checkRunFingerprint(r) }]),
  );
  const aggregate = runs.find((r) => r.name === CHECK_NAME);
  const headLedger = aggregate ? await ledgerOf(gh, repo, appId, aggregate, pr.number) : undefined;

  const comment = await locateComment(gh, repo, appId, pr.number, aggregate, hint.cached);
  const base: PrState = {
    headSha: pr.headSha,
    ledger: headLedger ?? emptyLedger(pr.number),
    gateRuns,
    ...(aggregate ? { checkRunId: aggregate.id, checkFingerprint: checkRunFingerprint(aggregate) } : {}),
    ...(comment ? { comment } : {}),
  };
  const previous = await previousLedger(gh, repo, appId, pr, hint, headLedger !== undefined);
  if (previous && headLedger === undefined) return { state: { ...base, ledger: previous.ledger }, carriedFrom: previous.sha };
  if (previous && headLedger !== undefined && isNewerLedger(previous.ledger, headLedger)) {
    // The head's runs hold an older ledger and are superseded: the next write creates new ones, the head's latest.
    const state: PrState = { headSha: pr.headSha, ledger: previous.ledger, gateRuns: {}, ...(comment ? { comment } : {}) };
    return { state, carriedFrom: previous.sha };
  }
  return { state: base };
}

/**
 * The previous head's ledger: the cache's, else the run on `before` (a push), else, only when the
 * head holds no ledger, the newest earlier commit of the PR that has one (a cold start).
 */
async function previousLedger(
  gh: GitHubClient,
  repo: RepoRef,
  appId: number,
  pr: { number: number; headSha: string },
  hint: { before?: string; cached?: PrState; searchEarlier: boolean },
  headHasLedger: boolean,
): Promise<{ sha: string; ledger: Ledger } | undefined> {
  if (hint.cached && hint.cached.headSha !== pr.headSha) return { sha: hint.cached.headSha, ledger: hint.cached.ledger };
  if (!hint.searchEarlier) return undefined;
  const before = hint.before && !/^0+$/.test(hint.before) && hint.before !== pr.headSha ? hint.before : undefined;
  if (headHasLedger && !before) return undefined;
  return findEarlierLedger(gh, repo, appId, pr, before);
}

async function ledgerOf(gh: GitHubClient, repo: RepoRef, appId: number, run: OwnCheckRun, prNumber: number): Promise<Ledger | undefined> {
  // A config-error run may carry no block; then the ledger lives on an earlier run.
  const ledger = await readLedgerText(gh, repo, appId, run.output.text ?? "");
  if (ledger && ledger.pr !== prNumber) {
    throw new Error(`check run ${run.id} holds the ledger of PR #${ledger.pr}, not #${prNumber}; refusing to mix ledgers`);
  }
  return ledger;
}

async function locateComment(
  gh: GitHubClient,
  repo: RepoRef,
  appId: number,
  prNumber: number,
  aggregate: OwnCheckRun | undefined,
  cached: PrState | undefined,
): Promise<PrState["comment"]> {
  if (cached?.comment) return cached.comment;
  const linked = commentIdFromUrl(aggregate?.detailsUrl);
  if (linked && aggregate?.detailsUrl) return { id: linked, url: aggregate.detailsUrl };
  const found = await findAppComment(gh, repo, prNumber, appId, isChecklistComment);
  return found && { id: found.id, url: found.html_url, body: found.body };
}

async function findEarlierLedger(
  gh: GitHubClient,
  repo: RepoRef,
  appId: number,
  pr: { number: number; headSha: string },
  before: string | undefined,
): Promise<{ sha: string; ledger: Ledger } | undefined> {
  const candidates: string[] = [];
  if (before) candidates.push(before);
  else {
    const commits = await listPullRequestCommitShas(gh, repo, pr.number);
    candidates.push(
      ...commits
        .filter((sha) => sha !== pr.headSha)
        .reverse()
        .slice(0, MAX_COMMITS_SEARCHED),
    );
  }
  for (const sha of candidates) {
    const run = (await listOwnCheckRuns(gh, repo, sha, appId)).find((r) => r.name === CHECK_NAME);
    const ledger = run && (await ledgerOf(gh, repo, appId, run, pr.number));
    if (ledger) return { sha, ledger };
  }
  return undefined;
}
