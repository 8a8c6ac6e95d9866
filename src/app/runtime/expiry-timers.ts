/** The timer functions ExpiryTimers uses; tests pass fakes. */
export interface Scheduler {
  setTimeout(fire: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const SYSTEM_SCHEDULER: Scheduler = {
  setTimeout: (fire, ms) => {
    const handle = setTimeout(fire, ms);
    // An expiry days away must not keep the process alive on shutdown.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Node's setTimeout fires at once for delays over 2^31-1 ms (about 24.8 days), so longer waits are chained. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One timer per release PR, set for when its earliest counting sign-off expires, so the check
 * turns without waiting for the next webhook. Setting a PR's timer again replaces the old one;
 * timers live in this process only (a restart re-evaluates open PRs in the start-up sweep).
 */
export class ExpiryTimers {
  readonly #timers = new Map<string, { at: number; handle: unknown }>();

  constructor(
    private readonly clock: () => number,
    private readonly scheduler: Scheduler = SYSTEM_SCHEDULER,
    private readonly capacity = 10_000,
  ) {}

  /** Calls `fire` once `clock()` has reached `at` (at least once; late if the process was busy). */
  schedule(key: string, at: Date, fire: () => void): void {
    const existing = this.#timers.get(key);
    if (existing?.at === at.getTime()) return;
    this.cancel(key);
    if (this.#timers.size >= this.capacity) this.cancel(this.#timers.keys().next().value as string);
    this.#arm(key, at.getTime(), fire);
  }

  cancel(key: string): void {
    const existing = this.#timers.get(key);
    if (existing) this.scheduler.clearTimeout(existing.handle);
    this.#timers.delete(key);
  }

  /** When the PR's timer is set for, if any. */
  due(key: string): Date | undefined {
    const timer = this.#timers.get(key);
    return timer && new Date(timer.at);
  }

  get size(): number {
    return this.#timers.size;
  }

  #arm(key: string, at: number, fire: () => void): void {
    const delay = Math.min(Math.max(0, at - this.clock()), MAX_TIMER_MS);
    const handle = this.scheduler.setTimeout(() => {
      if (this.#timers.get(key)?.handle !== handle) return;
      if (this.clock() < at) {
        this.#arm(key, at, fire);
        return;
      }
      this.#timers.delete(key);
      fire();
    }, delay);
    this.#timers.set(key, { at, handle });
  }
}
