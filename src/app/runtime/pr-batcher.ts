/**
 * Group commit per pull request. Requests for one PR that arrive together are handed to
 * `process` as one batch, in arrival order; each caller's promise settles only when the batch
 * holding its request has been written (or has failed). Batches for one PR never overlap, so
 * the ledger is never read-modify-written twice at once; different PRs run in parallel.
 */
export class PrBatcher<Req, Res> {
  readonly #queues = new Map<string, { req: Req; resolve: (res: Res) => void; reject: (error: unknown) => void }[]>();
  readonly #running = new Set<string>();
  /** Batches not started yet: when the first request came, and the quiet-period timer. */
  readonly #gathering = new Map<string, { since: number; timer: NodeJS.Timeout }>();

  readonly #now: () => number;
  readonly #quietMs: number;
  readonly #maxWaitMs: number;

  constructor(
    private readonly process: (key: string, batch: Req[]) => Promise<Res[]>,
    options: {
      now: () => Date;
      /** A batch starts once no request came for this long: a burst of ticks becomes one write. */
      quietMs?: number;
      /** ...but never later than this after its first request. */
      maxWaitMs?: number;
      /**
       * Runs each batch exclusively across processes (e.g. a Redis lease per PR). The batch is
       * taken only once the lease is held, so requests that came while waiting join it.
       */
      exclusive?: (key: string, run: () => Promise<void>) => Promise<void>;
    },
  ) {
    this.#now = () => options.now().getTime();
    this.#quietMs = options.quietMs ?? 25;
    this.#maxWaitMs = options.maxWaitMs ?? 250;
    this.#exclusive = options.exclusive ?? ((_key, run) => run());
  }

  readonly #exclusive: (key: string, run: () => Promise<void>) => Promise<void>;

  submit(key: string, req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const queue = this.#queues.get(key) ?? [];
      queue.push({ req, resolve, reject });
      this.#queues.set(key, queue);
      if (this.#running.has(key)) return;
      const gathering = this.#gathering.get(key);
      const now = this.#now();
      const since = gathering?.since ?? now;
      if (gathering) clearTimeout(gathering.timer);
      const wait = Math.max(0, Math.min(this.#quietMs, since + this.#maxWaitMs - now));
      const timer = setTimeout(() => {
        this.#gathering.delete(key);
        this.#running.add(key);
        void this.#drain(key);
      }, wait);
      this.#gathering.set(key, { since, timer });
    });
  }

  async #drain(key: string): Promise<void> {
    while ((this.#queues.get(key)?.length ?? 0) > 0) {
      await this.#exclusive(key, () => this.#processQueued(key)).catch((error: unknown) => {
        // The lease could not be had (e.g. Redis unreachable): fail closed, the callers' deliveries fail.
        for (const entry of this.#take(key)) entry.reject(error);
      });
    }
    this.#running.delete(key);
  }

  #take(key: string) {
    const batch = this.#queues.get(key) ?? [];
    this.#queues.delete(key);
    return batch;
  }

  async #processQueued(key: string): Promise<void> {
    const batch = this.#take(key);
    if (batch.length === 0) return;
    try {
      const results = await this.process(
        key,
        batch.map((entry) => entry.req),
      );
      for (const [i, entry] of batch.entries()) entry.resolve(results[i] as Res);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
