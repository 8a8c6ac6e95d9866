import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullRequestEvent } from "../fixtures/webhooks.js";
import { ensureAppBuilt, startApp, type AppProcess } from "../support/app-process.js";
import { startRedis, type RedisServer } from "../support/redis-server.js";
import { APP_ID, gatehouseRun, inRepository, releaseRepo } from "../support/release-repo.js";
import { serveStandIns, type StandInServer } from "../support/stand-in-server.js";
import { WebhookSender } from "../support/webhook-sender.js";

/** The write spacing as shipped: 4 writes per 4 s window per installation. */
const BURST = 4;
const WINDOW_MS = 4_000;
const INSTALLATION = 302;

/**
 * The most writes a fixed window of BURST per WINDOW_MS lets through within `ms`: the windows it
 * touches (at most ms / WINDOW_MS + 2, each starting at its first write), BURST each. `slackMs` covers
 * the time from a replica's slot to the stand-in's receipt of the write.
 */
const mostWithin = (ms: number, slackMs = 250) => BURST * (Math.floor((ms + slackMs) / WINDOW_MS) + 2);

/** Two whole processes on one Redis, both writing for one installation. */
describe("write spacing across replicas (whole processes)", () => {
  const repo = releaseRepo({ repo: "spacing" });
  let redis: RedisServer;
  let server: StandInServer;
  const sender = new WebhookSender(repo);
  const started: AppProcess[] = [];
  /** When each write to the repository reached GitHub (ms, this process's clock). */
  const writes: number[] = [];

  beforeAll(async () => {
    ensureAppBuilt();
    redis = await startRedis();
    server = await serveStandIns([repo]);
    repo.fault = (req) => {
      if (req.method !== "GET" && /^(\/api\/v3)?\/repos\//.test(req.path)) writes.push(performance.now());
      return undefined;
    };
    const replica = () => startApp({ githubUrl: server.url, appId: APP_ID, env: { REDIS_URL: redis.url } });
    sender.replicas = await Promise.all([replica(), replica()]);
    started.push(...sender.replicas);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(started.map((a) => a.kill()));
    await server?.close();
    await redis?.stop();
  });

  it("eight PRs opened at once through two replicas: one installation's writes stay within one shared window", async () => {
    const prs = Array.from({ length: 8 }, (_, i) =>
      repo.addPull({ number: 40 + i, author: "dev", headSha: `${(i + 10).toString(16)}`.repeat(20) }),
    );
    const answers = await Promise.all(
      prs.map((pr) => sender.deliver(inRepository(pullRequestEvent("opened", pr), { repo: "spacing", installation: INSTALLATION }))),
    );
    // 202: Probot's answer to a handler still waiting for its writes' turn.
    expect(answers.every((a) => a.status_code === 200 || a.status_code === 202)).toBe(true);
    const deadline = Date.now() + 90_000;
    const written = () => prs.every((pr) => gatehouseRun(repo, pr.head.sha) && repo.commentsOn(pr.number).length > 0);
    while (!written()) {
      if (Date.now() > deadline) throw new Error("not every PR got its check run and comment");
      await new Promise((r) => setTimeout(r, 100));
    }

    // Enough writes to need several windows; in any stretch of time, no more than one shared window allows.
    expect(writes.length).toBeGreaterThan(3 * BURST);
    for (let i = 0; i < writes.length; i++) {
      for (let j = i; j < writes.length; j++) {
        const within = j - i + 1;
        expect(within, `writes ${i + 1} to ${j + 1} within ${Math.round(writes[j]! - writes[i]!)} ms`).toBeLessThanOrEqual(
          mostWithin(writes[j]! - writes[i]!),
        );
      }
    }
  }, 120_000);
});
