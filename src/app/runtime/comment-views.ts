/**
 * Deferred re-renders of checklist comments ("ledger first, view later"). An owner's tick already
 * shows in the comment they edited; the re-render only adds who signed and when, so it waits for
 * a short window per PR, then for spare write capacity of the PR's installation, and renders the
 * latest ledger once for every tick that came meanwhile. Anything urgent (a verdict change, a
 * revert, an invalidation, a command) is written at once by the sync and cancels the wait.
 */
export interface CommentViewsOptions {
  /** How long a PR's comment may lag behind its ledger. */
  windowMs: number;
  /** Resolves when the installation behind `client` has a write to spare. */
  whenIdle: (client: object) => Promise<void>;
  setTimer?: (run: () => void, ms: number) => { unref?: () => void };
  clearTimer?: (timer: unknown) => void;
}

interface Pending {
  timer: unknown;
}

export class CommentViews {
  /** Owed re-renders by PR; an urgent write removes the entry, so a flush already waiting does nothing. */
  readonly #pending = new Map<string, Pending>();
  /** Flushes started and not yet settled, so shutdown and tests can wait for them. */
  readonly #inFlight = new Set<Promise<void>>();

  constructor(private readonly options: CommentViewsOptions) {}

  /** Asks for a re-render of `key` within the window; `flush` runs at most once for all asks. */
  defer(key: string, client: object, flush: () => Promise<unknown>): void {
    if (this.#pending.has(key)) return;
    const pending: Pending = { timer: undefined };
    const set = this.options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    const timer = set(() => {
      const run = this.#run(key, pending, client, flush);
      this.#inFlight.add(run);
      void run.finally(() => this.#inFlight.delete(run));
    }, this.options.windowMs);
    timer.unref?.();
    pending.timer = timer;
    this.#pending.set(key, pending);
  }

  /** The comment of `key` was just written with the latest ledger: nothing is owed any more. */
  wrote(key: string): void {
    const pending = this.#pending.get(key);
    if (!pending) return;
    (this.options.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout)))(pending.timer);
    this.#pending.delete(key);
  }

  /** Settles once nothing is owed or being written (waits out the window). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0 || this.#inFlight.size > 0) {
      if (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
      else await new Promise((resolve) => setTimeout(resolve, Math.min(50, this.options.windowMs || 1)));
    }
  }

  async #run(key: string, pending: Pending, client: object, flush: () => Promise<unknown>): Promise<void> {
    await this.options.whenIdle(client);
    if (this.#pending.get(key) !== pending) return;
    this.#pending.delete(key);
    // A failed flush leaves the comment stale, never the ledger: the next event re-renders it.
    await flush().catch(() => undefined);
  }
}
