import type { Octokit } from "@octokit/rest";

/**
 * Spaces writes per installation, the way GitHub's secondary limits apply: a token bucket per
 * installation that allows a short burst (one event's check-run and comment writes go out at
 * once) and then one write per second. Sustained, that is at most burst + 60 writes a minute,
 * under GitHub's 80 content-creating requests a minute. One customer's burst never delays another's.
 */
export interface WriteSpacingOptions {
  burst: number;
  perSecond: number;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_WRITE_SPACING: WriteSpacingOptions = { burst: 4, perSecond: 1 };

interface Bucket {
  tokens: number;
  updated: number;
  /** Writes wait in arrival order. */
  queue: Promise<void>;
  /** Writes waiting for their turn. */
  waiting: number;
}

export class WriteSpacing {
  readonly #buckets = new Map<string, Bucket>();
  readonly #clock: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: WriteSpacingOptions = DEFAULT_WRITE_SPACING) {
    this.#clock = options.clock ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Resolves when this installation may make one more write. */
  acquire(key: string): Promise<void> {
    const bucket = this.#bucket(key);
    bucket.waiting += 1;
    const turn = bucket.queue.then(async () => {
      this.#refill(bucket);
      if (bucket.tokens < 1) {
        await this.#sleep(((1 - bucket.tokens) / this.options.perSecond) * 1000);
        this.#refill(bucket);
      }
      bucket.tokens -= 1;
      bucket.waiting -= 1;
    });
    bucket.queue = turn;
    return turn;
  }

  /**
   * Resolves once this installation has no write waiting and a token to spare beyond the next
   * write: low-priority work (a deferred comment re-render) goes out only on spare capacity, so it
   * never delays a ledger write, and under sustained load it waits and coalesces.
   */
  async whenIdle(key: string): Promise<void> {
    const bucket = this.#bucket(key);
    for (;;) {
      this.#refill(bucket);
      if (bucket.waiting === 0 && bucket.tokens >= Math.min(2, this.options.burst)) return;
      const short = Math.max(0, Math.min(2, this.options.burst) - bucket.tokens);
      await this.#sleep(Math.max(50, (short / this.options.perSecond) * 1000));
    }
  }

  #bucket(key: string): Bucket {
    const bucket = this.#buckets.get(key) ?? { tokens: this.options.burst, updated: this.#clock(), queue: Promise.resolve(), waiting: 0 };
    this.#buckets.set(key, bucket);
    return bucket;
  }

  #refill(bucket: Bucket): void {
    const now = this.#clock();
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + ((now - bucket.updated) / 1000) * this.options.perSecond);
    bucket.updated = now;
  }
}

/** Makes every non-GET request of this Octokit wait for its installation's turn. */
export function spaceWrites<T extends Pick<Octokit, "hook">>(octokit: T, spacing: WriteSpacing, key: string): T {
  octokit.hook.before("request", async (options: { method?: string }) => {
    const method = (options.method ?? "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD") await spacing.acquire(key);
  });
  return octokit;
}
