import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import type { GitHubClient } from "../../github/client.js";
import { type HookDelivery, recentHookDeliveries, redeliverHookDelivery, undelivered } from "../../github/hook-deliveries.js";
import type { Leases } from "./lease.js";
import { sleep } from "./lease.js";
import type { Metrics } from "./metrics.js";

export interface SweepOptions {
  /** How far back deliveries are looked at (default 6 h); 0 turns the sweep off. */
  windowMs: number;
  /** Time between sweeps (default 5 min). */
  intervalMs: number;
  /** Pause between two redelivery requests (default 250 ms). */
  paceMs: number;
  /** Delay of the first sweep after start, so the server listens when redeliveries arrive. */
  firstDelayMs: number;
}

/**
 * A delivery being handled is recorded as failed this far in the future, and the record is removed
 * when its handler finishes: a replica that crashed after Probot had answered 202 leaves it behind,
 * and the sweep redelivers it once this has passed (far longer than any handler runs).
 */
export const PRESUMED_FAILED_AFTER_MS = 10 * 60_000;

/** A delivery whose redeliveries keep failing is asked for at most this many times (GitHub's log counts them). */
export const MAX_REDELIVERIES = 3;

export const DEFAULT_SWEEP: SweepOptions = { windowMs: 6 * 3_600_000, intervalMs: 5 * 60_000, paceMs: 250, firstDelayMs: 2_000 };

/** Reads GATEHOUSE_REDELIVERY_WINDOW_HOURS and GATEHOUSE_REDELIVERY_INTERVAL_SECONDS. */
export function sweepFromEnv(env: Record<string, string | undefined>): SweepOptions {
  const number = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0 (got "${raw}").`);
    return value;
  };
  return {
    ...DEFAULT_SWEEP,
    windowMs: number("GATEHOUSE_REDELIVERY_WINDOW_HOURS", DEFAULT_SWEEP.windowMs / 3_600_000) * 3_600_000,
    intervalMs: number("GATEHOUSE_REDELIVERY_INTERVAL_SECONDS", DEFAULT_SWEEP.intervalMs / 1_000) * 1_000,
  };
}

/** What the sweep remembers: shared in Redis across replicas, else in this process. */
export interface SweepStore {
  /** Runs `task` unless another replica is sweeping; false when skipped. */
  exclusive(task: () => Promise<void>): Promise<boolean>;
  /** Claims the one redelivery request a failed attempt gets ("guid:attemptId"); false when it was requested already. */
  claimRequest(claim: string, ttlMs: number): Promise<boolean>;
  /** Remembers that a delivery was asked for, so its handling counts as recovered. */
  markRequested(guid: string, ttlMs: number): Promise<void>;
  /** The redelivery request failed: the next sweep may ask again. */
  unclaimRequest(claim: string): Promise<void>;
  /** A handler failed after the delivery may have been answered 2xx (Probot answers 202 on slow handlers). */
  handlerFailed(guid: string, at: Date): Promise<void>;
  /** Deliveries whose handler failed between `since` and `until` and did not succeed after. */
  failedSince(since: Date, until: Date): Promise<string[]>;
  /** The delivery was handled: forget its failure; true when it had been redelivered on request. */
  handled(guid: string): Promise<boolean>;
}

export class LocalSweepStore implements SweepStore {
  readonly #claims = new LRUCache<string, true>({ max: 10_000 });
  readonly #requested = new LRUCache<string, true>({ max: 10_000 });
  readonly #failed = new LRUCache<string, number>({ max: 10_000 });
  #sweeping = false;

  async exclusive(task: () => Promise<void>): Promise<boolean> {
    if (this.#sweeping) return false;
    this.#sweeping = true;
    try {
      await task();
      return true;
    } finally {
      this.#sweeping = false;
    }
  }
  async claimRequest(claim: string, ttlMs: number): Promise<boolean> {
    if (this.#claims.has(claim)) return false;
    this.#claims.set(claim, true, { ttl: ttlMs });
    return true;
  }
  async markRequested(guid: string, ttlMs: number): Promise<void> {
    this.#requested.set(guid, true, { ttl: ttlMs });
  }
  async unclaimRequest(claim: string): Promise<void> {
    this.#claims.delete(claim);
  }
  async handlerFailed(guid: string, at: Date): Promise<void> {
    this.#failed.set(guid, at.getTime());
  }
  async failedSince(since: Date, until: Date): Promise<string[]> {
    return [...this.#failed.entries()].filter(([, at]) => at >= since.getTime() && at <= until.getTime()).map(([guid]) => guid);
  }
  async handled(guid: string): Promise<boolean> {
    this.#failed.delete(guid);
    return this.#requested.has(guid);
  }
}

const FAILED = "gatehouse:handler-failed";

export class RedisSweepStore implements SweepStore {
  constructor(
    private readonly redis: Redis,
    private readonly leases: Leases,
  ) {}

  async exclusive(task: () => Promise<void>): Promise<boolean> {
    const lease = await this.leases.tryAcquire("gatehouse:sweep");
    if (!lease) return false;
    try {
      await task();
      return true;
    } finally {
      await lease.release();
    }
  }
  async claimRequest(claim: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`gatehouse:redelivery-claim:${claim}`, "1", "PX", Math.max(1, Math.round(ttlMs)), "NX")) === "OK";
  }
  async markRequested(guid: string, ttlMs: number): Promise<void> {
    await this.redis.set(`gatehouse:redelivery-requested:${guid}`, "1", "PX", Math.max(1, Math.round(ttlMs)));
  }
  async unclaimRequest(claim: string): Promise<void> {
    await this.redis.del(`gatehouse:redelivery-claim:${claim}`);
  }
  async handlerFailed(guid: string, at: Date): Promise<void> {
    await this.redis.zadd(FAILED, at.getTime(), guid);
  }
  async failedSince(since: Date, until: Date): Promise<string[]> {
    // Older failures are past the window: drop them so the set stays bounded.
    await this.redis.zremrangebyscore(FAILED, "-inf", `(${since.getTime()}`);
    return this.redis.zrangebyscore(FAILED, since.getTime(), until.getTime());
  }
  async handled(guid: string): Promise<boolean> {
    const [, requested] = (await this.redis.multi().zrem(FAILED, guid).exists(`gatehouse:redelivery-requested:${guid}`).exec()) ?? [];
    return requested?.[1] === 1;
  }
}

export interface SweepResult {
  requested: { guid: string; reason: "failed" | "handler_failed" }[];
  skipped: boolean;
}

/**
 * GitHub's recommended recovery for missed webhooks: list the App's recent deliveries, and ask
 * once per failed attempt (at most MAX_REDELIVERIES times a delivery) for a redelivery of each that no attempt delivered (the App was down, restarting, crashed
 * mid-handler, or refused it with 503 during a Redis outage), and of each whose handler failed
 * after Probot had already answered 202. One replica sweeps at a time; the delivery dedup makes
 * a redelivery of something handled meanwhile a no-op.
 */
export class RedeliverySweep {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(
    private readonly options: {
      appClient: () => Promise<GitHubClient>;
      store: SweepStore;
      sweep: SweepOptions;
      now: () => Date;
      metrics: Metrics;
      log: { info: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void };
    },
  ) {}

  /** Sweeps soon after start, then every interval (timers do not keep the process alive). */
  start(): void {
    const { windowMs, intervalMs, firstDelayMs } = this.options.sweep;
    if (windowMs <= 0) return;
    const tick = (delay: number) => {
      this.#timer = setTimeout(() => {
        this.#running = this.sweep().finally(() => {
          this.#running = undefined;
          if (this.#timer) tick(intervalMs);
        });
      }, delay);
      this.#timer.unref();
    };
    tick(firstDelayMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One sweep; never throws (a failed sweep is logged, counted, and retried next interval). */
  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { requested: [], skipped: true };
    try {
      result.skipped = !(await this.options.store.exclusive(() => this.#sweep(result)));
    } catch (error) {
      this.options.metrics.redeliverySweepErrors.inc();
      this.options.log.warn({ err: error }, "Redelivery sweep failed; it runs again at the next interval");
    }
    return result;
  }

  async #sweep(result: SweepResult): Promise<void> {
    const { appClient, store, sweep, now, metrics, log } = this.options;
    const since = new Date(now().getTime() - sweep.windowMs);
    const app = await appClient();
    const attempts = await recentHookDeliveries(app, since);
    const latest = new Map<string, HookDelivery>();
    for (const a of attempts) if (!latest.has(a.guid) || latest.get(a.guid)!.deliveredAt < a.deliveredAt) latest.set(a.guid, a);
    const candidates = new Map<string, { attempt: HookDelivery; reason: "failed" | "handler_failed" }>();
    for (const attempt of undelivered(attempts)) candidates.set(attempt.guid, { attempt, reason: "failed" });
    for (const guid of await store.failedSince(since, now())) {
      const attempt = latest.get(guid);
      if (attempt && !candidates.has(guid)) candidates.set(guid, { attempt, reason: "handler_failed" });
    }
    const redeliveries = new Map<string, number>();
    for (const a of attempts) if (a.redelivery) redeliveries.set(a.guid, (redeliveries.get(a.guid) ?? 0) + 1);
    for (const [guid, { attempt, reason }] of candidates) {
      if ((redeliveries.get(guid) ?? 0) >= MAX_REDELIVERIES) continue;
      // Once per failed attempt: a redelivery that failed too is a new attempt, asked for again next sweep.
      const claim = `${guid}:${attempt.id}`;
      if (!(await store.claimRequest(claim, sweep.windowMs))) continue;
      await redeliverHookDelivery(app, attempt.id).catch(async (error: unknown) => {
        await store.unclaimRequest(claim);
        throw error;
      });
      await store.markRequested(guid, sweep.windowMs);
      metrics.redeliveriesRequested.inc({ reason });
      result.requested.push({ guid, reason });
      await sleep(sweep.paceMs);
    }
    if (result.requested.length > 0) log.info({ redeliveries: result.requested.length }, "Asked GitHub to redeliver missed webhooks");
  }
}
