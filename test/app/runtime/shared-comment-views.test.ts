import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLUSH_ATTEMPTS, type DeferredRender, type Views } from "../../../src/app/runtime/comment-views.js";
import { sleep } from "../../../src/app/runtime/lease.js";
import { DUE, SharedCommentViews } from "../../../src/app/runtime/shared-comment-views.js";
import type { GitHubClient } from "../../../src/github/client.js";
import { startRedis, type RedisServer } from "../../support/redis-server.js";

const WINDOW_MS = 300;
const INSTALLATION = 42;
const REPO = { owner: "acme", repo: "api" };

/** Deferred re-renders of replicas sharing one redis-server, each with a connection and clients of its own. */
describe("comment views shared by replicas on Redis", () => {
  let server: RedisServer;
  const connections: Redis[] = [];
  const replicas: Views[] = [];
  /** Every flush, with the replica that ran it and the client it ran with. */
  let flushes: { replica: string; number: number; gh: GitHubClient }[] = [];

  beforeAll(async () => {
    server = await startRedis();
  }, 20_000);
  afterAll(async () => {
    for (const r of replicas) r.close();
    await Promise.all(connections.map((c) => c.quit().catch(() => undefined)));
    await server?.stop();
  });

  function replica(
    name: string,
    options: {
      flush?: (render: DeferredRender) => Promise<unknown>;
      claimMs?: number;
      onFlushError?: (key: string, e: unknown, retry: boolean) => void;
    } = {},
  ) {
    const redis = new Redis(server.url);
    connections.push(redis);
    // The replica's own client for the installation: a re-render deferred elsewhere is written with it.
    const gh = { replica: name } as unknown as GitHubClient;
    const views = new SharedCommentViews(redis, {
      windowMs: WINDOW_MS,
      pollMs: 20,
      whenIdle: async () => {},
      flush:
        options.flush ??
        (async (render) => {
          flushes.push({ replica: name, number: render.number, gh: render.gh });
        }),
      installations: { of: (client) => (client === gh ? INSTALLATION : undefined), client: async () => gh },
      ...(options.claimMs ? { claimMs: options.claimMs } : {}),
      ...(options.onFlushError ? { onFlushError: options.onFlushError } : {}),
    });
    replicas.push(views);
    return { views, gh, redis };
  }
  const ask = (r: { views: Views; gh: GitHubClient }, number: number) =>
    r.views.defer(`acme/api#${number}`, { gh: r.gh, repo: REPO, number });
  async function until(what: string, test: () => boolean): Promise<void> {
    for (let i = 0; !test(); i++) {
      if (i > 500) throw new Error(`timed out waiting for ${what}`);
      await sleep(10);
    }
  }

  it("asks on three replicas within one window share one re-render", async () => {
    flushes = [];
    const [a, b, c] = [replica("a"), replica("b"), replica("c")];
    ask(a, 1);
    ask(b, 1);
    ask(c, 1);
    ask(a, 2);
    await Promise.all([a.views.settled(), b.views.settled(), c.views.settled()]);
    expect(flushes.map((f) => f.number).sort()).toEqual([1, 2]);
    // Whoever took it wrote with its own client for the installation.
    for (const f of flushes) expect(f.gh).toEqual({ replica: f.replica });
    // Once re-rendered, the next ask starts a new window.
    ask(b, 1);
    await b.views.settled();
    expect(flushes.filter((f) => f.number === 1)).toHaveLength(2);
    for (const r of [a, b, c]) r.views.close();
  });

  it("an urgent write on one replica cancels the re-render another replica asked for", async () => {
    flushes = [];
    const [a, b] = [replica("a"), replica("b")];
    ask(a, 3);
    // The urgent write comes after the ask has reached Redis (as it does across a PR's lease).
    while ((await b.redis.zscore(DUE, "acme/api#3")) === null) await sleep(5);
    b.views.wrote("acme/api#3");
    await b.views.settled();
    await a.views.settled();
    // One more window, in case anyone still held it.
    await sleep(2 * WINDOW_MS);
    expect(flushes).toEqual([]);
    for (const r of [a, b]) r.views.close();
  });

  it("a re-render asked for by a replica that died is written by another after the window", async () => {
    flushes = [];
    const a = replica("a");
    ask(a, 4);
    // It dies before the window ends: it never polls again, its connection goes.
    await sleep(20);
    a.views.close();
    a.redis.disconnect();
    const b = replica("b");
    await until("the re-render", () => flushes.length === 1);
    expect(flushes[0]!.replica).toBe("b");
    expect(flushes[0]!.number).toBe(4);
    b.views.close();
  });

  it("a re-render whose replica died while writing it is taken over once its claim lapses", async () => {
    flushes = [];
    let started = false;
    const a = replica("a", {
      claimMs: 400,
      flush: () => {
        started = true;
        return new Promise(() => {});
      },
    });
    ask(a, 5);
    await until("the first replica's flush", () => started);
    a.views.close();
    a.redis.disconnect();
    const b = replica("b");
    await until("the re-render", () => flushes.length === 1);
    expect(flushes[0]).toMatchObject({ replica: "b", number: 5 });
    b.views.close();
  });

  it("a re-render that failed is asked for again, and given up after a few tries", async () => {
    flushes = [];
    const retries: boolean[] = [];
    let failures = 1;
    const a = replica("a", {
      flush: async (render) => {
        flushes.push({ replica: "a", number: render.number, gh: render.gh });
        if (failures-- > 0) throw new Error("GitHub answered 502");
      },
      onFlushError: (_key, _error, retry) => retries.push(retry),
    });
    ask(a, 6);
    await a.views.settled();
    expect(flushes.map((f) => f.number)).toEqual([6, 6]);
    expect(retries).toEqual([true]);

    flushes = [];
    retries.length = 0;
    failures = Number.POSITIVE_INFINITY;
    ask(a, 6);
    await a.views.settled();
    expect(flushes).toHaveLength(FLUSH_ATTEMPTS);
    expect(retries).toEqual([...Array(FLUSH_ATTEMPTS - 1).fill(true), false]);
    expect(await a.redis.zscore(DUE, "acme/api#6")).toBeNull();
    a.views.close();
  });
});
