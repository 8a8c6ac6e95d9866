import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertLeaseHeld, LeaseLostError, Leases, sleep } from "../../../src/app/runtime/lease.js";
import { PrLeases } from "../../../src/app/runtime/pr-leases.js";
import { connectRedis, type RedisCoordination } from "../../../src/app/runtime/redis-coordination.js";
import { DELIVERY_DONE_TTL_S, SharedDeliveries } from "../../../src/app/runtime/shared-deliveries.js";
import { startRedis, type RedisServer } from "../../support/redis-server.js";

/** The coordination pieces against a real redis-server, each "replica" with connections of its own. */
describe("coordination on Redis", () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const coordinations: RedisCoordination[] = [];
  const client = () => {
    const c = new Redis(server.url);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startRedis();
  }, 20_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
    await Promise.all(coordinations.map((c) => c.close()));
    await server?.stop();
  });

  it("a lease excludes other holders, is renewed while held, and is taken over once its holder stops renewing", async () => {
    const a = new Leases(client(), { leaseMs: 300 });
    const b = new Leases(client(), { leaseMs: 300 });
    const held = await a.tryAcquire("test:lease-1");
    expect(held).toBeDefined();
    expect(await b.tryAcquire("test:lease-1")).toBeUndefined();
    // Renewed in the background: still held after more than one lease time.
    await sleep(450);
    expect(await b.tryAcquire("test:lease-1")).toBeUndefined();
    await held!.release();
    const taken = await b.tryAcquire("test:lease-1");
    expect(taken).toBeDefined();
    await taken!.release();
  });

  it("a holder that lost its lease to another replica may not write any more (the fence)", async () => {
    const redis = client();
    const leases = new Leases(redis, { leaseMs: 300 });
    const outcome = await leases.withLease("test:lease-2", async () => {
      assertLeaseHeld();
      // Another replica took over (as after a long pause): the next renewal finds a foreign token.
      await client().set("test:lease-2", "someone-else", "PX", 5_000);
      await sleep(250);
      try {
        assertLeaseHeld();
        return "wrote";
      } catch (error) {
        return error;
      }
    });
    expect(outcome).toBeInstanceOf(LeaseLostError);
    expect((outcome as LeaseLostError).status).toBe(503);
    // Outside any lease (e.g. a handler that writes no ledger), nothing is fenced.
    expect(() => assertLeaseHeld()).not.toThrow();
    // The release did not delete the other replica's lease.
    expect(await redis.get("test:lease-2")).toBe("someone-else");
  });

  it("PR batches on two replicas never overlap, and each drops its cached state when the other wrote since", async () => {
    const a = new PrLeases(client(), new Leases(client(), { leaseMs: 2_000 }));
    const b = new PrLeases(client(), new Leases(client(), { leaseMs: 2_000 }));
    const stale: string[] = [];
    let inside = 0;
    let overlapped = false;
    // Batches that leave no state: a replica that finds another's token can only drop its entry.
    const batch = (name: string, leases: PrLeases) =>
      leases.exclusive(
        "acme/api#1",
        async () => {
          inside++;
          if (inside > 1) overlapped = true;
          await sleep(20);
          inside--;
        },
        { get: () => undefined, set: () => undefined, delete: () => stale.push(name) },
      );
    await batch("a1", a);
    await batch("a2", a);
    await batch("b1", b);
    await batch("a3", a);
    await batch("a4", a);
    // a1: first ever; b1: a wrote since; a3: b wrote since. a2 and a4 follow their own batch.
    expect(stale).toEqual(["a1", "b1", "a3"]);
    await Promise.all([batch("x", a), batch("y", b), batch("z", a), batch("w", b)]);
    expect(overlapped).toBe(false);

    // b wrote last: a's cache is stale. Then Redis restarted empty (or failed over): whatever a replica cached is suspect.
    await batch("b2", b);
    stale.length = 0;
    await batch("a5", a);
    expect(stale).toEqual(["a5"]);
    await batch("a6", a);
    await client().flushall();
    await batch("a7", a);
    expect(stale).toEqual(["a5", "a7"]);
  });

  it("a replica takes the state the PR's last batch left on another replica, unless that batch failed", async () => {
    const a = new PrLeases(client(), new Leases(client(), { leaseMs: 2_000 }));
    const b = new PrLeases(client(), new Leases(client(), { leaseMs: 2_000 }));
    const cacheA = new Map<string, { signed: string[] }>();
    const cacheB = new Map<string, { signed: string[] }>();
    const key = "acme/api#2";
    const sign = (leases: PrLeases, cache: Map<string, { signed: string[] }>, who: string, fail = false) =>
      leases.exclusive(
        key,
        async () => {
          // What a batch does: build on the cached state (or read GitHub when there is none), then cache the result.
          const state = cache.get(key) ?? { signed: ["read from GitHub"] };
          cache.set(key, { signed: [...state.signed, who] });
          if (fail) throw new Error("GitHub answered 502 after the check run was written");
        },
        cache,
      );
    await sign(a, cacheA, "ann");
    await sign(b, cacheB, "bob");
    // b took what a's batch ended with: no read from GitHub.
    expect(cacheB.get(key)).toEqual({ signed: ["read from GitHub", "ann", "bob"] });
    await sign(a, cacheA, "cy");
    expect(cacheA.get(key)).toEqual({ signed: ["read from GitHub", "ann", "bob", "cy"] });

    // A batch on b fails half way: its state is not left for a, which reads GitHub again.
    await sign(b, cacheB, "dee", true).catch(() => undefined);
    await sign(a, cacheA, "eve");
    expect(cacheA.get(key)).toEqual({ signed: ["read from GitHub", "eve"] });
  });

  it("a delivery is applied once across replicas, remembered for a day, and runs again when its handler crashed", async () => {
    const redis = client();
    const replicaA = new SharedDeliveries(redis, new Leases(redis, { leaseMs: 2_000 }));
    const replicaB = new SharedDeliveries(client(), new Leases(client(), { leaseMs: 2_000 }));
    let runs = 0;
    const task = async () => {
      runs++;
      await sleep(50);
    };
    const both = await Promise.all([replicaA.once("guid-1:h", task), replicaB.once("guid-1:h", task)]);
    expect(runs).toBe(1);
    expect(both.sort()).toEqual(["duplicate", "ran"]);
    // A restarted replica (a new instance) still knows it.
    const restarted = new SharedDeliveries(client(), new Leases(client(), { leaseMs: 2_000 }));
    expect(await restarted.once("guid-1:h", task)).toBe("duplicate");
    const ttl = await redis.ttl("gatehouse:delivery-done:guid-1:h");
    expect(ttl).toBeGreaterThan(DELIVERY_DONE_TTL_S - 10);
    expect(ttl).toBeLessThanOrEqual(DELIVERY_DONE_TTL_S);

    // The handler failed: not marked done, so the redelivery (at another replica) runs it.
    await expect(replicaA.once("guid-2:h", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await replicaB.once("guid-2:h", task)).toBe("ran");
    expect(runs).toBe(2);
  });

  it("a replica that crashed while handling a delivery blocks its copy only until the claim's lease runs out", async () => {
    const redis = client();
    // A claim left by a dead replica: never renewed, never released.
    await redis.set("gatehouse:delivery-claim:guid-3:h", "dead-replica", "PX", 300);
    const replica = new SharedDeliveries(client(), new Leases(client(), { leaseMs: 2_000 }));
    let ran = false;
    const started = Date.now();
    expect(
      await replica.once("guid-3:h", async () => {
        ran = true;
      }),
    ).toBe("ran");
    expect(ran).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("a config change seen by one replica invalidates the others' caches", async () => {
    const a = await connectRedis(server.url);
    const b = await connectRedis(server.url);
    coordinations.push(a, b);
    const seenByA: string[] = [];
    const seenByB: string[] = [];
    a.onConfigChanged((key) => seenByA.push(key));
    b.onConfigChanged((key) => seenByB.push(key));
    a.configChanged("acme/api");
    const deadline = Date.now() + 2_000;
    while (seenByB.length === 0 && Date.now() < deadline) await sleep(10);
    expect(seenByB).toEqual(["acme/api"]);
    expect(seenByA).toEqual([]);
    expect(await a.reachable()).toBe(true);
  });
});
