import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueCommentEvent, pullRequestEvent } from "../fixtures/webhooks.js";
import { ensureAppBuilt, startApp, type AppProcess, type WebhookEvent } from "../support/app-process.js";
import {
  APP_ID,
  boxState,
  checklistComment,
  gatehouseRun,
  inRepository,
  ledgerOn,
  ownerOf,
  PRE_PRODUCTION,
  releaseRepo,
  setBox,
} from "../support/release-repo.js";
import { SeededFaults } from "../support/seeded-faults.js";
import { serveStandIn, type StandInServer } from "../support/stand-in-server.js";

const HEAD = "c".repeat(40);
const INSTALLATION = 201;

/**
 * The user story (open → every owner signs → green) while GitHub misbehaves: a fifth of all
 * requests answer 502 (seeded, so every run sees the same sequence) and one check-run write
 * hits a secondary rate limit. Like an operator pressing "Redeliver", a delivery the App
 * answered with an error is delivered again with the same id.
 */
describe("faults during a full user story (whole process)", () => {
  const github = releaseRepo({ repo: "faulty" });
  let server: StandInServer;
  let app: AppProcess;

  beforeAll(async () => {
    ensureAppBuilt();
    server = await serveStandIn(github);
    app = await startApp({ githubUrl: server.url, appId: APP_ID });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await server?.close();
  });

  /**
   * Delivers until GitHub would count it delivered (2xx; a handler slower than 9 s gets a 202 and
   * goes on), then waits until the App has acted on it.
   */
  async function deliver(event: WebhookEvent, done: () => boolean): Promise<void> {
    const target = inRepository(event as WebhookEvent & { payload: Record<string, any> }, { repo: "faulty", installation: INSTALLATION });
    let delivery = await app.deliver(target);
    for (let attempt = 1; delivery.status >= 500 && attempt <= 3; attempt++) delivery = await app.deliver(target, { id: delivery.id });
    expect([200, 202], `delivery ${delivery.id} of ${event.name}:\n${app.errors()}`).toContain(delivery.status);
    const deadline = Date.now() + 30_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`the App did not finish ${event.name} ${delivery.id} within 30 s:\n${app.errors()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const signed = (refs: string[]) => () => {
    const run = gatehouseRun(github, HEAD);
    if (!run) return false;
    const events = ledgerOn(github, HEAD).events;
    return (
      refs.every((ref) => events.some((e) => e.kind === "signoff" && `${e.gate}.${e.item}` === ref)) &&
      refs.every((ref) => boxState(checklistComment(github, 3).body, ref))
    );
  };

  it("ends green with every sign-off, and shows no green before the last one", async () => {
    // Never two 502s in a row for one request: Octokit's retry waits 1 s after the first and 4 s
    // after the second, and the story must fit the test budget.
    const faults = new SeededFaults(github, { badGatewayShare: 0.2, seed: 20_26, maxConsecutive: 1 });
    faults.secondaryRateLimitNext((req) => req.method === "PATCH" && req.path.includes("/check-runs/"), 1);
    const pr = github.addPull({ number: 3, author: "dev", headSha: HEAD });
    await deliver(pullRequestEvent("opened", pr), () => gatehouseRun(github, HEAD) !== undefined && github.commentsOn(3).length === 1);

    const gates = PRE_PRODUCTION.gates.filter((g) => g.required);
    let beforeLast = 0;
    for (const [index, gate] of gates.entries()) {
      const owner = ownerOf(gate.owner);
      const last = index === gates.length - 1;
      const comment = checklistComment(github, 3);
      const from = comment.body;
      const tickable = gate.items.filter((i) => !i.evidence);
      comment.body = tickable.reduce((body, item) => setBox(body, `${gate.id}.${item.id}`, true), from);
      if (last) beforeLast = github.checkRunHistory.length;
      await deliver(
        issueCommentEvent("edited", { pr, comment: { ...comment }, sender: owner, from }),
        signed(tickable.map((i) => `${gate.id}.${i.id}`)),
      );
      for (const item of gate.items.filter((i) => i.evidence?.link)) {
        const command = {
          id: 80_000 + index,
          body: `/signoff ${gate.id}.${item.id} https://reports.example.com/${item.id}.pdf`,
          user: { login: owner, type: "User" },
        };
        github.comments.push({ ...command, issue: 3, performed_via_github_app: null, html_url: "", reactions: [] });
        await deliver(
          issueCommentEvent("created", { pr, comment: command, sender: owner }),
          () => github.comments.find((c) => c.id === command.id)!.reactions.length > 0,
        );
        expect(github.comments.find((c) => c.id === command.id)!.reactions).toEqual(["+1"]);
      }
    }
    faults.stop();

    // The faults really happened: 502s on reads and writes, and the one secondary rate limit.
    expect(faults.injected.filter((f) => f.status === 502).length).toBeGreaterThanOrEqual(3);
    expect(faults.injected.filter((f) => f.status === 403)).toHaveLength(1);
    expect(faults.pendingRateLimits).toBe(0);

    const ledger = ledgerOn(github, HEAD);
    const expected = gates.flatMap((g) => g.items.filter((i) => i.required).map((i) => `${g.id}.${i.id}`)).sort();
    expect([...new Set(ledger.events.filter((e) => e.kind === "signoff").map((e) => `${e.gate}.${e.item}`))].sort()).toEqual(expected);
    expect(gatehouseRun(github, HEAD)!.conclusion).toBe("success");
    expect(github.checkRunsOn(HEAD, "Gatehouse")).toHaveLength(1);
    expect(github.commentsOn(3).filter((c) => c.performed_via_github_app)).toHaveLength(1);

    const ours = (s: (typeof github.checkRunHistory)[number]) => s.appId === APP_ID && s.name === "Gatehouse";
    expect(
      github.checkRunHistory
        .slice(0, beforeLast)
        .filter(ours)
        .map((s) => s.conclusion),
    ).not.toContain("success");
    expect(github.checkRunHistory.filter(ours).at(-1)!.conclusion).toBe("success");
  }, 60_000);
});
