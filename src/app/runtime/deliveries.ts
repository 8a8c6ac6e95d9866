import { LRUCache } from "lru-cache";

/**
 * Makes redelivered webhooks (same X-GitHub-Delivery id) idempotent within the process:
 * a delivery in flight is joined, a finished one is skipped, a failed one may run again.
 */
export class Deliveries {
  readonly #inFlight = new Map<string, Promise<void>>();
  /** Finished deliveries; the oldest are forgotten first. */
  readonly #done: LRUCache<string, true>;

  constructor(capacity = 10_000) {
    this.#done = new LRUCache({ max: capacity });
  }

  async once(id: string, task: () => Promise<void>): Promise<"ran" | "duplicate"> {
    if (this.#done.has(id)) return "duplicate";
    const running = this.#inFlight.get(id);
    if (running) {
      await running;
      return "duplicate";
    }
    const promise = task();
    this.#inFlight.set(id, promise);
    try {
      await promise;
      this.#done.set(id, true);
      return "ran";
    } finally {
      this.#inFlight.delete(id);
    }
  }
}
