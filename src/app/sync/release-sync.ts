import { carryOver } from "../../core/ledger/carry-over.js";
import { evaluate } from "../../core/evaluate/evaluate.js";
import { appendEvents, type LedgerEvent } from "../../core/ledger/ledger.js";
import { ProblemError } from "../../core/config/problem.js";
import { matchRelease } from "../../core/evaluate/release-match.js";
import { escapeMarkdown } from "../../core/render/escape.js";
import { changedFilesBetween, getPullRequest } from "../../github/pull-requests.js";
import { reportConfigError } from "./report-config-error.js";
import { retire } from "./retire-check.js";
import { writeRelease } from "./release-writer.js";
import { writtenConclusion } from "./check-run-content.js";
import { prKey, type PrState } from "../runtime/pr-state.js";
import type { Runtime } from "../runtime/runtime.js";
import { loadPrState } from "./state-loader.js";
import type { SyncOutcome, SyncRequest } from "./sync-types.js";

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
  const before = batch.find((r) => r.before)?.before;
  const pusher = batch.find((r) => r.pusher)?.pusher;
  const merged: SyncRequest = {
    gh,
    repo,
    number: last.number,
    pr,
    ...(before ? { before } : {}),
    ...(pusher ? { pusher } : {}),
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
    const written = writtenConclusion(state.checkFingerprint);
    const change = await req.change({ config, checklist, verdict, ledger, pr, ...(written ? { written } : {}) });
    notices.push(...change.notices);
    if (change.events.length > 0) {
      ledger = appendEvents(ledger, change.events);
      verdict = evaluate({ checklist, config, ledger, pr, now });
    }
    outcomes.push({ appended: change.events });
  }

  // Look-alike comments alone change nothing, so they cost no write.
  if (outcomes.every((o) => "kind" in o) && !carriedFrom) return outcomes as SyncOutcome[];

  const commentUrl = await writeRelease(rt, { merged, pr, state, config, checklist, ledger, verdict, notices, key });
  for (const listener of rt.onSynced) await listener({ gh, repo, pr, config, checklist, ledger, verdict, previousStatus });
  return outcomes.map((o) => ("kind" in o ? o : { kind: "synced", verdict, appended: o.appended, notices, commentUrl }));
}
