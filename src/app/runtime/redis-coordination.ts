import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { Leases } from "./lease.js";
import type { Metrics } from "./metrics.js";
import { PrLeases } from "./pr-leases.js";
import type { Coordination } from "./runtime.js";
import { SharedDeliveries } from "./shared-deliveries.js";

const CONFIG_CHANNEL = "gatehouse:config-changed";
/** A replica that died holding a PR is taken over after this long (renewed every third of it while alive). */
export const DEFAULT_LEASE_MS = 5_000;

export interface RedisCoordination extends Coordination {
  redis: Redis;
  leases: Leases;
  /** Whether Redis answers now (readiness). */
  reachable(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Connects the replica to Redis (REDIS_URL). Commands fail at once while Redis is unreachable
 * (no offline queue): events are then refused with 503 and recovered by redelivery, never
 * handled without coordination.
 */
export async function connectRedis(
  url: string,
  options: { leaseMs?: number; metrics?: Metrics; log?: { warn: (obj: object, msg: string) => void } } = {},
): Promise<RedisCoordination> {
  const connect = () =>
    new Redis(url, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2_000,
      // A command to a Redis that stopped answering fails instead of holding a webhook forever.
      commandTimeout: 2_000,
      retryStrategy: (times) => Math.min(times * 100, 2_000),
    });
  const redis = connect();
  const subscriber = connect();
  let lastError = "";
  for (const client of [redis, subscriber]) {
    client.on("error", (error: Error) => {
      options.metrics?.redisErrors.inc();
      // One line per distinct failure, not one per retry.
      if (error.message !== lastError)
        options.log?.warn({ err: error }, "Redis unreachable: webhooks are refused with 503 until it is back");
      lastError = error.message;
    });
    client.on("ready", () => (lastError = ""));
  }
  await Promise.all([ready(redis), ready(subscriber)]);

  const leases = new Leases(redis, { leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS });
  const prLeases = new PrLeases(redis, leases);
  const self = randomUUID();
  const listeners: ((key: string) => void)[] = [];
  await subscriber.subscribe(CONFIG_CHANNEL);
  subscriber.on("message", (_channel: string, message: string) => {
    const { from, key } = JSON.parse(message) as { from: string; key: string };
    if (from !== self) for (const listener of listeners) listener(key);
  });

  return {
    redis,
    leases,
    deliveries: new SharedDeliveries(redis, leases),
    exclusive: prLeases.exclusive,
    configChanged: (key) => {
      // Best effort: the others' caches also expire within CONFIG_TTL_MS.
      redis.publish(CONFIG_CHANNEL, JSON.stringify({ from: self, key })).catch(() => undefined);
    },
    onConfigChanged: (listener) => listeners.push(listener),
    reachable: () =>
      redis.ping().then(
        (pong) => pong === "PONG",
        () => false,
      ),
    close: async () => {
      await Promise.allSettled([redis.quit(), subscriber.quit()]);
    },
  };
}

/** Resolves once the client is connected; waits out a Redis that is still starting (up to ~10 s). */
async function ready(client: Redis): Promise<void> {
  if (client.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `Gatehouse could not reach Redis at REDIS_URL within 10 s (${client.status}); check that it runs and the URL is right.`,
          ),
        ),
      10_000,
    );
    client.once("ready", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
