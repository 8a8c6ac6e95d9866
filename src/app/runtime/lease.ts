import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/** Extends a lease only while its token is still the holder (another replica may have taken over). */
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export interface LeaseOptions {
  /** How long a holder that stopped renewing (crashed, partitioned) keeps others out. */
  leaseMs: number;
  /** Polling interval while another replica holds the key. */
  pollMs?: number;
}

/** What the holder of a lease may rely on: writes are allowed only until `validUntil` (performance.now()). */
export interface HeldLease {
  key: string;
  validUntil: number;
  lost: boolean;
}

/**
 * The lease the current async work runs under. The GitHub clients refuse a write once it has
 * lapsed, so a replica that stalled past its lease (GC pause, partition) cannot write stale state
 * over the replica that took over: a local fence, checked just before each request is sent.
 */
export const currentLease = new AsyncLocalStorage<HeldLease>();

export class LeaseLostError extends Error {
  readonly status = 503;
  constructor(key: string) {
    super(
      `Gatehouse lost its lease on ${key} before writing; another replica took over, so this write was not sent (GitHub will see the delivery fail and it is recovered by redelivery).`,
    );
    this.name = "LeaseLostError";
  }
}

/** Throws when the current work's lease has lapsed; called before every non-GET request. */
export function assertLeaseHeld(): void {
  const lease = currentLease.getStore();
  if (lease && (lease.lost || performance.now() > lease.validUntil)) throw new LeaseLostError(lease.key);
}

/** Mutual exclusion across replicas on Redis keys: SET NX PX, renewed while held, released by token. */
export class Leases {
  readonly #pollMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: LeaseOptions,
  ) {
    this.#pollMs = options.pollMs ?? 15;
  }

  /** Tries once; the lease (renewed in the background) or undefined when someone else holds the key. */
  async tryAcquire(key: string): Promise<{ held: HeldLease; release: () => Promise<void> } | undefined> {
    const token = randomUUID();
    const { leaseMs } = this.options;
    const sentAt = performance.now();
    const ok = await this.redis.set(key, token, "PX", leaseMs, "NX");
    if (ok !== "OK") return undefined;
    // Keep a margin: our clock starts before Redis's did, so we stop writing before Redis forgets.
    const margin = Math.min(1_000, leaseMs / 5);
    const held: HeldLease = { key, validUntil: sentAt + leaseMs - margin, lost: false };
    const timer = setInterval(() => {
      const renewAt = performance.now();
      this.redis.eval(RENEW, 1, key, token, leaseMs).then(
        (renewed) => {
          if (renewed === 1) held.validUntil = Math.max(held.validUntil, renewAt + leaseMs - margin);
          else held.lost = true;
        },
        // Unreachable Redis: the lease runs out by itself; validUntil stops moving.
        () => undefined,
      );
    }, leaseMs / 3);
    timer.unref();
    return {
      held,
      release: async () => {
        clearInterval(timer);
        await this.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
      },
    };
  }

  /** Waits for the key, then runs `task` under its lease (see `currentLease`). */
  async withLease<T>(key: string, task: (held: HeldLease) => Promise<T>): Promise<T> {
    for (;;) {
      const lease = await this.tryAcquire(key);
      if (lease) {
        try {
          return await currentLease.run(lease.held, () => task(lease.held));
        } finally {
          await lease.release();
        }
      }
      await sleep(this.#pollMs);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
