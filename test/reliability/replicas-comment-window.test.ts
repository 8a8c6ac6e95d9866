import { Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { DUE } from "../../src/app/runtime/shared-comment-views.js";
import { issueCommentEvent, pullRequestEvent } from "../fixtures/webhooks.js";
import { NO_SWEEP, type AppProcess } from "../support/app-process.js";
import type { PullRecord } from "../support/github-stand-in.js";
import { parseExposition, total } from "../support/prometheus-text.js";
import { checklistComment, gatehouseRun, inRepository, ledgerOn, releaseRepo, setBox, oneTickPerGate } from "../support/release-repo.js";
import { replicasOnRedis } from "../support/replicas-on-redis.js";
import { sleep, until } from "../support/until.js";
import { WebhookSender } from "../support/webhook-sender.js";

/** Long enough that a few ticks, one after the other, land in the first window even on a loaded machine. */
const WINDOW_SECONDS = 10;
const INSTALLATION = 302;
/** Three owners of three gates: no tick turns the verdict. */
const TICKS = oneTickPerGate(3);
type Tick = { ref: string; owner: string };

const signedBy = (body: string, ref: string, login: string) =>
  body.split("\n").some((l) => l.includes(`gatehouse:item ${ref} `) && l.includes("signed by") && l.includes(login));

/** The comment window of replicas on one Redis is per PR: ticks spread over the replicas share one re-render. */
describe("the comment window across replicas (whole processes)", () => {
  const repo = releaseRepo({ repo: "window" });
  const cluster = replicasOnRedis(repo, {
    GATEHOUSE_LEASE_MS: "3000",
    GATEHOUSE_COMMENT_WINDOW_SECONDS: String(WINDOW_SECONDS),
    ...NO_SWEEP,
  });
  const sender = new WebhookSender(repo);

  beforeAll(async () => {
    sender.replicas = await Promise.all([cluster.start(), cluster.start(), cluster.start()]);
  }, 90_000);

  const here = (event: { name: string; payload: Record<string, unknown> }) =>
    inRepository(event as { name: string; payload: Record<string, any> }, { repo: "window", installation: INSTALLATION });

  async function openPull(number: number): Promise<PullRecord> {
    const pr = repo.addPull({ number, author: "dev", headSha: String(number % 10).repeat(40) });
    await sender.deliver(here(pullRequestEvent("opened", pr)));
    await until("the opened PR's check run", () => gatehouseRun(repo, pr.head.sha) !== undefined);
    return pr;
  }
  const signed = (pr: PullRecord, owner: string) =>
    ledgerOn(repo, pr.head.sha).events.some((e) => e.kind === "signoff" && e.actor === owner);
  /**
   * An owner ticks a box as GitHub stores it (on top of every edit before), GitHub sends the
   * webhook, and the tick is in the ledger (200, or 202 when a loaded machine answered early).
   */
  const tick = async (pr: PullRecord, { ref, owner }: Tick, to?: AppProcess) => {
    const comment = checklistComment(repo, pr.number);
    const from = comment.body;
    comment.body = setBox(from, ref, true);
    const answer = await sender.deliver(
      here(issueCommentEvent("edited", { pr, comment: { ...comment }, sender: owner, from })),
      to ? { to } : {},
    );
    expect([200, 202]).toContain(answer.status_code);
    await until(`${owner}'s tick in the ledger`, () => signed(pr, owner));
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
    for (const t of TICKS) await tick(pr, t);
    expect(since(mark, "check-runs")).toHaveLength(TICKS.length);
    expect(since(mark, "comments")).toHaveLength(0);

    await until("the re-render", () => since(mark, "comments").length > 0);
    expect(signers(pr)).toEqual(TICKS);
    // A window later, nothing else was re-rendered: one batch per tick, and one for the comment on all three replicas.
    await sleep(WINDOW_SECONDS * 1000);
    expect(since(mark, "comments")).toHaveLength(1);
    expect((await batches()) - batchesBefore).toBe(TICKS.length + 1);
  }, 90_000);

  it("a command on one replica writes the comment at once, and the re-renders owed on the others are cancelled", async () => {
    const pr = await openPull(22);
    const [first, second, third] = [TICKS[0]!, TICKS[1]!, TICKS[2]!];
    const [a, b, c] = sender.replicas as [AppProcess, AppProcess, AppProcess];
    await tick(pr, first, a);
    await tick(pr, second, b);
    const mark = repo.mark();
    const batchesBefore = await batches();
    const command = { id: 880_022, body: `/signoff ${third.ref}`, user: { login: third.owner, type: "User" } };
    repo.comments.push({ ...command, issue: pr.number, performed_via_github_app: null, html_url: "", reactions: [] });
    await sender.deliver(here(issueCommentEvent("created", { pr, comment: command, sender: third.owner })), { to: c });
    await until("the command's re-render", () => since(mark, "comments").length > 0);
    expect(signers(pr)).toEqual(TICKS);

    await sleep(WINDOW_SECONDS * 1000);
    expect(since(mark, "comments")).toHaveLength(1);
    expect((await batches()) - batchesBefore).toBe(1);
  }, 90_000);

  it("a re-render owed by a replica that dies within the window is written by another", async () => {
    const pr = await openPull(23);
    const victim = sender.replicas[0]!;
    const mark = repo.mark();
    await tick(pr, TICKS[0]!, victim);
    // It dies once the re-render it owes is recorded (at once, unless the machine is loaded).
    const client = new Redis(cluster.redis.url);
    await until("the re-render owed", async () => (await client.zscore(DUE, `acme/window#${pr.number}`)) !== null);
    await client.quit();
    await victim.kill();
    sender.replicas = sender.replicas.slice(1);
    await until("the re-render", () => since(mark, "comments").length > 0);
    expect(signers(pr)).toEqual([TICKS[0]]);
  }, 90_000);
});
