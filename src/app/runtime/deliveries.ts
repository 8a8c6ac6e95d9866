import { LRUCache } from "lru-cache";

/** Runs a delivery's handler at most once per delivery id (per process, or across replicas). */
export interface DeliveryDedup {
  once(id: string, task: () => Promise<void>): Promise<"ran" | "duplicate">;
}

/**
 * Makes redelivered webhooks (same X-GitHub-Delivery id) idempotent within the process:
 * a delivery in flight is joined, a finished one is skipped, a failed one may run again.
 */
export class Deliveries implements DeliveryDedup {
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
