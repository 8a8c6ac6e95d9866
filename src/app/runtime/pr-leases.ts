import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import type { Leases } from "./lease.js";

const WRITER_TTL_S = 86_400;

/**
 * Serializes each PR's batches across replicas, and keeps each replica's cached PR state honest:
 * every batch, on any replica, swaps a fresh random token into the PR's writer key when it takes
 * the lease. A replica that does not get back the token of its own last batch drops its cached
 * state (another replica wrote since, or Redis lost its data), so the batch re-reads the ledger
 * from the check run instead of writing over another replica's sign-offs. Random tokens, unlike
 * counters, cannot repeat after Redis restarts empty.
 */
export class PrLeases {
  /** The token of this replica's last batch per PR. */
  readonly #tokens = new LRUCache<string, string>({ max: 10_000 });

  constructor(
    private readonly redis: Redis,
    private readonly leases: Leases,
  ) {}

  readonly exclusive = (key: string, run: () => Promise<void>, onStale: (key: string) => void): Promise<void> =>
    this.leases.withLease(`gatehouse:pr:${key}`, async () => {
      const token = randomUUID();
      const previous = (await this.redis.call("SET", `gatehouse:pr-writer:${key}`, token, "EX", String(WRITER_TTL_S), "GET")) as
        | string
        | null;
      const mine = this.#tokens.get(key);
      this.#tokens.delete(key);
      if (mine === undefined || previous !== mine) onStale(key);
      await run();
      this.#tokens.set(key, token);
    });
}
