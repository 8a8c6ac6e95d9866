import type { Redis } from "ioredis";
import { type Leases, sleep } from "./lease.js";
import type { DeliveryDedup } from "./deliveries.js";

/** How long a handled delivery is remembered (GitHub lets a delivery be redelivered for 3 days; a day covers the sweep window). */
export const DELIVERY_DONE_TTL_S = 86_400;

/**
 * Delivery dedup shared by every replica: a delivery is marked done in Redis only once its
 * handler finished, so a delivery whose handler crashed runs again when redelivered. While one
 * replica handles it (a renewed claim), a copy arriving at another replica waits for the outcome.
 */
export class SharedDeliveries implements DeliveryDedup {
  readonly #inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly redis: Redis,
    private readonly leases: Leases,
    private readonly options: { pollMs?: number } = {},
  ) {}

  async once(id: string, task: () => Promise<void>): Promise<"ran" | "duplicate"> {
    const running = this.#inFlight.get(id);
    if (running) {
      await running;
      return "duplicate";
    }
    const doneKey = `gatehouse:delivery-done:${id}`;
    for (;;) {
      if ((await this.redis.exists(doneKey)) === 1) return "duplicate";
      const claim = await this.leases.tryAcquire(`gatehouse:delivery-claim:${id}`);
      if (!claim) {
        // Another replica is handling it: its outcome decides (done, or free to run again).
        await sleep(this.options.pollMs ?? 25);
        continue;
      }
      const promise = (async () => {
        // Checked again under the claim: the holder before us may have finished in between.
        if ((await this.redis.exists(doneKey)) === 1) return false;
        await task();
        await this.redis.set(doneKey, "1", "EX", DELIVERY_DONE_TTL_S);
        return true;
      })();
      const settled = promise.then(
        () => undefined,
        () => undefined,
      );
      this.#inFlight.set(id, settled);
      try {
        return (await promise) ? "ran" : "duplicate";
      } finally {
        this.#inFlight.delete(id);
        await claim.release();
      }
    }
  }
}
