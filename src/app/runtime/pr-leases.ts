import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import type { Leases } from "./lease.js";

const WRITER_TTL_S = 86_400;
const writerKey = (key: string) => `gatehouse:pr-writer:${key}`;
const snapshotKey = (key: string) => `gatehouse:pr-state:${key}`;

/** A replica's cache of PR states (PrStateCache), which a batch reads and updates. */
export interface StateCache<S> {
  get(key: string): S | undefined;
  set(key: string, state: S): void;
  delete(key: string): void;
}

/**
 * Serializes each PR's batches across replicas, and keeps each replica's cached PR state honest:
 * every batch, on any replica, swaps a fresh random token into the PR's writer key when it takes
 * the lease, and leaves the state it ended with in Redis, named by that token. A replica that does
 * not get back the token of its own last batch (another replica wrote since, or Redis lost its
 * data) takes the state the PR's last batch left, when it is named by the token it got back;
 * otherwise (that batch failed or died half way) it drops its cached state, so the batch re-reads
 * the ledger from the check run instead of writing over another replica's sign-offs. Random
 * tokens, unlike counters, cannot repeat after Redis restarts empty. A round-robin load balancer
 * thus costs Redis reads, not GitHub reads.
 */
export class PrLeases {
  /** The token of this replica's last batch per PR. */
  readonly #tokens = new LRUCache<string, string>({ max: 10_000 });

  constructor(
    private readonly redis: Redis,
    private readonly leases: Leases,
  ) {}

  readonly exclusive = <S>(key: string, run: () => Promise<void>, states: StateCache<S>): Promise<void> =>
    this.leases.withLease(`gatehouse:pr:${key}`, async () => {
      const token = randomUUID();
      const previous = (await this.redis.call("SET", writerKey(key), token, "EX", String(WRITER_TTL_S), "GET")) as string | null;
      const mine = this.#tokens.get(key);
      this.#tokens.delete(key);
      if (mine === undefined || previous !== mine) {
        const left = previous === null ? undefined : await this.#snapshot<S>(key, previous);
        if (left === undefined) states.delete(key);
        else states.set(key, left);
      }
      await run();
      this.#tokens.set(key, token);
      const state = states.get(key);
      // Best effort: a snapshot that did not land is not named by this token, so it is not used.
      await (state === undefined
        ? this.redis.del(snapshotKey(key))
        : this.redis.set(snapshotKey(key), JSON.stringify({ token, state }), "EX", WRITER_TTL_S)
      ).catch(() => undefined);
    });

  /** The state the batch with `token` ended with, if it finished. */
  async #snapshot<S>(key: string, token: string): Promise<S | undefined> {
    const text = await this.redis.get(snapshotKey(key));
    if (!text) return undefined;
    // Written by a batch of this App (Redis is ours, not the users'); the token ties it to the last batch.
    const snapshot = JSON.parse(text) as { token?: string; state?: S };
    return snapshot.token === token ? snapshot.state : undefined;
  }
}
