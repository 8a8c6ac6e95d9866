import type { Checklist } from "../../core/config/checklist-schema.js";
import type { RepoConfig } from "../../core/config/config-schema.js";
import type { Ledger } from "../../core/ledger/ledger.js";
import type { Verdict } from "../../core/evaluate/verdict.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import type { PullRequestInfo } from "../../github/pull-requests.js";
import { TeamMembership } from "../../github/team-membership.js";
import { ConfigCache } from "./config-cache.js";
import { CommentViews, type CommentViewsOptions, type Views } from "./comment-views.js";
import { ExpiryTimers, type Scheduler } from "./expiry-timers.js";
import { Deliveries, type DeliveryDedup } from "./deliveries.js";
import { Metrics } from "./metrics.js";
import { PrBatcher } from "./pr-batcher.js";
import type { SyncOutcome, SyncRequest } from "../sync/sync-types.js";
import { prKey, PrStateCache } from "./pr-state.js";

/** Process-wide state shared by the handlers. Built once per app instance, so tests get a fresh one. */
export interface Runtime {
  appId: number;
  membership: TeamMembership;
  configs: ConfigCache;
  states: PrStateCache;
  /** Group commit: one load and one write per burst of events on a PR. */
  batches: PrBatcher<SyncRequest, SyncOutcome>;
  deliveries: DeliveryDedup;
  /** Deferred comment re-renders: the ledger is written at once, the view within a window. */
  views: Views;
  metrics: Metrics;
  now: () => Date;
  /** One timer per release PR for its earliest expiring sign-off. */
  expiry: ExpiryTimers;
  /** Called after a release PR's check run and comment were written (e.g. to release waiting deployments). */
  onSynced: SyncListener[];
}

export interface SyncedRelease {
  gh: GitHubClient;
  repo: RepoRef;
  pr: PullRequestInfo;
  config: RepoConfig;
  checklist: Checklist;
  ledger: Ledger;
  verdict: Verdict;
  /** The verdict status before this sync, when the PR was already known. */
  previousStatus?: Verdict["status"];
}

export type SyncListener = (release: SyncedRelease) => Promise<void>;

export interface RuntimeOptions {
  appId: number;
  now?: () => Date;
  /** A PR's batch starts once no event came for this long (a burst becomes one write). */
  coalesceMs?: number;
  /** How long a comment re-render that only adds signers and times may wait (default 2 s). */
  commentWindowMs?: number;
  /** Resolves when a client's installation has a write to spare (deferred re-renders wait for it). */
  whenIdle?: (client: object) => Promise<void>;
  /** The app instance's metrics (a fresh registry when not given). */
  metrics?: Metrics;
  /** The timers behind expiry re-evaluation (tests pass a fake). */
  scheduler?: Scheduler;
  /** How replicas share work (Redis); without it, this process is the only one. */
  coordination?: Coordination;
  /** A deferred re-render failed (logged by the App; the ledger is unaffected). */
  onFlushError?: CommentViewsOptions["onFlushError"];
  /** Builds the deferred re-renders (shared by replicas on Redis); in this process's memory when not given. */
  views?: (options: CommentViewsOptions) => Views;
}

/** What replicas share: delivery dedup, one writer per PR at a time, config invalidations. */
export interface Coordination {
  deliveries: DeliveryDedup;
  /**
   * Runs one PR's batch exclusively. When another replica wrote the PR since this one last did,
   * it first brings `states` up to date for `key` (or drops the entry, so the batch reads GitHub).
   */
  exclusive(key: string, run: () => Promise<void>, states: PrStateCache): Promise<void>;
  /** Tells the other replicas that a repo's config changed. */
  configChanged(key: string): void;
  /** Subscribes to the other replicas' config changes. */
  onConfigChanged(listener: (key: string) => void): void;
}

/** Well under policy-bot's 30 s: the comment shows who signed within seconds, a burst costs one write. */
export const DEFAULT_COMMENT_WINDOW_MS = 2_000;

/** Builds the runtime; `syncBatch` processes one PR's batch (passed in so runtime/ never imports sync/). */
export function createRuntime(options: RuntimeOptions, syncBatch: (rt: Runtime, batch: SyncRequest[]) => Promise<SyncOutcome[]>): Runtime {
  if (!Number.isInteger(options.appId) || options.appId <= 0) {
    throw new Error(`Gatehouse needs the App's numeric id to recognise its own check runs: set APP_ID (got ${String(options.appId)}).`);
  }
  const now = options.now ?? (() => new Date());
  const shared = options.coordination;
  const rt: Runtime = {
    appId: options.appId,
    membership: new TeamMembership({ now }),
    configs: new ConfigCache({ now, ...(shared ? { onForget: (key: string) => shared.configChanged(key) } : {}) }),
    states: new PrStateCache(),
    batches: new PrBatcher(
      (_key, batch) => {
        rt.metrics.batchSize.observe(batch.length);
        return syncBatch(rt, batch);
      },
      {
        now,
        ...(options.coalesceMs !== undefined ? { quietMs: options.coalesceMs } : {}),
        ...(shared ? { exclusive: (key: string, run: () => Promise<void>) => shared.exclusive(key, run, rt.states) } : {}),
      },
    ),
    deliveries: shared?.deliveries ?? new Deliveries(),
    views: (options.views ?? ((o) => new CommentViews(o)))({
      windowMs: options.commentWindowMs ?? DEFAULT_COMMENT_WINDOW_MS,
      whenIdle: options.whenIdle ?? (() => Promise.resolve()),
      flush: (target) => rt.batches.submit(prKey(target.repo, target.number), { ...target, flushComment: true }),
      ...(options.onFlushError ? { onFlushError: options.onFlushError } : {}),
    }),
    metrics: options.metrics ?? new Metrics(),
    now,
    expiry: new ExpiryTimers(() => rt.now().getTime(), options.scheduler),
    onSynced: [],
  };
  shared?.onConfigChanged((key) => rt.configs.drop(key));
  return rt;
}
