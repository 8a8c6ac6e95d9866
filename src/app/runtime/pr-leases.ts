import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import type { Leases } from "./lease.js";

const EPOCH_TTL_S = 86_400;

/**
 * Serializes each PR's batches across replicas, and keeps each replica's cached PR state honest:
 * every batch, on any replica, bumps the PR's epoch in Redis when it takes the lease. A replica
 * whose last batch on the PR was not the one just before drops its cached state, so the batch
 * re-reads the ledger from the check run instead of writing over another replica's sign-offs.
 */
export class PrLeases {
  /** The epoch of this replica's last batch per PR. */
  readonly #epochs = new LRUCache<string, number>({ max: 10_000 });

  constructor(
    private readonly redis: Redis,
    private readonly leases: Leases,
  ) {}

  readonly exclusive = (key: string, run: () => Promise<void>, onStale: (key: string) => void): Promise<void> =>
    this.leases.withLease(`gatehouse:pr:${key}`, async () => {
      const epochKey = `gatehouse:pr-epoch:${key}`;
      const [incr] = (await this.redis.multi().incr(epochKey).expire(epochKey, EPOCH_TTL_S).exec()) ?? [];
      if (!incr || incr[0]) throw incr?.[0] ?? new Error(`Redis did not answer INCR ${epochKey}`);
      const epoch = Number(incr[1]);
      if (this.#epochs.get(key) !== epoch - 1) onStale(key);
      this.#epochs.delete(key);
      await run();
      this.#epochs.set(key, epoch);
    });
}
