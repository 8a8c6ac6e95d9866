import type { Octokit } from "@octokit/rest";
import type { Redis } from "ioredis";
import {
  BurstyRateLimiter,
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterQueue,
  RateLimiterRedis,
  type RateLimiterRes,
} from "rate-limiter-flexible";

/**
 * Spaces writes per installation, the way GitHub's secondary limits apply: a short burst (one
 * event's check-run and comment writes go out at once), then `perSecond`. rate-limiter-flexible
 * counts in fixed windows, each starting at an installation's first write in it: a steady window
 * (1 write a second) plus a burst allowance (the other burst - 1 writes) that comes back every
 * 5 × burst / perSecond seconds (20 s). Sustained, that is under 1.2 × perSecond, at most 72 writes
 * in any minute at the defaults, under GitHub's 80 content-creating requests a minute. One
 * customer's writes never delay another's.
 */
export interface WriteSpacingOptions {
  burst: number;
  perSecond: number;
}

export const DEFAULT_WRITE_SPACING: WriteSpacingOptions = { burst: 4, perSecond: 1 };

export class WriteSpacing {
  readonly #steady: RateLimiterAbstract;
  readonly #burst: RateLimiterAbstract;
  /** Waiting writes leave in arrival order, per installation (per process: replicas share only the counts). */
  readonly #queue: RateLimiterQueue;
  /** Writes waiting for their turn in this process, per installation. */
  readonly #waiting = new Map<string, number>();
  /** When this process last let a write through, per installation (Date.now()). */
  readonly #lastWrite = new Map<string, number>();
  /** whenIdle calls waiting for an installation's queued writes to go out, woken when the last one does. */
  readonly #drained = new Map<string, (() => void)[]>();

  /**
   * In memory for one process; with `shared` (the replicas' Redis), every replica draws on the same
   * windows of each installation. While Redis does not answer (a command fails at once, or after its
   * 2 s timeout) each replica falls back to windows of its own in memory of the same size: writes
   * stay spaced and nothing hangs. Replicas may then together exceed the budget for a moment, but
   * only briefly: new webhooks are refused with 503 while Redis is unreachable, and a PR's writes
   * stop once its lease lapses (it cannot be renewed without Redis). Refusing writes instead would
   * fail batches already half written, for no safer outcome.
   */
  constructor(
    private readonly options: WriteSpacingOptions = DEFAULT_WRITE_SPACING,
    shared?: Redis,
  ) {
    const steady = Math.max(1, Math.floor(options.perSecond));
    this.#steady = limiter(shared, "gatehouse:write-spacing", steady, steady / options.perSecond);
    this.#burst = limiter(shared, "gatehouse:write-burst", Math.max(0, options.burst - steady), (5 * options.burst) / options.perSecond);
    this.#queue = new RateLimiterQueue(new BurstyRateLimiter(this.#steady, this.#burst));
  }

  /** Resolves when this installation may make one more write. */
  async acquire(key: string): Promise<void> {
    this.#waiting.set(key, (this.#waiting.get(key) ?? 0) + 1);
    try {
      await this.#queue.removeTokens(1, key);
      this.#lastWrite.set(key, Date.now());
    } finally {
      const left = (this.#waiting.get(key) ?? 1) - 1;
      if (left > 0) this.#waiting.set(key, left);
      else {
        this.#waiting.delete(key);
        const waiters = this.#drained.get(key);
        this.#drained.delete(key);
        for (const wake of waiters ?? []) wake();
      }
    }
  }

  /**
   * Resolves once this installation has no write waiting, made none for as long as two writes take
   * at the sustained rate, and the next write would go out at once: low-priority work (a deferred
   * comment re-render) goes out only on spare capacity, so it seldom delays a ledger write, and
   * under sustained load (even one event after another) it waits and coalesces. Across replicas
   * this is approximate: the windows are shared, but another replica's waiting and recent writes
   * are not seen. It wakes only when something it waits for happened (the queue drained, the quiet
   * time after the last write ended), not on a poll: a re-render deferred while an installation's
   * owners tick one box after another would otherwise wake the process ten times a second.
   */
  async whenIdle(key: string): Promise<void> {
    const quietMs = (Math.min(2, this.options.burst) / this.options.perSecond) * 1000;
    for (;;) {
      if (this.#waiting.has(key)) {
        await new Promise<void>((wake) => {
          const waiters = this.#drained.get(key);
          if (waiters) waiters.push(wake);
          else this.#drained.set(key, [wake]);
        });
        continue;
      }
      const wait = (this.#lastWrite.get(key) ?? Number.NEGATIVE_INFINITY) + quietMs - Date.now();
      if (wait > 0) {
        await sleep(Math.max(50, wait));
        continue;
      }
      this.#lastWrite.delete(key);
      const [steady, burst] = await Promise.all([this.#steady.get(key), this.#burst.get(key)]);
      if (spare(steady, this.#steady.points) + spare(burst, this.#burst.points) >= 1) return;
      // Another replica spent the windows: the steady one comes back first.
      await sleep(Math.max(50, Math.min(steady?.msBeforeNext ?? 0, burst?.msBeforeNext ?? 0)));
    }
  }
}

/** In memory, or on Redis with an in-memory window of the same size while Redis does not answer. */
function limiter(shared: Redis | undefined, keyPrefix: string, points: number, seconds: number): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix, points, duration: seconds });
  if (!shared) return memory;
  // Redis keeps whole seconds; rounding up only spaces more.
  const duration = Math.max(1, Math.ceil(seconds));
  return new RateLimiterRedis({ storeClient: shared, keyPrefix, points, duration, rejectIfRedisNotReady: true, insuranceLimiter: memory });
}

/** Writes left in a window (all of them once it ended). */
function spare(window: RateLimiterRes | null, points: number): number {
  return window === null || window.msBeforeNext <= 0 ? points : window.remainingPoints;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A request that writes the installation's content: not a read, and not the installation token
 * the client asks for as the App (its JWT), which GitHub does not count as the installation's
 * write. (Spacing token requests made each replica's first write of an installation wait a turn.)
 */
export function isContentWrite(options: { method?: string; url?: string }): boolean {
  const method = (options.method ?? "GET").toUpperCase();
  return method !== "GET" && method !== "HEAD" && !/\/app\/installations\/[^/]+\/access_tokens$/.test(options.url ?? "");
}

/** Makes every content write of this Octokit wait for its installation's turn. */
export function spaceWrites<T extends Pick<Octokit, "hook">>(octokit: T, spacing: WriteSpacing, key: string): T {
  octokit.hook.before("request", async (options: { method?: string; url?: string }) => {
    if (isContentWrite(options)) await spacing.acquire(key);
  });
  return octokit;
}
