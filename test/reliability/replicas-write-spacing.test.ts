import { beforeAll, describe, expect, it } from "vitest";
import { pullRequestEvent } from "../fixtures/webhooks.js";
import { NO_SWEEP } from "../support/app-process.js";
import { gatehouseRun, inRepository, releaseRepo } from "../support/release-repo.js";
import { replicasOnRedis } from "../support/replicas-on-redis.js";
import { WebhookSender } from "../support/webhook-sender.js";

/** The write spacing as shipped: a burst of 4 (one steady write and 3 more, back every 20 s), then 1 write a second. */
const BURST_EXTRA = 3;
const BURST_WINDOW_MS = 20_000;
const INSTALLATION = 302;

/**
 * The most writes the shipped spacing lets through within `ms`: steady windows start at least 1 s
 * apart, each with one write at its start; burst windows (BURST_EXTRA writes each) start at least
 * BURST_WINDOW_MS apart, and `ms` touches at most ms / BURST_WINDOW_MS + 2 of them. `slackMs` covers
 * the time from a replica's slot to the stand-in's receipt of the write.
 */
const mostWithin = (ms: number, slackMs = 250) =>
  Math.floor((ms + slackMs) / 1_000) + 1 + BURST_EXTRA * (Math.floor((ms + slackMs) / BURST_WINDOW_MS) + 2);

/** Two whole processes on one Redis, both writing for one installation. */
describe("write spacing across replicas (whole processes)", () => {
  const repo = releaseRepo({ repo: "spacing" });
  const cluster = replicasOnRedis(repo, NO_SWEEP);
  const sender = new WebhookSender(repo);
  /** When each write to the repository reached GitHub (ms, this process's clock). */
  const writes: number[] = [];

  beforeAll(async () => {
    repo.fault = (req) => {
      if (req.method !== "GET" && /^(\/api\/v3)?\/repos\//.test(req.path)) writes.push(performance.now());
      return undefined;
    };
    sender.replicas = await Promise.all([cluster.start(), cluster.start()]);
  }, 60_000);

  it("eight PRs opened at once through two replicas: one installation's writes stay within one shared budget", async () => {
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
    expect(writes.length).toBeGreaterThan(12);
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
