import { beforeAll, describe, expect, it } from "vitest";
import { issueCommentEvent, pullRequestEvent } from "../fixtures/webhooks.js";
import { NO_SWEEP } from "../support/app-process.js";
import type { PullRecord } from "../support/github-stand-in.js";
import { checklistComment, gatehouseRun, inRepository, ledgerOn, releaseRepo, setBox, oneTickPerGate } from "../support/release-repo.js";
import { replicasOnRedis } from "../support/replicas-on-redis.js";
import { sleep, until } from "../support/until.js";
import { WebhookSender } from "../support/webhook-sender.js";

const INSTALLATION = 303;
/** Three owners of three gates: no tick turns the verdict, so each defers its re-render. */
const TICKS = oneTickPerGate(3);

type Tick = { ref: string; owner: string };

/**
 * Coordinating on Redis costs a replica no more reads than running alone (README, "Economy with
 * GitHub"), apart from the re-render reading the PR (another replica may have deferred it): even
 * with another replica idle on the same Redis, the re-render runs where the PR's state is warm.
 */
describe("reads of a replica on Redis (whole process)", () => {
  const repo = releaseRepo({ repo: "reads" });
  const cluster = replicasOnRedis(repo, { GATEHOUSE_COMMENT_WINDOW_SECONDS: "1", ...NO_SWEEP });
  const sender = new WebhookSender(repo);

  beforeAll(async () => {
    const [first] = await Promise.all([cluster.start(), cluster.start(), cluster.start()]);
    // Every webhook goes to the first replica; the others only poll for re-renders owed.
    sender.replicas = [first];
  }, 60_000);

  const here = (event: { name: string; payload: Record<string, unknown> }) =>
    inRepository(event as { name: string; payload: Record<string, any> }, { repo: "reads", installation: INSTALLATION });
  const gets = (from: number, to = repo.log.length) =>
    repo.log
      .slice(from, to)
      .filter((r) => r.method === "GET")
      .map((r) => r.path);
  const commentPatches = (from: number) => repo.log.slice(from).filter((r) => r.method === "PATCH" && r.path.includes("/issues/comments/"));

  /** An owner ticks a box; resolves once the ledger holds it and the comment's re-render was written. */
  async function tick(pr: PullRecord, { ref, owner }: Tick): Promise<{ tick: string[]; render: string[] }> {
    const mark = repo.mark();
    const comment = checklistComment(repo, pr.number);
    const from = comment.body;
    comment.body = setBox(from, ref, true);
    const answer = await sender.deliver(here(issueCommentEvent("edited", { pr, comment: { ...comment }, sender: owner, from })));
    expect(answer.status_code).toBe(200);
    expect(ledgerOn(repo, pr.head.sha).events.some((e) => e.kind === "signoff" && e.actor === owner)).toBe(true);
    const ticked = repo.mark();
    await until("the re-render", () => commentPatches(ticked).length > 0);
    // Anything after the re-render (a second flush, a stale reload) would show here.
    await sleep(1_500);
    return { tick: gets(mark, ticked), render: gets(ticked) };
  }

  async function openPull(number: number): Promise<PullRecord> {
    const pr = repo.addPull({ number, author: "dev", headSha: String(number % 10).repeat(40) });
    await sender.deliver(here(pullRequestEvent("opened", pr)));
    await until("the opened PR's check run", () => gatehouseRun(repo, pr.head.sha) !== undefined);
    return pr;
  }

  it("a tick with warm caches reads the PR once; its re-render reads the PR and the comment", async () => {
    const [first, ...measured] = TICKS;
    // Warm caches: the config and the measured owners' team memberships (on another PR), the PR's commit authors.
    const other = await openPull(31);
    for (const t of measured) await tick(other, t);
    const pr = await openPull(32);
    await tick(pr, first!);

    const api = "/api/v3/repos/acme/reads";
    for (const t of measured) {
      const { tick: reads, render } = await tick(pr, t);
      expect(reads).toEqual([`${api}/pulls/${pr.number}`]);
      expect(render.sort()).toEqual([`${api}/issues/comments/${checklistComment(repo, pr.number).id}`, `${api}/pulls/${pr.number}`]);
    }
  }, 60_000);
});
