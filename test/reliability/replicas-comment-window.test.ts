import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueCommentEvent, pullRequestEvent } from "../fixtures/webhooks.js";
import { ensureAppBuilt, startApp, type AppProcess } from "../support/app-process.js";
import type { PullRecord } from "../support/github-stand-in.js";
import { parseExposition, total } from "../support/prometheus-text.js";
import { startRedis, type RedisServer } from "../support/redis-server.js";
import { APP_ID, checklistComment, inRepository, ledgerOn, releaseRepo, setBox, tickableItems } from "../support/release-repo.js";
import { serveStandIns, type StandInServer } from "../support/stand-in-server.js";
import { WebhookSender } from "../support/webhook-sender.js";

/** Long enough that a few ticks, one after the other, all land in the first window. */
const WINDOW_SECONDS = 3;
const INSTALLATION = 302;
/** Three owners of three gates: no tick turns the verdict. */
const TICKS = tickableItems()
  .filter((t, i, all) => all.findIndex((o) => o.gate === t.gate) === i)
  .slice(0, 3);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, test: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
const signedBy = (body: string, ref: string, login: string) =>
  body.split("\n").some((l) => l.includes(`gatehouse:item ${ref} `) && l.includes("signed by") && l.includes(login));

/** The comment window of replicas on one Redis is per PR: ticks spread over the replicas share one re-render. */
describe("the comment window across replicas (whole processes)", () => {
  const repo = releaseRepo({ repo: "window" });
  let redis: RedisServer;
  let server: StandInServer;
  const sender = new WebhookSender(repo);
  const started: AppProcess[] = [];

  const startReplica = async () => {
    const app = await startApp({
      githubUrl: server.url,
      appId: APP_ID,
      env: { REDIS_URL: redis.url, GATEHOUSE_LEASE_MS: "3000", GATEHOUSE_COMMENT_WINDOW_SECONDS: String(WINDOW_SECONDS) },
    });
    started.push(app);
    return app;
  };

  beforeAll(async () => {
    ensureAppBuilt();
    redis = await startRedis();
    server = await serveStandIns([repo]);
    sender.replicas = await Promise.all([startReplica(), startReplica(), startReplica()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(started.map((a) => a.kill()));
    await server?.close();
    await redis?.stop();
  });

  const here = (event: { name: string; payload: Record<string, unknown> }) =>
    inRepository(event as { name: string; payload: Record<string, any> }, { repo: "window", installation: INSTALLATION });

  async function openPull(number: number): Promise<PullRecord> {
    const pr = repo.addPull({ number, author: "dev", headSha: String(number % 10).repeat(40) });
    expect((await sender.deliver(here(pullRequestEvent("opened", pr)))).status_code).toBe(200);
    return pr;
  }
  /** An owner ticks a box as GitHub stores it (on top of every edit before), then GitHub sends the webhook. */
  const tick = (pr: PullRecord, { ref, owner }: { ref: string; owner: string }, to?: AppProcess) => {
    const comment = checklistComment(repo, pr.number);
    const from = comment.body;
    comment.body = setBox(from, ref, true);
    return sender.deliver(here(issueCommentEvent("edited", { pr, comment: { ...comment }, sender: owner, from })), to ? { to } : {});
  };
  const since = (mark: number, kind: "comments" | "check-runs") =>
    repo.log.slice(mark).filter((r) => r.method === "PATCH" && r.path.includes(kind === "comments" ? "/issues/comments/" : "/check-runs/"));
  const batches = async () => {
    let sum = 0;
    for (const app of sender.replicas)
      sum += total(parseExposition(await (await fetch(`${app.url}/metrics`)).text()), "gatehouse_sync_batch_size_count");
    return sum;
  };
  const signers = (pr: PullRecord) => TICKS.filter(({ ref, owner }) => signedBy(checklistComment(repo, pr.number).body, ref, owner));

  it("owners ticking one PR on three replicas within one window: the ledger per batch at once, one re-render showing them all", async () => {
    const pr = await openPull(21);
    const mark = repo.mark();
    const batchesBefore = await batches();
    // Round-robin: each tick goes to the next replica.
    for (const t of TICKS) expect((await tick(pr, t)).status_code).toBe(200);
    expect(
      ledgerOn(repo, pr.head.sha)
        .events.filter((e) => e.kind === "signoff")
        .map((e) => e.actor),
    ).toEqual(TICKS.map((t) => t.owner));
    expect(since(mark, "check-runs")).toHaveLength(TICKS.length);
    expect(since(mark, "comments")).toHaveLength(0);

    await until("the re-render", () => since(mark, "comments").length > 0);
    expect(signers(pr)).toEqual(TICKS);
    // A window later, nothing else was re-rendered: one batch per tick, and one for the comment on all three replicas.
    await sleep(WINDOW_SECONDS * 1000 + 1000);
    expect(since(mark, "comments")).toHaveLength(1);
    expect((await batches()) - batchesBefore).toBe(TICKS.length + 1);
  }, 60_000);

  it("a command on one replica writes the comment at once, and the re-renders owed on the others are cancelled", async () => {
    const pr = await openPull(22);
    const [first, second, third] = TICKS as [(typeof TICKS)[0], (typeof TICKS)[0], (typeof TICKS)[0]];
    const [a, b, c] = sender.replicas as [AppProcess, AppProcess, AppProcess];
    expect((await tick(pr, first, a)).status_code).toBe(200);
    expect((await tick(pr, second, b)).status_code).toBe(200);
    const mark = repo.mark();
    const batchesBefore = await batches();
    const command = { id: 880_022, body: `/signoff ${third.ref}`, user: { login: third.owner, type: "User" } };
    repo.comments.push({ ...command, issue: pr.number, performed_via_github_app: null, html_url: "", reactions: [] });
    const answer = await sender.deliver(here(issueCommentEvent("created", { pr, comment: command, sender: third.owner })), { to: c });
    expect(answer.status_code).toBe(200);
    expect(since(mark, "comments")).toHaveLength(1);
    expect(signers(pr)).toEqual(TICKS);

    await sleep(WINDOW_SECONDS * 1000 + 1000);
    expect(since(mark, "comments")).toHaveLength(1);
    expect((await batches()) - batchesBefore).toBe(1);
  }, 60_000);

  it("a re-render owed by a replica that dies within the window is written by another", async () => {
    const pr = await openPull(23);
    const victim = sender.replicas[0]!;
    const mark = repo.mark();
    expect((await tick(pr, TICKS[0]!, victim)).status_code).toBe(200);
    await victim.kill();
    sender.replicas = sender.replicas.slice(1);
    await until("the re-render", () => since(mark, "comments").length > 0);
    expect(signers(pr)).toEqual([TICKS[0]]);
  }, 60_000);
});
