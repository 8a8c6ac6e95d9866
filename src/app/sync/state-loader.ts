import { emptyLedger, type Ledger } from "../../core/ledger/ledger.js";
import { isChecklistComment } from "../../core/render/comment-markers.js";
import { CHECK_NAME } from "../../github/ledger-check-run.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { listOwnCheckRuns, type OwnCheckRun } from "../../github/check-runs.js";
import { readLedgerText } from "../../github/ledger-archive.js";
import { commentIdFromUrl, findAppComment } from "../../github/comments.js";
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
 * Rebuilds a PR's state from GitHub: the ledger from this app's check run on the head, or, when
 * the head has none yet, from the newest earlier commit of the PR that has one. A ledger is never
 * replaced by an empty one while an earlier run still holds sign-offs.
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
    runs.filter((r) => r.name.startsWith(`${CHECK_NAME} / `)).map((r) => [r.name.slice(CHECK_NAME.length + 3), { id: r.id, fingerprint: checkRunFingerprint(r) }]),
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
  if (headLedger) return { state: base };

  if (hint.cached && hint.cached.headSha !== pr.headSha) {
    return { state: { ...base, ledger: hint.cached.ledger }, carriedFrom: hint.cached.headSha };
  }
  if (!hint.searchEarlier) return { state: base };
  const earlier = await findEarlierLedger(gh, repo, appId, pr, hint.before);
  return earlier ? { state: { ...base, ledger: earlier.ledger }, carriedFrom: earlier.sha } : { state: base };
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
  if (before && !/^0+$/.test(before)) candidates.push(before);
  else {
    const commits = await gh.paginate(gh.rest.pulls.listCommits, { ...repo, pull_number: pr.number, per_page: 100 });
    candidates.push(...commits.map((c) => c.sha).filter((sha) => sha !== pr.headSha).reverse().slice(0, MAX_COMMITS_SEARCHED));
  }
  for (const sha of candidates) {
    const run = (await listOwnCheckRuns(gh, repo, sha, appId)).find((r) => r.name === CHECK_NAME);
    const ledger = run && (await ledgerOf(gh, repo, appId, run, pr.number));
    if (ledger) return { sha, ledger };
  }
  return undefined;
}
