import type { GitHubClient, RepoRef } from "../../github/client.js";
import type { PullRequestInfo } from "../../github/pull-requests.js";

/**
 * Deferred re-renders of checklist comments ("ledger first, view later"). An owner's tick already
 * shows in the comment they edited; the re-render only adds who signed and when, so it waits for
 * a short window per PR, then for spare write capacity of the PR's installation, and renders the
 * latest ledger once for every tick that came meanwhile. Anything urgent (a verdict change, a
 * revert, an invalidation, a command) is written at once by the sync and cancels the wait.
 */
export interface Views {
  /** Asks for a re-render of `key` within the window; it runs at most once for all asks. */
  defer(key: string, target: DeferredRender): void;
  /** The comment of `key` was just written with the latest ledger: nothing is owed any more. */
  wrote(key: string): void;
  /** Settles once nothing this process asked for is owed or being written (waits out the window). */
  settled(): Promise<void>;
  /** Stops taking on re-renders (shutdown); what is owed stays owed where others can see it. */
  close(): void;
}

/** The PR a re-render is owed for. */
export interface DeferredRender {
  gh: GitHubClient;
  repo: RepoRef;
  number: number;
  /** The PR as the deferring batch saw it (re-read when the head moved since). */
  pr?: PullRequestInfo;
}

export interface CommentViewsOptions {
  /** How long a PR's comment may lag behind its ledger. */
  windowMs: number;
  /** Resolves when the installation behind `client` has a write to spare. */
  whenIdle: (client: object) => Promise<void>;
  /** Re-renders the comment from the latest ledger (a sync with `flushComment`). */
  flush: (target: DeferredRender) => Promise<unknown>;
  /** A re-render failed; `retry` says whether it is asked for again a window later. */
  onFlushError?: (key: string, error: unknown, retry: boolean) => void;
  setTimer?: (run: () => void, ms: number) => { unref?: () => void };
  clearTimer?: (timer: unknown) => void;
}

/**
 * Tries per re-render, a window apart: a flush can fail for a moment (a GitHub 5xx, a lease lost
 * on a loaded replica) and the comment should not stay stale until the PR's next event.
 */
export const FLUSH_ATTEMPTS = 3;

/** Counts a failed re-render and says whether to ask for it again (see `FLUSH_ATTEMPTS`). */
export function retryFlush(key: string, failedBefore: number, error: unknown, options: CommentViewsOptions): boolean {
  const retry = failedBefore + 1 < FLUSH_ATTEMPTS;
  options.onFlushError?.(key, error, retry);
  return retry;
}

interface Pending {
  timer: unknown;
}

/** The views of a single process: what is owed lives in its memory. */
export class CommentViews implements Views {
  /** Owed re-renders by PR; an urgent write removes the entry, so a flush already waiting does nothing. */
  readonly #pending = new Map<string, Pending>();
  /** Flushes started and not yet settled, so shutdown and tests can wait for them. */
  readonly #inFlight = new Set<Promise<void>>();
  /** Failed tries of re-renders still owed (only PRs whose last flush failed). */
  readonly #failures = new Map<string, number>();

  constructor(private readonly options: CommentViewsOptions) {}

  defer(key: string, target: DeferredRender): void {
    if (this.#pending.has(key)) return;
    const pending: Pending = { timer: undefined };
    const set = this.options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    const timer = set(() => {
      const run = this.#run(key, pending, target);
      this.#inFlight.add(run);
      void run.finally(() => this.#inFlight.delete(run));
    }, this.options.windowMs);
    timer.unref?.();
    pending.timer = timer;
    this.#pending.set(key, pending);
  }

  wrote(key: string): void {
    this.#failures.delete(key);
    const pending = this.#pending.get(key);
    if (!pending) return;
    (this.options.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout)))(pending.timer);
    this.#pending.delete(key);
  }

  async settled(): Promise<void> {
    while (this.#pending.size > 0 || this.#inFlight.size > 0) {
      if (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
      else await new Promise((resolve) => setTimeout(resolve, Math.min(50, this.options.windowMs || 1)));
    }
  }

  /** Nothing to stop: a process alone flushes what it owes while it drains. */
  close(): void {}

  async #run(key: string, pending: Pending, target: DeferredRender): Promise<void> {
    await this.options.whenIdle(target.gh);
    if (this.#pending.get(key) !== pending) return;
    this.#pending.delete(key);
    // A failed flush leaves the comment stale, never the ledger: it is tried again, then left to the next event.
    try {
      await this.options.flush(target);
      this.#failures.delete(key);
    } catch (error) {
      const failed = this.#failures.get(key) ?? 0;
      if (!retryFlush(key, failed, error, this.options)) this.#failures.delete(key);
      else {
        this.#failures.set(key, failed + 1);
        this.defer(key, target);
      }
    }
  }
}
