import { beforeAll, describe, expect, it } from "vitest";
import { issueCommentEvent, pullRequestEvent } from "../fixtures/webhooks.js";
import type { AppProcess } from "../support/app-process.js";
import type { GitHubStandIn } from "../support/github-stand-in.js";
import { parseExposition, total } from "../support/prometheus-text.js";
import { startRedis } from "../support/redis-server.js";
import {
  boxState,
  checklistComment,
  gatehouseRun,
  inRepository,
  ledgerOn,
  releaseRepo,
  setBox,
  ROLE_TEAMS,
  ownerOf,
} from "../support/release-repo.js";
import { replicasOnRedis } from "../support/replicas-on-redis.js";
import { until } from "../support/until.js";
import { WebhookSender } from "../support/webhook-sender.js";

/** Five gates of six items, one role each: 30 items, each signed by an owner of its own. */
const ROLES = Object.keys(ROLE_TEAMS);
const THIRTY = ROLES.flatMap((role) => [1, 2, 3, 4, 5, 6].map((n) => ({ role, n }))).map(({ role, n }) => ({
  ref: `${role}.item-${n}`,
  owner: ownerOf(role, n),
}));
const CHECKLIST = `id: thirty
title: Thirty sign-offs
gates:
${ROLES.map((role) => `  - id: ${role}\n    title: ${role}\n    owner: ${role}\n    items:\n${[1, 2, 3, 4, 5, 6].map((n) => `      - id: item-${n}\n        title: Item ${n} of ${role}`).join("\n")}`).join("\n")}
`;
const CONFIG = `checklist: .github/checklists/thirty.yml
owners:
${ROLES.map((role) => `  ${role}: ["@${ROLE_TEAMS[role]}"]`).join("\n")}
release:
  branches: ["release/*"]
  labels: ["release"]
`;
const INSTALLATION = 301;

function repoWithThirty(): GitHubStandIn {
  const repo = releaseRepo({ repo: "replicas", config: CONFIG, membersPerTeam: 6 });
  repo.files.set(".github/checklists/thirty.yml", CHECKLIST);
  return repo;
}

/** Whole processes, one Redis: three replicas behind a round-robin "load balancer", and GitHub's delivery log. */
describe("replicas on Redis (whole processes)", () => {
  const repo = repoWithThirty();
  const cluster = replicasOnRedis(repo, {
    GATEHOUSE_LEASE_MS: "3000",
    GATEHOUSE_REDELIVERY_INTERVAL_SECONDS: "1",
    GATEHOUSE_SHUTDOWN_SECONDS: "10",
  });
  const sender = new WebhookSender(repo);

  const startReplicas = async (n: number) => {
    sender.replicas = await Promise.all(Array.from({ length: n }, () => cluster.start()));
  };

  beforeAll(() => startReplicas(3), 60_000);

  /** Points a fixture at this repository and installation. */
  const here = (event: { name: string; payload: Record<string, unknown> }) =>
    inRepository(event as { name: string; payload: Record<string, any> }, { repo: "replicas", installation: INSTALLATION });

  /** Opens a release PR through the replicas; each owner's tick is an edit of the comment as it was then. */
  async function openPull(number: number, sha: string) {
    const pr = repo.addPull({ number, author: "dev", headSha: sha });
    // Setup, not the subject: on a loaded machine the opening may be answered 202 (still running) or
    // 503 (refused; the sweep redelivers it), so wait for its result rather than for a 200.
    await sender.deliver(here(pullRequestEvent("opened", pr)));
    await until("the opened PR's check run", () => gatehouseRun(repo, sha) !== undefined);
    const comment = checklistComment(repo, number);
    const base = comment.body;
    const tick = (ref: string, owner: string) =>
      here(issueCommentEvent("edited", { pr, comment: { ...comment, body: setBox(base, ref, true) }, sender: owner, from: base }));
    return { pr, base, tick };
  }

  const signed = (sha: string) =>
    new Set(
      ledgerOn(repo, sha)
        .events.filter((e) => e.kind === "signoff")
        .map((e) => `${e.gate}.${e.item} by ${e.actor}`),
    );
  const everyone = THIRTY.map((t) => `${t.ref} by ${t.owner}`);
  const batches = async () => {
    let sum = 0;
    for (const app of sender.replicas) {
      const text = await (await fetch(`${app.url}/metrics`)).text();
      sum += total(parseExposition(text), "gatehouse_sync_batch_size_count");
    }
    return sum;
  };

  it("30 owners tick one PR at once across three replicas: all 30 in the ledger, green once, one comment, group-commit writes", async () => {
    const head = "1".repeat(40);
    const { tick } = await openPull(11, head);
    const batchesBefore = await batches();
    const mark = repo.mark();

    const answers = await Promise.all(THIRTY.map(({ ref, owner }) => sender.deliver(tick(ref, owner))));

    // 200, or 202 when the handler outlived Probot's answer on a loaded machine (GitHub counts both
    // as delivered; the handler still applies the tick): nothing may be refused or fail.
    expect(answers.filter((a) => a.status_code !== 200 && a.status_code !== 202)).toEqual([]);
    await until("every tick in the ledger", () => signed(head).size === 30);
    await until("every box ticked in the comment", () => THIRTY.every(({ ref }) => boxState(checklistComment(repo, 11).body, ref)));
    expect([...signed(head)].sort()).toEqual([...everyone].sort());
    expect(gatehouseRun(repo, head)!.conclusion).toBe("success");
    expect(repo.checkRunHistory.filter((s) => s.head_sha === head && s.conclusion === "success")).toHaveLength(1);
    expect(repo.commentsOn(11).filter((c) => c.performed_via_github_app)).toHaveLength(1);
    // Group commit across replicas: a batch writes the check run and at most the comment.
    const written = (await batches()) - batchesBefore;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(30);
    const writes = repo.log.slice(mark).filter((r) => r.method !== "GET" && /check-runs|comments/.test(r.path)).length;
    expect(writes).toBeLessThanOrEqual(2 * written + 1);
  }, 60_000);

  /**
   * Each of these deliveries was asked to be redelivered, once per failed attempt and never for an
   * attempt that succeeded (a redelivery that fails too, on a loaded machine, is asked for again), at most 3 times.
   */
  const redeliveredOnce = (guids: string[]) => {
    for (const guid of guids) {
      const attempts = repo.hookDeliveries.filter((d) => d.guid === guid);
      const asked = repo.redeliveryRequests.filter((id) => attempts.some((a) => a.id === id));
      expect(asked.length, guid).toBeGreaterThanOrEqual(1);
      expect(asked.length, guid).toBeLessThanOrEqual(3);
      expect(new Set(asked).size, guid).toBe(asked.length);
      for (const id of asked) {
        const status = attempts.find((a) => a.id === id)!.status_code;
        expect(status < 200 || status >= 300, `${guid} attempt ${id} answered ${status}`).toBe(true);
      }
    }
  };

  it("a replica killed with SIGKILL mid-burst loses nothing: what it never answered is redelivered and applied", async () => {
    const head = "2".repeat(40);
    const { tick } = await openPull(12, head);
    const victim = sender.replicas[1]!;
    // The burst's first write is held until the victim is dead: it dies with deliveries in flight.
    let killed: Promise<void> | undefined;
    repo.hold = (req) => {
      if (killed || req.method === "GET" || !/check-runs/.test(req.path)) return undefined;
      killed = victim.kill();
      return killed;
    };
    const answers = await Promise.all(THIRTY.map(({ ref, owner }) => sender.deliver(tick(ref, owner))));
    repo.hold = undefined;
    // Answered 202 (Probot's answer to a slow handler) counts as delivered for GitHub: it is applied by the handler still running.
    const lost = answers.filter((a) => a.status_code < 200 || a.status_code >= 300);
    expect(lost.length).toBeGreaterThan(0);
    expect(victim.exitCode()).toBeNull();

    sender.replicas[1] = await cluster.start();
    await until("every tick in the ledger", () => signed(head).size === 30, 45_000);
    // Every delivery GitHub saw fail is redelivered (some were applied before the crash: those are duplicates).
    const requested = () => new Set(repo.redeliveryRequests.map((id) => repo.hookDeliveries.find((d) => d.id === id)!.guid));
    await until("a redelivery of every lost delivery", () => lost.every((a) => requested().has(a.guid)));
    await sender.redeliveriesAnswered();
    expect([...signed(head)].sort()).toEqual([...everyone].sort());
    expect(ledgerOn(repo, head).events.filter((e) => e.kind === "signoff")).toHaveLength(30);
    expect(gatehouseRun(repo, head)!.conclusion).toBe("success");
    // A redelivery sent to the dead replica before its restart fails too, and is asked for again.
    redeliveredOnce(lost.map((a) => a.guid));
  }, 90_000);

  it("ticks and a /signoff sent while the service is down are redelivered once it starts, and applied once", async () => {
    const head = "3".repeat(40);
    const { pr, tick } = await openPull(13, head);
    const stopping = sender.replicas;
    await Promise.all(stopping.map((a) => a.stop()));
    // Graceful: SIGTERM drains and exits 0.
    expect(stopping.map((a) => a.exitCode())).toEqual([0, 0, 0]);
    sender.replicas = [];

    const five = THIRTY.slice(0, 5);
    const command = THIRTY[29]!;
    const commentId = 777_013;
    const commandBody = `/signoff ${command.ref}`;
    // GitHub stores the comment whether or not the App hears of it.
    repo.comments.push({
      id: commentId,
      issue: 13,
      body: commandBody,
      user: { login: command.owner, type: "User" },
      performed_via_github_app: null,
      html_url: "",
      reactions: [],
    });
    const missed = await Promise.all([
      ...five.map(({ ref, owner }) => sender.deliver(tick(ref, owner))),
      sender.deliver(
        here(
          issueCommentEvent("created", {
            pr,
            comment: { id: commentId, body: commandBody, user: { login: command.owner, type: "User" } },
            sender: command.owner,
          }),
        ),
      ),
    ]);
    expect(missed.map((m) => m.status_code)).toEqual([0, 0, 0, 0, 0, 0]);

    await startReplicas(3);
    const expected = [...five, command].map((t) => `${t.ref} by ${t.owner}`);
    await until("the missed sign-offs in the ledger", () => expected.every((e) => signed(head).has(e)));
    await sender.redeliveriesAnswered();
    expect([...signed(head)].sort()).toEqual(expected.sort());
    expect(ledgerOn(repo, head).events.filter((e) => e.kind === "signoff")).toHaveLength(6);
    // The comment is a view, re-rendered within the comment window.
    await until("the boxes ticked in the comment", () => five.every(({ ref }) => boxState(checklistComment(repo, 13).body, ref)));
    redeliveredOnce(missed.map((m) => m.guid));
    // The reaction follows the ledger write (a redelivery answered 202 may still be running).
    await until("the command's reaction", () => repo.comments.find((c) => c.id === commentId)!.reactions.length > 0);
    expect(repo.comments.find((c) => c.id === commentId)!.reactions).toEqual(["+1"]);
  }, 60_000);

  it("one delivery at two replicas at once, and its redelivery at a third, is applied once", async () => {
    const head = "4".repeat(40);
    const { tick } = await openPull(14, head);
    const [a, b, c] = sender.replicas as [AppProcess, AppProcess, AppProcess];
    const event = tick(THIRTY[0]!.ref, THIRTY[0]!.owner);
    const both = await Promise.all([sender.deliver(event, { id: "twice-14", to: a }), sender.deliver(event, { id: "twice-14", to: b })]);
    expect(both.map((d) => d.status_code)).toEqual([200, 200]);
    expect(ledgerOn(repo, head).events.map((e) => `${e.kind} ${e.gate}.${e.item}`)).toEqual([`signoff ${THIRTY[0]!.ref}`]);

    const mark = repo.mark();
    expect((await sender.deliver(event, { id: "twice-14", to: c, redelivery: true })).status_code).toBe(200);
    expect(repo.log.slice(mark).filter((r) => r.method !== "GET")).toEqual([]);
    expect(ledgerOn(repo, head).events).toHaveLength(1);
  }, 60_000);

  it("while Redis is down, webhooks are refused with 503 and replicas are unready; once it is back, the sweep recovers them", async () => {
    const head = "5".repeat(40);
    const { tick } = await openPull(15, head);
    await cluster.redis.stop();
    const [first, second] = THIRTY;
    const refused = await sender.deliver(tick(first!.ref, first!.owner));
    expect(refused.status_code).toBe(503);
    expect((await fetch(`${sender.replicas[0]!.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${sender.replicas[0]!.url}/healthz`)).status).toBe(200);
    expect(signed(head).size).toBe(0);

    cluster.redis = await startRedis({ port: cluster.redis.port });
    const deadline = Date.now() + 15_000;
    while ((await fetch(`${sender.replicas[0]!.url}/readyz`)).status !== 200) {
      if (Date.now() > deadline)
        throw new Error(
          `no replica became ready after Redis came back: ${await (await fetch(`${sender.replicas[0]!.url}/readyz`)).text()}\n${sender.replicas[0]!.output().slice(-3000)}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await sender.deliver(tick(second!.ref, second!.owner))).status_code).toBe(200);
    await until("the refused tick redelivered", () => signed(head).has(`${first!.ref} by ${first!.owner}`));
    await sender.redeliveriesAnswered();
    expect([...signed(head)].sort()).toEqual([`${first!.ref} by ${first!.owner}`, `${second!.ref} by ${second!.owner}`].sort());
    redeliveredOnce([refused.guid]);
  }, 60_000);
});
