import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { DrainingError, Lifecycle, type LifecycleOptions } from "../../../src/app/runtime/lifecycle.js";
import { replicaFromEnv } from "../../../src/app/runtime/replica-env.js";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(lifecycle: Lifecycle): Promise<(path: string, method?: string) => Promise<{ status: number; body: string }>> {
  const server = createServer((req, res) => {
    void lifecycle.handler(req, res).then((served) => served || res.writeHead(404).end());
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return async (path, method = "GET") => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
    return { status: res.status, body: await res.text() };
  };
}

describe("liveness, readiness and graceful shutdown", () => {
  it("/healthz answers while the process runs; /readyz only when Redis answers and the App can authenticate", async () => {
    let redisUp = true;
    let authOk = true;
    let authCalls = 0;
    let clock = 0;
    const options: LifecycleOptions = {
      redisReachable: async () => redisUp,
      authenticate: async () => {
        authCalls++;
        if (!authOk) throw new Error("401");
      },
      now: () => clock,
    };
    const get = await serve(new Lifecycle(options));
    expect(await get("/healthz")).toEqual({ status: 200, body: "ok\n" });
    expect(await get("/readyz")).toEqual({ status: 200, body: "ok\n" });
    // Cheap: the App's authentication is checked at most once a minute while it works.
    await get("/readyz");
    expect(authCalls).toBe(1);

    redisUp = false;
    expect(await get("/readyz")).toEqual({ status: 503, body: "redis unreachable (REDIS_URL)\n" });
    expect((await get("/healthz")).status).toBe(200);
    redisUp = true;

    authOk = false;
    clock += 61_000;
    expect((await get("/readyz")).status).toBe(503);
    // A failed check is retried at the next probe, not a minute later.
    authOk = true;
    expect((await get("/readyz")).status).toBe(200);
    expect((await get("/readyz", "POST")).status).toBe(405);
    expect((await get("/other")).status).toBe(404);
  });

  it("on shutdown: unready, new webhooks refused with 503, the ones in flight finished, then the deferred work", async () => {
    const lifecycle = new Lifecycle({ authenticate: async () => undefined, drainMs: 5_000 });
    const get = await serve(lifecycle);
    let finish!: () => void;
    const inFlight = lifecycle.track(() => new Promise<string>((resolve) => (finish = () => resolve("written"))));
    const order: string[] = [];
    const drained = lifecycle.drain(async () => {
      order.push("deferred");
    });
    expect(lifecycle.draining).toBe(true);
    expect(await get("/readyz")).toEqual({ status: 503, body: "draining: shutting down\n" });
    const refused = await lifecycle.track(async () => "ran").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DrainingError);
    expect((refused as DrainingError).status).toBe(503);
    expect(order).toEqual([]);
    finish();
    expect(await inFlight).toBe("written");
    expect(await drained).toBe("drained");
    expect(order).toEqual(["deferred"]);
  });

  it("gives up waiting after drainMs", async () => {
    const lifecycle = new Lifecycle({ authenticate: async () => undefined, drainMs: 50 });
    void lifecycle.track(() => new Promise(() => undefined));
    expect(await lifecycle.drain()).toBe("timed out");
  });

  it("reads REDIS_URL, GATEHOUSE_LEASE_MS and GATEHOUSE_SHUTDOWN_SECONDS", () => {
    expect(replicaFromEnv({})).toEqual({ gracefulShutdown: { drainMs: 25_000 } });
    expect(replicaFromEnv({ REDIS_URL: " redis://r:6379 ", GATEHOUSE_LEASE_MS: "2000", GATEHOUSE_SHUTDOWN_SECONDS: "10" })).toEqual({
      redisUrl: "redis://r:6379",
      leaseMs: 2_000,
      gracefulShutdown: { drainMs: 10_000 },
    });
    expect(() => replicaFromEnv({ GATEHOUSE_SHUTDOWN_SECONDS: "-1" })).toThrow(/GATEHOUSE_SHUTDOWN_SECONDS must be a number > 0/);
  });
});
