import type { Checklist } from "../core/checklist-schema.js";
import type { RepoConfig } from "../core/config-schema.js";
import { carryOver } from "../core/carry-over.js";
import { evaluate } from "../core/evaluate.js";
import { encodeLedger } from "../core/ledger-codec.js";
import { appendEvents, type Ledger, type LedgerEvent } from "../core/ledger.js";
import { ProblemError } from "../core/problem.js";
import { matchRelease } from "../core/release-match.js";
import { renderComment } from "../core/render-comment.js";
import { escapeMarkdown } from "../core/escape.js";
import type { Verdict } from "../core/verdict.js";
import { createCheckRun, updateCheckRun, type CheckRunContent } from "../github/check-runs.js";
import type { GitHubClient, RepoRef } from "../github/client.js";
import { createComment, getCommentBody, updateComment } from "../github/comments.js";
import { CHECK_NAME } from "../github/ledger-check-run.js";
import { changedFilesBetween, getPullRequest, requestOwnerReviews, type PullRequestInfo } from "../github/pull-requests.js";
import { aggregateCheckRun, checkRunFingerprint, configErrorCheckRun, gateCheckRun } from "./check-run-content.js";
import { notifyReviewers } from "./notify.js";
import { prKey, type PrState } from "./pr-state.js";
import type { Runtime } from "./runtime.js";
import { loadPrState } from "./state-loader.js";

/** What a change sees before it decides which events to append. */
export interface ChangeView {
  config: RepoConfig;
  checklist: Checklist;
  verdict: Verdict;
  ledger: Ledger;
  pr: PullRequestInfo;
}

export interface Change {
  events: LedgerEvent[];
  /** Markdown lines shown at the top of the re-rendered comment (already escaped). */
  notices: string[];
}

export interface SyncRequest {
  gh: GitHubClient;
  repo: RepoRef;
  /** The PR number: requests for one PR are batched together. */
  number: number;
  /** The PR as the event's payload shows it. Without it, the batch reads the PR fresh (once). */
  pr?: PullRequestInfo;
  /** Builds the events to append; runs inside the PR's batch, after the ledger is loaded. */
  change?: (view: ChangeView) => Promise<Change>;
  /** The previous head of a synchronize, for carry-over. */
  before?: string;
  /** Who pushed, for invalidation records. */
  pusher?: string;
  /** Re-read everything from GitHub instead of trusting the cache (re-runs). */
  refresh?: boolean;
  /** A PR that was just opened: notify owners, and skip looking for earlier ledgers. */
  opening?: boolean;
  /** The checklist comment as this event shows it (a user's edit), so a revert is never skipped. */
  commentNow?: { id: number; body: string };
  /** Also retire a check left from when the PR was a release PR (label removed, base changed). */
  retireIfNotRelease?: boolean;
}

export type SyncOutcome =
  | { kind: "not-release"; reason: string }
  | { kind: "not-our-comment" }
  | { kind: "config-error"; problems: ProblemError["problems"] }
  | { kind: "synced"; verdict: Verdict; appended: LedgerEvent[]; notices: string[]; commentUrl: string };

/**
 * The one script every release-PR event runs: load config and ledger → apply the change →
 * evaluate → write the check run (the ledger's home) and then the comment (a view of it),
 * each only when its content changed. Events for one PR that arrive together share one load
 * and one write (group commit); each caller returns once the write holding its event is done.
 */
export function syncRelease(rt: Runtime, req: SyncRequest): Promise<SyncOutcome> {
  return rt.batches.submit(prKey(req.repo, req.number), req);
}

/** Processes one batch of requests for a PR, in arrival order. */
export async function syncBatch(rt: Runtime, batch: SyncRequest[]): Promise<SyncOutcome[]> {
  const last = batch[batch.length - 1]!;
  const key = prKey(last.repo, last.number);
  try {
    return await syncLoaded(rt, batch, key);
  } catch (error) {
    // What reached GitHub is unknown now; the next batch re-reads the ledger from the check run.
    rt.states.delete(key);
    throw error;
  }
}

async function syncLoaded(rt: Runtime, batch: SyncRequest[], key: string): Promise<SyncOutcome[]> {
  const last = batch[batch.length - 1]!;
  const { gh, repo } = last;
  const any = (test: (r: SyncRequest) => boolean) => batch.some(test);
  const pr = any((r) => r.pr === undefined) ? await getPullRequest(gh, repo, last.number) : last.pr!;
  const merged: SyncRequest = {
    gh,
    repo,
    number: last.number,
    pr,
    ...(batch.find((r) => r.before)?.before ? { before: batch.find((r) => r.before)!.before! } : {}),
    ...(batch.find((r) => r.pusher)?.pusher ? { pusher: batch.find((r) => r.pusher)!.pusher! } : {}),
    refresh: any((r) => r.refresh === true),
    opening: any((r) => r.opening === true),
    retireIfNotRelease: any((r) => r.retireIfNotRelease === true),
  };
  const all = <T extends SyncOutcome>(outcome: T): T[] => batch.map(() => outcome);

  let loaded;
  try {
    loaded = await rt.configs.load(gh, repo);
  } catch (error) {
    if (error instanceof ProblemError) return all(await reportConfigError(rt, merged, pr, error));
    throw error;
  }
  const { config, checklist } = loaded;

  const release = matchRelease(config, pr);
  if (!release.release) {
    if (merged.retireIfNotRelease) await retire(rt, merged, pr, release.reason);
    return all({ kind: "not-release", reason: release.reason });
  }

  const cached = merged.refresh ? undefined : rt.states.get(key);
  let state: PrState;
  let carriedFrom: string | undefined;
  if (cached && cached.headSha === pr.headSha) state = cached;
  else {
    ({ state, carriedFrom } = await loadPrState(gh, repo, rt.appId, pr, {
      ...(merged.before ? { before: merged.before } : {}),
      ...(cached ? { cached } : {}),
      searchEarlier: !merged.opening,
    }));
  }

  const now = rt.now();
  const notices: string[] = [];
  let ledger = state.ledger;
  if (carriedFrom) {
    const files = await changedFilesBetween(gh, repo, carriedFrom, pr.headSha);
    const carried = carryOver(ledger, {
      checklist,
      // Unknown changes (force-push past history, huge diffs) invalidate everything: fail closed.
      mode: files === undefined && config.invalidate_on_push === "paths" ? "all" : config.invalidate_on_push,
      fromSha: carriedFrom,
      toSha: pr.headSha,
      changedFiles: files ?? [],
      at: now.toISOString(),
      actor: merged.pusher ?? "gatehouse",
    });
    ledger = carried.ledger;
    notices.push(
      ...carried.invalidated.map((i) => {
        const title = checklist.gates.find((g) => g.id === i.gate)?.title ?? i.gate;
        return `♻️ Sign-offs of **${escapeMarkdown(title)}** were ${escapeMarkdown(i.reason)}.`;
      }),
    );
  }

  let verdict = evaluate({ checklist, config, ledger, pr, now });
  const previousStatus = verdict.status;
  const outcomes: (SyncOutcome | { appended: LedgerEvent[] })[] = [];
  for (const req of batch) {
    if (req.commentNow) {
      // Only the comment our check run links to is the checklist; look-alikes change nothing.
      if (state.comment && state.comment.id !== req.commentNow.id) {
        outcomes.push({ kind: "not-our-comment" });
        continue;
      }
      if (state.comment) state = { ...state, comment: { ...state.comment, body: req.commentNow.body } };
    }
    if (!req.change) {
      outcomes.push({ appended: [] });
      continue;
    }
    // Each change sees the ledger as the changes before it in the batch left it.
    const change = await req.change({ config, checklist, verdict, ledger, pr });
    notices.push(...change.notices);
    if (change.events.length > 0) {
      ledger = appendEvents(ledger, change.events);
      verdict = evaluate({ checklist, config, ledger, pr, now });
    }
    outcomes.push({ appended: change.events });
  }

  const commentUrl = await writeRelease(rt, { merged, pr, state, config, checklist, ledger, verdict, notices, key });
  for (const listener of rt.onSynced) await listener({ gh, repo, pr, config, checklist, ledger, verdict, previousStatus });
  return outcomes.map((o) => ("kind" in o ? o : { kind: "synced", verdict, appended: o.appended, notices, commentUrl }));
}

/** Writes the check run first (the ledger's commit point), then the comment, each only if changed. */
async function writeRelease(
  rt: Runtime,
  input: {
    merged: SyncRequest;
    pr: PullRequestInfo;
    state: PrState;
    config: RepoConfig;
    checklist: Checklist;
    ledger: Ledger;
    verdict: Verdict;
    notices: string[];
    key: string;
  },
): Promise<string> {
  const { merged, pr, state, config, checklist, ledger, verdict, notices, key } = input;
  const { gh, repo } = merged;
  let comment = state.comment;
  if (comment && comment.body === undefined) {
    // After a restart we know the comment only by id: read it once rather than write blindly.
    const current = await getCommentBody(gh, repo, comment.id);
    comment = current === undefined ? undefined : { ...comment, body: current };
  }
  let createdComment = false;
  // Owners are @-mentioned in the comment's first version only, so they are notified once.
  const body = renderComment({ verdict, checklist, notices, mentionOwners: !comment && config.notify === "mention" });
  if (!comment) {
    // The comment comes first on a new PR: the check run links to it as its details_url.
    const created = await createComment(gh, repo, pr.number, body);
    comment = { id: created.id, url: created.html_url, body };
    createdComment = true;
  }

  const content = aggregateCheckRun({ verdict, ledger, checklist, detailsUrl: comment.url });
  const next: PrState = { ...state, headSha: pr.headSha, ledger, comment, gateRuns: { ...state.gateRuns } };
  await writeCheckRun(gh, repo, pr.headSha, content, next, "aggregate");
  // The ledger is on GitHub now: remember it before anything else can fail.
  rt.states.set(key, next);

  if (!createdComment && comment.body !== body) {
    await updateComment(gh, repo, comment.id, body);
  }
  next.comment = { ...comment, body };

  if (config.gate_checks) {
    for (const gate of verdict.gates) await writeCheckRun(gh, repo, pr.headSha, gateCheckRun(gate, comment.url), next, gate.gate.id);
  }
  if (createdComment && merged.opening && config.notify === "request_review") {
    await requestOwnerReviews(gh, repo, pr.number, notifyReviewers(config, verdict, repo.owner, pr.author));
  }
  return comment.url;
}

/** Creates the run on this head, or PATCHes it only when what it shows would change. */
async function writeCheckRun(
  gh: GitHubClient,
  repo: RepoRef,
  headSha: string,
  content: CheckRunContent,
  state: PrState,
  slot: "aggregate" | string,
): Promise<void> {
  const fingerprint = checkRunFingerprint(content);
  const existing = slot === "aggregate" ? (state.checkRunId !== undefined ? { id: state.checkRunId, fingerprint: state.checkFingerprint } : undefined) : state.gateRuns[slot];
  let id = existing?.id;
  if (id === undefined) id = await createCheckRun(gh, repo, headSha, content);
  else if (existing?.fingerprint !== fingerprint) await updateCheckRun(gh, repo, id, content);
  if (slot === "aggregate") {
    state.checkRunId = id;
    state.checkFingerprint = fingerprint;
  } else state.gateRuns[slot] = { id, fingerprint };
}

/**
 * A broken config must never leave a green check: the head gets a failing run listing each
 * problem as file:line:col. The ledger found on the head is kept in it, so no sign-off is lost.
 */
async function reportConfigError(rt: Runtime, req: SyncRequest, pr: PullRequestInfo, error: ProblemError): Promise<SyncOutcome> {
  const { gh, repo } = req;
  const key = prKey(repo, pr.number);
  const cached = rt.states.get(key);
  let state = cached?.headSha === pr.headSha ? cached : undefined;
  let carried = false;
  if (!state) {
    const loaded = await loadPrState(gh, repo, rt.appId, pr, { ...(cached ? { cached } : {}), searchEarlier: false });
    state = loaded.state;
    carried = loaded.carriedFrom !== undefined;
  }
  const content = configErrorCheckRun({
    problems: error.problems,
    repo,
    // A ledger that still belongs to an earlier head stays there; carry-over happens once the config is fixed.
    ...(carried || state.ledger.events.length === 0 ? {} : { ledgerText: encodeLedger(state.ledger) }),
    ...(state.comment ? { detailsUrl: state.comment.url } : {}),
  });
  const next: PrState = { ...state, gateRuns: { ...state.gateRuns } };
  if (carried) delete next.checkRunId;
  await writeCheckRun(gh, repo, pr.headSha, content, next, "aggregate");
  // The cache must not hold a carried ledger as if it were this head's: drop it and reload next time.
  rt.states.delete(key);
  return { kind: "config-error", problems: error.problems };
}

/** A PR that stopped being a release PR (label removed, base changed) gets its check neutralised. */
async function retire(rt: Runtime, req: SyncRequest, pr: PullRequestInfo, reason: string): Promise<void> {
  const { gh, repo } = req;
  const key = prKey(repo, pr.number);
  const cached = rt.states.get(key);
  const state = cached?.headSha === pr.headSha ? cached : (await loadPrState(gh, repo, rt.appId, pr, { searchEarlier: false })).state;
  if (state.checkRunId === undefined) return;
  const content: CheckRunContent = {
    name: CHECK_NAME,
    conclusion: "neutral",
    ...(state.comment ? { details_url: state.comment.url } : {}),
    output: { title: "Not a release PR", summary: `Gatehouse does not gate this pull request: ${escapeMarkdown(reason)}.`, text: encodeLedger(state.ledger) },
  };
  const next: PrState = { ...state, gateRuns: { ...state.gateRuns } };
  await writeCheckRun(gh, repo, pr.headSha, content, next, "aggregate");
  rt.states.set(key, next);
}
