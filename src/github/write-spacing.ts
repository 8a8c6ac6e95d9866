import type { Octokit } from "@octokit/rest";
import type { Redis } from "ioredis";
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterQueue, RateLimiterRedis } from "rate-limiter-flexible";

/**
 * Spaces writes per installation, the way GitHub's secondary limits apply: `burst` writes per
 * window of `burst / perSecond` seconds (4 per 4 s), so one event's check-run and comment writes
 * go out at once and, sustained, an installation averages `perSecond`. rate-limiter-flexible
 * counts in fixed windows that start at an installation's first write: any minute holds at most
 * 16 windows, so at most 64 writes, under GitHub's 80 content-creating requests a minute (a
 * window's last writes and the next one's first may meet: never more than 2 × burst at once).
 * One customer's writes never delay another's.
 */
export interface WriteSpacingOptions {
  burst: number;
  perSecond: number;
}

export const DEFAULT_WRITE_SPACING: WriteSpacingOptions = { burst: 4, perSecond: 1 };

const KEY_PREFIX = "gatehouse:write-spacing";

export class WriteSpacing {
  readonly #limiter: RateLimiterAbstract;
  /** Waiting writes leave in arrival order, per installation (per process: replicas share only the count). */
  readonly #queue: RateLimiterQueue;
  /** Writes waiting for their turn in this process, per installation. */
  readonly #waiting = new Map<string, number>();
  /** When this process last let a write through, per installation (Date.now()). */
  readonly #lastWrite = new Map<string, number>();

  /**
   * In memory for one process; with `shared` (the replicas' Redis), every replica draws on the same
   * window of each installation. While Redis does not answer (a command fails at once, or after its
   * 2 s timeout) each replica falls back to its own in-memory window of the same size: writes stay
   * spaced and nothing hangs. Replicas may then together exceed the budget for a moment, but only
   * briefly: new webhooks are refused with 503 while Redis is unreachable, and a PR's writes stop
   * once its lease lapses (it cannot be renewed without Redis). Refusing writes instead would fail
   * batches already half written, for no safer outcome.
   */
  constructor(
    private readonly options: WriteSpacingOptions = DEFAULT_WRITE_SPACING,
    shared?: Redis,
  ) {
    const seconds = options.burst / options.perSecond;
    const memory = new RateLimiterMemory({ keyPrefix: KEY_PREFIX, points: options.burst, duration: seconds });
    this.#limiter = shared
      ? new RateLimiterRedis({
          storeClient: shared,
          keyPrefix: KEY_PREFIX,
          points: options.burst,
          // Redis keeps whole seconds; rounding up only spaces more.
          duration: Math.max(1, Math.ceil(seconds)),
          rejectIfRedisNotReady: true,
          insuranceLimiter: memory,
        })
      : memory;
    this.#queue = new RateLimiterQueue(this.#limiter);
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
      else this.#waiting.delete(key);
    }
  }

  /**
   * Resolves once this installation has no write waiting, made none for as long as two writes take
   * to come back at the sustained rate, and has a write to spare beyond the next in its window:
   * low-priority work (a deferred comment re-render) goes out only on spare capacity, so it seldom
   * delays a ledger write, and under sustained load (even one event after another) it waits and
   * coalesces. A fixed window is full again whenever it starts, hence the quiet time. Across
   * replicas this is approximate: the window is shared, but another replica's waiting and recent
   * writes are not seen.
   */
  async whenIdle(key: string): Promise<void> {
    const needed = Math.min(2, this.options.burst);
    const quietMs = (needed / this.options.perSecond) * 1000;
    for (;;) {
      const wait = this.#waiting.has(key) ? 100 : (this.#lastWrite.get(key) ?? Number.NEGATIVE_INFINITY) + quietMs - Date.now();
      if (wait > 0) {
        await sleep(Math.max(50, wait));
        continue;
      }
      this.#lastWrite.delete(key);
      const window = await this.#limiter.get(key);
      if (window === null || window.msBeforeNext <= 0 || window.remainingPoints >= needed) return;
      // Spare writes come back only when the window ends.
      await sleep(Math.max(50, window.msBeforeNext));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Makes every non-GET request of this Octokit wait for its installation's turn. */
export function spaceWrites<T extends Pick<Octokit, "hook">>(octokit: T, spacing: WriteSpacing, key: string): T {
  octokit.hook.before("request", async (options: { method?: string }) => {
    const method = (options.method ?? "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD") await spacing.acquire(key);
  });
  return octokit;
}
