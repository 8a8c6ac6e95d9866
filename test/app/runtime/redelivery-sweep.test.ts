import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Leases } from "../../../src/app/runtime/lease.js";
import { Metrics } from "../../../src/app/runtime/metrics.js";
import {
  LocalSweepStore,
  PRESUMED_FAILED_AFTER_MS,
  RedeliverySweep,
  RedisSweepStore,
  type SweepStore,
  sweepFromEnv,
} from "../../../src/app/runtime/redelivery-sweep.js";
import type { GitHubClient } from "../../../src/github/client.js";
import { startRedis, type RedisServer } from "../../support/redis-server.js";

const NOW = new Date("2026-12-02T12:00:00Z");
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

interface Attempt {
  id: number;
  guid: string;
  delivered_at: string;
  status_code: number;
  event: string;
  redelivery: boolean;
}

/** The App's delivery log as GitHub pages it (newest first, two per page), and the redeliveries asked for. */
function fakeGitHub(attempts: Attempt[]) {
  const newestFirst = [...attempts].sort((a, b) => b.delivered_at.localeCompare(a.delivered_at));
  const redelivered: number[] = [];
  let listed = 0;
  const client = {
    paginate: {
      async *iterator(route: string) {
        expect(route).toBe("GET /app/hook/deliveries");
        for (let i = 0; i < newestFirst.length; i += 2) {
          listed += 1;
          yield { data: newestFirst.slice(i, i + 2) };
        }
      },
    },
    async request(route: string, params: { delivery_id: number }) {
      expect(route).toBe("POST /app/hook/deliveries/{delivery_id}/attempts");
      redelivered.push(params.delivery_id);
      return { status: 202 };
    },
  };
  return { client: client as unknown as GitHubClient, redelivered, pages: () => listed };
}

const attempt = (id: number, guid: string, minutesAgo: number, status: number): Attempt => ({
  id,
  guid,
  delivered_at: ago(minutesAgo),
  status_code: status,
  event: "issue_comment",
  redelivery: false,
});

function sweeper(store: SweepStore, github: ReturnType<typeof fakeGitHub>, metrics = new Metrics()) {
  return new RedeliverySweep({
    appClient: async () => github.client,
    store,
    sweep: { windowMs: 6 * 3_600_000, intervalMs: 60_000, paceMs: 0, firstDelayMs: 0 },
    now: () => NOW,
    metrics,
    log: { info: () => undefined, warn: () => undefined },
  });
}

describe("redelivery sweep", () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = await startRedis();
  }, 20_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
    await server?.stop();
  });
  const redisStore = () => {
    const redis = new Redis(server.url);
    clients.push(redis);
    return new RedisSweepStore(redis, new Leases(redis, { leaseMs: 5_000 }));
  };

  it("asks once for each delivery that no attempt delivered, within the window, its latest attempt", async () => {
    const github = fakeGitHub([
      attempt(1, "down", 30, 0), // the App was down: no answer
      attempt(2, "crashed", 20, 502),
      attempt(3, "crashed", 10, 503), // a later attempt failed too: redeliver the latest
      attempt(4, "recovered", 25, 500),
      attempt(5, "recovered", 5, 200), // a later attempt delivered: nothing to do
      attempt(6, "fine", 3, 202),
      attempt(7, "too-old", 7 * 60, 0), // outside the six hours
      attempt(8, "older-still", 8 * 60, 0),
    ]);
    const metrics = new Metrics();
    const sweep = sweeper(new LocalSweepStore(), github, metrics);
    const result = await sweep.sweep();
    expect(result.requested).toEqual([
      { guid: "down", reason: "failed" },
      { guid: "crashed", reason: "failed" },
    ]);
    expect(github.redelivered).toEqual([1, 3]);
    // Paging stopped at the first attempt older than the window.
    expect(github.pages()).toBe(4);
    expect((await metrics.registry.getSingleMetricAsString("gatehouse_redeliveries_requested_total")).includes('reason="failed"} 2')).toBe(
      true,
    );

    // The next sweep sees the same failures (GitHub has not redelivered yet): asked once only.
    expect((await sweep.sweep()).requested).toEqual([]);
    expect(github.redelivered).toEqual([1, 3]);
  });

  it("redelivers a delivery answered 2xx whose handler failed afterwards, until it is handled", async () => {
    for (const store of [new LocalSweepStore(), redisStore()]) {
      const github = fakeGitHub([attempt(10, "late-failure", 2, 202), attempt(11, "late-but-fine", 2, 202)]);
      await store.handlerFailed("late-failure", new Date(NOW.getTime() - 60_000));
      await store.handlerFailed("late-but-fine", new Date(NOW.getTime() - 60_000));
      // The second was handled later (e.g. a manual redelivery): nothing owed.
      expect(await store.handled("late-but-fine")).toBe(false);
      const result = await sweeper(store, github).sweep();
      expect(result.requested).toEqual([{ guid: "late-failure", reason: "handler_failed" }]);
      expect(github.redelivered).toEqual([10]);
      // The redelivery is handled: counted as recovered.
      expect(await store.handled("late-failure")).toBe(true);
    }
  });

  it("a redelivery that failed too is asked for again, at most three times a delivery", async () => {
    const log = [attempt(40, "unlucky", 10, 0)];
    const github = fakeGitHub(log);
    const sweep = sweeper(new LocalSweepStore(), github);
    expect((await sweep.sweep()).requested.map((r) => r.guid)).toEqual(["unlucky"]);
    for (const [i, id] of [41, 42, 43].entries()) {
      // GitHub redelivered it, and that attempt failed as well.
      log.push({ ...attempt(id, "unlucky", 9 - i, 502), redelivery: true });
      const again = fakeGitHub(log);
      const result = await sweeper(new LocalSweepStore(), again).sweep();
      expect(
        result.requested.map((r) => r.guid),
        `after ${i + 1} failed redeliveries`,
      ).toEqual(i < 2 ? ["unlucky"] : []);
      expect(again.redelivered).toEqual(i < 2 ? [id] : []);
    }
  });

  it("a delivery whose replica died after answering 202 is redelivered once it is overdue", async () => {
    const store = redisStore();
    // The handler started 5 minutes ago (recorded as presumed failed from start + 10 min) and its process died.
    const started = new Date(NOW.getTime() - 5 * 60_000);
    await store.handlerFailed("answered-then-crashed", new Date(started.getTime() + PRESUMED_FAILED_AFTER_MS));
    await store.handlerFailed("answered-and-done", new Date(started.getTime() + PRESUMED_FAILED_AFTER_MS));
    await store.handled("answered-and-done");
    const log = [attempt(50, "answered-then-crashed", 5, 202), attempt(51, "answered-and-done", 5, 202)];
    const at = (minutesFromNow: number) =>
      new RedeliverySweep({
        appClient: async () => fakeGitHub(log).client,
        store,
        sweep: { windowMs: 6 * 3_600_000, intervalMs: 60_000, paceMs: 0, firstDelayMs: 0 },
        now: () => new Date(NOW.getTime() + minutesFromNow * 60_000),
        metrics: new Metrics(),
        log: { info: () => undefined, warn: () => undefined },
      });
    // Still within what a live handler could take: not yet.
    expect((await at(0).sweep()).requested).toEqual([]);
    expect((await at(6).sweep()).requested).toEqual([{ guid: "answered-then-crashed", reason: "handler_failed" }]);
  });

  it("one replica sweeps at a time; the others skip", async () => {
    const github = fakeGitHub([attempt(20, "down-2", 1, 0)]);
    const a = redisStore();
    const b = redisStore();
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const running = a.exclusive(() => {
      holding();
      return blocked;
    });
    // b sweeps only once a surely holds the lock.
    await held;
    const skipped = await sweeper(b, github).sweep();
    expect(skipped.skipped).toBe(true);
    expect(github.redelivered).toEqual([]);
    release();
    expect(await running).toBe(true);
    const ran = await sweeper(b, github).sweep();
    expect(ran.requested.map((r) => r.guid)).toEqual(["down-2"]);
  });

  it("a failed redelivery request may be asked again at the next sweep", async () => {
    const github = fakeGitHub([attempt(30, "flaky", 1, 0)]);
    const store = new LocalSweepStore();
    const failing = { ...github.client, request: async () => Promise.reject(new Error("GitHub 502")) } as unknown as GitHubClient;
    const metrics = new Metrics();
    const first = new RedeliverySweep({
      appClient: async () => failing,
      store,
      sweep: { windowMs: 3_600_000, intervalMs: 60_000, paceMs: 0, firstDelayMs: 0 },
      now: () => NOW,
      metrics,
      log: { info: () => undefined, warn: () => undefined },
    });
    expect((await first.sweep()).requested).toEqual([]);
    expect(await metrics.registry.getSingleMetricAsString("gatehouse_redelivery_sweep_errors_total")).toContain(
      "gatehouse_redelivery_sweep_errors_total 1",
    );
    expect((await sweeper(store, github).sweep()).requested.map((r) => r.guid)).toEqual(["flaky"]);
  });

  it("reads its window and interval from the environment, and refuses nonsense", () => {
    expect(sweepFromEnv({})).toMatchObject({ windowMs: 6 * 3_600_000, intervalMs: 300_000 });
    expect(sweepFromEnv({ GATEHOUSE_REDELIVERY_WINDOW_HOURS: "0.5", GATEHOUSE_REDELIVERY_INTERVAL_SECONDS: "30" })).toMatchObject({
      windowMs: 1_800_000,
      intervalMs: 30_000,
    });
    expect(() => sweepFromEnv({ GATEHOUSE_REDELIVERY_WINDOW_HOURS: "six" })).toThrow(/GATEHOUSE_REDELIVERY_WINDOW_HOURS must be a number/);
  });
});
