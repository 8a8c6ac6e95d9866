import { carryOver, retarget, type Invalidation } from "../../core/ledger/carry-over.js";
import { evaluateAppended } from "../../core/evaluate/evaluate.js";
import { appendEvents, type LedgerEvent } from "../../core/ledger/ledger.js";
import { ProblemError } from "../../core/config/problem.js";
import { matchRelease } from "../../core/evaluate/release-match.js";
import { escapeMarkdown } from "../../core/render/escape.js";
import { compareCommits, getPullRequest, type PullRequestInfo } from "../../github/pull-requests.js";
import type { Checklist } from "../../core/config/checklist-schema.js";
import type { RepoConfig } from "../../core/config/config-schema.js";
import type { Ledger } from "../../core/ledger/ledger.js";
import type { Verdict } from "../../core/evaluate/verdict.js";
import { reportConfigError } from "./report-config-error.js";
import { retire } from "./retire-check.js";
import { writeRelease } from "./release-writer.js";
import { writtenConclusion } from "./check-run-content.js";
import { prKey, type PrState } from "../runtime/pr-state.js";
import type { LoadedConfig } from "../runtime/config-cache.js";
import type { Runtime } from "../runtime/runtime.js";
import { loadPrState } from "./state-loader.js";
import { contributorEvents, headContributors, pushedEvents, recheckSigners } from "./four-eyes.js";
import type { SyncOutcome, SyncRequest } from "./sync-types.js";
import { evaluateOrReuse, judged } from "./judged-verdict.js";

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
  const cached = batch.some((r) => r.refresh === true) ? undefined : rt.states.get(key);
  const merged = mergeRequests(batch, await currentPullRequest(batch, cached));
  let pr = merged.pr!;
  const all = <T extends SyncOutcome>(outcome: T): T[] => batch.map(() => outcome);

  let loaded: LoadedConfig;
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

  const { state, carriedFrom } = await loadState(rt, merged, cached);
  const now = rt.now();
  const moved = await applyHeadAndBaseChanges({ merged, config, checklist, ledger: state.ledger, carriedFrom, now });
  const people = await applyFourEyes(batch, merged, { state, ledger: moved.ledger, now });
  pr = people.pr;
  const applied = await applyChanges(batch, { config, checklist, pr, now, state: people.state, ledger: people.ledger });
  const rechecked = await recheckWhenTurningGreen(rt, gh, { config, checklist, pr, now, ...applied });
  const notices = [...moved.notices, ...applied.notices, ...rechecked.notices];
  const { ledger, verdict } = rechecked;
  const { outcomes, previousStatus } = applied;

  // Look-alike comments alone change nothing, so they cost no write.
  if (outcomes.every((o) => "kind" in o) && !moved.changed && !people.changed) return outcomes as SyncOutcome[];

  const { commentUrl, commentOwed } = await writeRelease(rt, {
    merged,
    pr,
    // The next event judges this ledger first: it reuses this verdict when nothing it rests on changed.
    state: { ...applied.state, judged: judged({ checklist, config, ledger, pr, now }, verdict) },
    config,
    checklist,
    ledger,
    verdict,
    previousStatus,
    notices,
    key,
  });
  // A deferred re-render carries the PR it was deferred with: it is read again only if the head moved since.
  if (commentOwed) rt.views.defer(key, { gh, repo, number: last.number, pr });
  // previousStatus judged the ledger after carry-over and four eyes: the loaded one, when they added nothing.
  const unchanged = sameEvents(people.ledger, state.ledger);
  rt.metrics.synced({
    before: state.ledger,
    after: ledger,
    verdict,
    config,
    checklist,
    pr,
    now,
    ...(unchanged ? { beforeStatus: previousStatus } : {}),
  });
  for (const listener of rt.onSynced) await listener({ gh, repo, pr, config, checklist, ledger, verdict, previousStatus });
  return outcomes.map((o) => ("kind" in o ? o : { kind: "synced", verdict, appended: o.appended, notices, commentUrl }));
}

function sameEvents(a: Ledger, b: Ledger): boolean {
  return a.events.length === b.events.length && a.events.every((e, i) => e === b.events[i]);
}

/**
 * The PR as it is now. An event's payload shows the PR as it was when the event happened, which
 * may be older than what this process already wrote (webhooks arrive out of order): only a
 * payload that agrees with the cache, or a push from the cached head, is taken as is; otherwise
 * the PR is read once. Cold caches take the payload (a push names its previous head).
 */
async function currentPullRequest(batch: SyncRequest[], cached: PrState | undefined): Promise<PullRequestInfo> {
  const last = batch[batch.length - 1]!;
  const given = batch.some((r) => r.pr === undefined) ? undefined : last.pr;
  const before = batch.find((r) => r.before)?.before;
  if (given && (!cached || cached.headSha === given.headSha || cached.headSha === before)) return given;
  return getPullRequest(last.gh, last.repo, last.number);
}

/** One request standing for the whole batch. */
function mergeRequests(batch: SyncRequest[], pr: PullRequestInfo): SyncRequest {
  const last = batch[batch.length - 1]!;
  const any = (test: (r: SyncRequest) => boolean) => batch.some(test);
  const before = batch.find((r) => r.before)?.before;
  const pushedBy = batch.find((r) => r.pusher);
  const ungated = batch.find((r) => r.ungated)?.ungated;
  const retargetedFrom = batch.find((r) => r.retargetedFrom !== undefined)?.retargetedFrom;
  return {
    gh: last.gh,
    repo: last.repo,
    number: last.number,
    pr,
    ...(before ? { before } : {}),
    ...(pushedBy?.pusher ? { pusher: pushedBy.pusher } : {}),
    ...(pushedBy?.pusherId !== undefined ? { pusherId: pushedBy.pusherId } : {}),
    ...(ungated ? { ungated } : {}),
    ...(retargetedFrom !== undefined ? { retargetedFrom } : {}),
    refresh: any((r) => r.refresh === true),
    opening: any((r) => r.opening === true),
    retireIfNotRelease: any((r) => r.retireIfNotRelease === true),
    flushComment: any((r) => r.flushComment === true),
    commentTampered: any((r) => r.commentTampered === true),
    showNow: any((r) => r.showNow === true),
  };
}

/** The PR's state on its head: the cache when it is for this head, else GitHub (with the ledger to carry over, if any). */
async function loadState(rt: Runtime, merged: SyncRequest, cached: PrState | undefined): Promise<{ state: PrState; carriedFrom?: string }> {
  const pr = merged.pr!;
  if (cached && cached.headSha === pr.headSha) return { state: cached };
  return loadPrState(merged.gh, merged.repo, rt.appId, pr, {
    ...(merged.before ? { before: merged.before } : {}),
    ...(cached ? { cached } : {}),
    searchEarlier: !merged.opening,
  });
}

/** Carry-over from the previous head, then a retarget: each invalidation is recorded and explained. */
async function applyHeadAndBaseChanges(input: {
  merged: SyncRequest;
  config: RepoConfig;
  checklist: Checklist;
  ledger: Ledger;
  carriedFrom: string | undefined;
  now: Date;
}): Promise<{ ledger: Ledger; notices: string[]; changed: boolean }> {
  const { merged, config, checklist, carriedFrom, now } = input;
  const { gh, repo } = merged;
  const pr = merged.pr!;
  const actor = merged.pusher ?? "gatehouse";
  const notices: string[] = [];
  const explain = (invalidated: Invalidation[]) =>
    invalidated.map((i) => {
      const title = checklist.gates.find((g) => g.id === i.gate)?.title ?? i.gate;
      return `♻️ Sign-offs of **${escapeMarkdown(title)}** were ${escapeMarkdown(i.reason)}.`;
    });
  let ledger = input.ledger;
  if (carriedFrom) {
    const carried = carryOver(ledger, {
      checklist,
      mode: config.invalidate_on_push,
      rewriteMode: config.invalidate_on_rewrite,
      fromSha: carriedFrom,
      toSha: pr.headSha,
      comparison: await compareCommits(gh, repo, carriedFrom, pr.headSha),
      at: now.toISOString(),
      actor,
    });
    ledger = carried.ledger;
    notices.push(...explain(carried.invalidated));
  }
  if (merged.retargetedFrom !== undefined) {
    const moved = retarget(ledger, {
      checklist,
      mode: config.invalidate_on_retarget,
      from: merged.retargetedFrom,
      to: pr.baseRef,
      sha: pr.headSha,
      at: now.toISOString(),
      actor,
    });
    ledger = moved.ledger;
    notices.push(...explain(moved.invalidated));
  }
  return { ledger, notices, changed: carriedFrom !== undefined || merged.retargetedFrom !== undefined };
}

/**
 * Four eyes: a push is recorded with its pusher, and the PR's commit authors are known before
 * anyone signs. The commit list is read once per head, and only once a sign-off could be
 * affected, so opening a PR costs nothing extra.
 */
async function applyFourEyes(
  batch: SyncRequest[],
  merged: SyncRequest,
  input: { state: PrState; ledger: Ledger; now: Date },
): Promise<{ state: PrState; ledger: Ledger; pr: PullRequestInfo; changed: boolean }> {
  let { state, ledger } = input;
  let pr = merged.pr!;
  let changed = false;
  if (merged.before && merged.pusher) {
    const pushed = pushedEvents(ledger, {
      pusher: merged.pusher,
      ...(merged.pusherId !== undefined ? { pusherId: merged.pusherId } : {}),
      sha: pr.headSha,
      at: input.now.toISOString(),
    });
    ledger = appendEvents(ledger, pushed);
    changed = pushed.length > 0;
  }
  if (batch.some((r) => r.change !== undefined) || ledger.events.some((e) => e.kind === "signoff")) {
    state = await headContributors(merged.gh, merged.repo, pr, state);
    const people = state.contributors?.people ?? [];
    pr = { ...pr, contributors: people };
    ledger = appendEvents(
      ledger,
      contributorEvents(ledger, people, {
        sha: pr.headSha,
        at: input.now.toISOString(),
        opener: { login: pr.author, ...(pr.authorId !== undefined ? { id: pr.authorId } : {}) },
      }),
    );
  }
  return { state, ledger, pr, changed };
}

/** Turning green: sign-offs must still come from owners now, not only when they were given. */
async function recheckWhenTurningGreen(
  rt: Runtime,
  gh: SyncRequest["gh"],
  input: {
    config: RepoConfig;
    checklist: Checklist;
    pr: PullRequestInfo;
    now: Date;
    ledger: Ledger;
    verdict: Verdict;
    previousStatus: Verdict["status"];
  },
): Promise<{ ledger: Ledger; verdict: Verdict; notices: string[] }> {
  const { config, checklist, pr, now, previousStatus } = input;
  let { ledger, verdict } = input;
  if (verdict.status !== "approved" || previousStatus === "approved") return { ledger, verdict, notices: [] };
  const recheck = await recheckSigners(gh, rt.membership, { config, checklist, verdict, at: now.toISOString() });
  if (recheck.events.length === 0) return { ledger, verdict, notices: [] };
  const before = { ledger, verdict };
  ledger = appendEvents(ledger, recheck.events);
  verdict = evaluateAppended(before, { checklist, config, ledger, pr, now });
  return { ledger, verdict, notices: recheck.notices };
}

/** Runs each request's change in arrival order; each sees the ledger as the changes before it left it. */
async function applyChanges(
  batch: SyncRequest[],
  input: { config: RepoConfig; checklist: Checklist; pr: PullRequestInfo; now: Date; state: PrState; ledger: Ledger },
): Promise<{
  state: PrState;
  ledger: Ledger;
  verdict: Verdict;
  previousStatus: Verdict["status"];
  notices: string[];
  outcomes: (SyncOutcome | { appended: LedgerEvent[] })[];
}> {
  const { config, checklist, pr, now } = input;
  let { state, ledger } = input;
  let verdict = evaluateOrReuse(state.judged, { checklist, config, ledger, pr, now });
  const previousStatus = verdict.status;
  const notices: string[] = [];
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
    const written = writtenConclusion(state.checkFingerprint);
    const change = await req.change({ config, checklist, verdict, ledger, pr, ...(written ? { written } : {}) });
    notices.push(...change.notices);
    if (change.events.length > 0) {
      // Only the gates the change touched are judged again (a tick touches one).
      const before = { ledger, verdict };
      ledger = appendEvents(ledger, change.events);
      verdict = evaluateAppended(before, { checklist, config, ledger, pr, now });
    }
    outcomes.push({ appended: change.events });
  }
  return { state, ledger, verdict, previousStatus, notices, outcomes };
}
