/**
 * Makes redelivered webhooks (same X-GitHub-Delivery id) idempotent within the process:
 * a delivery in flight is joined, a finished one is skipped, a failed one may run again.
 */
export class Deliveries {
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #done = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

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
      this.#remember(id);
      return "ran";
    } finally {
      this.#inFlight.delete(id);
    }
  }

  #remember(id: string): void {
    this.#done.add(id);
    if (this.#done.size > this.capacity) this.#done.delete(this.#done.values().next().value as string);
  }
}
