import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectRedis, type RedisCoordination } from "../../src/app/runtime/redis-coordination.js";
import { WriteSpacing } from "../../src/github/write-spacing.js";
import { startRedis, type RedisServer } from "../support/redis-server.js";

/** As shipped: a burst of 4, then one write a second. */
const SPACING = { burst: 4, perSecond: 1 };
const SECOND = 1_000;

/** Each "replica" with its own connections, as connectRedis makes them in production. */
describe("write spacing shared on Redis", () => {
  let server: RedisServer;
  const replicas: RedisCoordination[] = [];
  const replica = async () => {
    const coordination = await connectRedis(server.url);
    replicas.push(coordination);
    return new WriteSpacing(SPACING, coordination.redis);
  };

  beforeAll(async () => {
    server = await startRedis();
  }, 20_000);
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await server?.stop();
  });

  it("two replicas share one installation's budget; another installation is not delayed", async () => {
    const [a, b] = [await replica(), await replica()];
    const done: { who: string; at: number }[] = [];
    const start = performance.now();
    // Ten writes for installation 7, alternately from each replica.
    const seven = Array.from({ length: 10 }, (_, i) =>
      (i % 2 ? b : a).acquire("7").then(() => void done.push({ who: "7", at: performance.now() - start })),
    );
    // Installation 8's burst while 7 is backlogged.
    while (done.length < 4) await new Promise((r) => setTimeout(r, 10));
    const eight = Array.from({ length: 4 }, () => b.acquire("8").then(() => void done.push({ who: "8", at: performance.now() - start })));
    await Promise.all([...seven, ...eight]);

    const sevens = done.filter((d) => d.who === "7").map((d) => d.at);
    // One budget for both replicas: a burst of 4 (two separate budgets would let 8 through), then one a second.
    expect(sevens.filter((at) => at < sevens[0]! + SECOND - 100)).toHaveLength(4);
    expect(sevens[9]! - sevens[0]!).toBeGreaterThan(6 * SECOND - 100);
    // Installation 8 went out before installation 7's backlog: its writes are the 5th to 8th let through.
    expect(done.slice(4, 8).map((d) => d.who)).toEqual(["8", "8", "8", "8"]);
  }, 30_000);

  it("while Redis is down, writes are still spaced (per replica) and nothing hangs; once it is back, the budget is shared again", async () => {
    const a = await replica();
    const b = await replica();
    await server.stop();
    const done: number[] = [];
    const down = Array.from({ length: 5 }, () => a.acquire("9").then(() => void done.push(performance.now())));
    while (done.length < 4) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toHaveLength(4);
    await Promise.all(down);

    // Redis restarted empty (its scripts forgotten too): the limiter uses it again and the replicas share it.
    server = await startRedis({ port: server.port });
    while (!(await replicas.at(-1)!.reachable()) || !(await replicas.at(-2)!.reachable())) await new Promise((r) => setTimeout(r, 50));
    await Promise.all(Array.from({ length: 4 }, () => a.acquire("10")));
    expect(Number(await replicas.at(-1)!.redis.get("gatehouse:write-burst:10"))).toBe(3);
    // Replica b finds installation 10's burst spent by replica a: it waits for the next steady write.
    const asked = performance.now();
    await b.acquire("10");
    expect(performance.now() - asked).toBeGreaterThan(SECOND / 2);
  }, 30_000);
});
