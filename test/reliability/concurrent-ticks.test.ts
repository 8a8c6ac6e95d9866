import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueCommentEvent, pullRequestEvent } from "../fixtures/webhooks.js";
import { ensureAppBuilt, NO_SWEEP, startApp, type AppProcess } from "../support/app-process.js";
import {
  APP_ID,
  boxState,
  checklistComment,
  gatehouseRun,
  inRepository,
  ledgerOn,
  releaseRepo,
  setBox,
  tickableItems,
} from "../support/release-repo.js";
import { serveStandIns, type StandInServer } from "../support/stand-in-server.js";
import { until } from "../support/until.js";

/** The App as shipped, in its own process, against the stand-in over HTTP, with signed webhooks. */
describe.concurrent("concurrent and repeated deliveries (whole process)", () => {
  const burst = releaseRepo({ repo: "burst" });
  const redelivery = releaseRepo({ repo: "redelivery" });
  // The tests run at once: each has its own repository, so one's writes and faults never reach another's counts.
  const reanswer = releaseRepo({ repo: "reanswer" });
  let server: StandInServer;
  let app: AppProcess;

  beforeAll(async () => {
    ensureAppBuilt();
    server = await serveStandIns([burst, redelivery, reanswer]);
    app = await startApp({ githubUrl: server.url, appId: APP_ID, env: NO_SWEEP });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await server?.close();
  });

  it("20 owners tick at once on one PR: every sign-off reaches the ledger and the comment", async () => {
    const head = "a".repeat(40);
    const pr = burst.addPull({ number: 1, author: "dev", headSha: head });
    const opened = await app.deliver(inRepository(pullRequestEvent("opened", pr), { repo: "burst", installation: 101 }));
    expect(opened.status, app.errors()).toBe(200);
    const comment = checklistComment(burst, 1);
    const base = comment.body;
    const twenty = tickableItems().slice(0, 20);
    expect(new Set(twenty.map((t) => t.owner)).size).toBe(20);

    // Each owner's browser ticks one box of the same version; GitHub keeps the last edit.
    const deliveries = await Promise.all(
      twenty.map(({ ref, owner }) => {
        const body = setBox(base, ref, true);
        comment.body = body;
        return app.deliver(
          inRepository(issueCommentEvent("edited", { pr, comment: { ...comment, body }, sender: owner, from: base }), {
            repo: "burst",
            installation: 101,
          }),
        );
      }),
    );

    expect(deliveries.map((d) => d.status)).toEqual(twenty.map(() => 200));
    const signed = ledgerOn(burst, head).events.filter((e) => e.kind === "signoff");
    expect(signed.map((e) => `${e.gate}.${e.item} by ${e.actor}`).sort()).toEqual(twenty.map((t) => `${t.ref} by ${t.owner}`).sort());
    // The comment follows within its window (ledger first, view later), with every box ticked.
    await until("the comment showing every tick", () => twenty.every(({ ref }) => boxState(checklistComment(burst, 1).body, ref)));
    // Items are still unsigned (two support items, the penetration test): never green.
    expect(gatehouseRun(burst, head)!.conclusion).toBe("action_required");
    expect(burst.checkRunHistory.some((s) => s.conclusion === "success")).toBe(false);
  }, 30_000);

  it("the same delivery twice is applied once, even after a later event changed the state", async () => {
    const head = "b".repeat(40);
    const pr = redelivery.addPull({ number: 2, author: "dev", headSha: head });
    const opened = inRepository(pullRequestEvent("opened", pr), { repo: "redelivery", installation: 102 });
    await app.deliver(opened, { id: "delivery-open" });
    // GitHub's "Redeliver" of the opening: no second comment, no second check run.
    const mark = redelivery.mark();
    expect((await app.deliver(opened, { id: "delivery-open" })).status).toBe(200);
    expect(redelivery.countsSince(mark).writes, JSON.stringify(redelivery.log.slice(mark))).toBe(0);
    expect(redelivery.commentsOn(2)).toHaveLength(1);

    const comment = checklistComment(redelivery, 2);
    const base = comment.body;
    const ticked = setBox(base, "security.waf", true);
    // GitHub stores the owner's edit before it sends the webhook.
    comment.body = ticked;
    const tick = inRepository(
      issueCommentEvent("edited", { pr, comment: { ...comment, body: ticked }, sender: "security-owner-1", from: base }),
      { repo: "redelivery", installation: 102 },
    );
    // Delivered twice at the same moment, then the owner unticks, then the tick is redelivered.
    const both = await Promise.all([app.deliver(tick, { id: "delivery-tick" }), app.deliver(tick, { id: "delivery-tick" })]);
    expect(both.map((d) => d.status)).toEqual([200, 200]);
    expect(ledgerOn(redelivery, head).events.map((e) => `${e.kind} ${e.gate}.${e.item}`)).toEqual(["signoff security.waf"]);

    const afterTick = checklistComment(redelivery, 2).body;
    const unticked = setBox(afterTick, "security.waf", false);
    comment.body = unticked;
    await app.deliver(
      inRepository(
        issueCommentEvent("edited", { pr, comment: { ...comment, body: unticked }, sender: "security-owner-1", from: afterTick }),
        { repo: "redelivery", installation: 102 },
      ),
      { id: "delivery-untick" },
    );
    const beforeRedelivery = redelivery.mark();
    expect((await app.deliver(tick, { id: "delivery-tick" })).status).toBe(200);

    expect(redelivery.countsSince(beforeRedelivery)).toEqual({ reads: 0, writes: 0 });
    expect(ledgerOn(redelivery, head).events.map((e) => `${e.kind} ${e.gate}.${e.item}`)).toEqual([
      "signoff security.waf",
      "revoke security.waf",
    ]);
    expect(boxState(checklistComment(redelivery, 2).body, "security.waf")).toBe(false);
  }, 30_000);

  it("a /signoff whose answer failed is applied once when GitHub delivers it again", async () => {
    const head = "c".repeat(40);
    const pr = reanswer.addPull({ number: 3, author: "dev", headSha: head });
    await app.deliver(inRepository(pullRequestEvent("opened", pr), { repo: "reanswer", installation: 103 }));
    const command = { id: 3_001, body: "/signoff security.waf", user: { login: "security-owner-1", type: "User" } };
    reanswer.comments.push({
      ...command,
      issue: 3,
      performed_via_github_app: null,
      html_url: `https://github.com/acme/reanswer/pull/3#issuecomment-${command.id}`,
      reactions: [],
    });
    const event = inRepository(issueCommentEvent("created", { pr, comment: command, sender: "security-owner-1" }), {
      repo: "reanswer",
      installation: 103,
    });
    // The ledger is written, then the acknowledging reaction fails: GitHub sees the delivery fail.
    reanswer.fault = (req) =>
      /\/reactions$/.test(req.path) ? { status: 403, body: { message: "Resource not accessible by integration" } } : undefined;
    expect((await app.deliver(event, { id: "delivery-command" })).status).toBeGreaterThanOrEqual(400);
    reanswer.fault = undefined;
    const signoffs = () => ledgerOn(reanswer, head).events.filter((e) => e.kind === "signoff");
    expect(signoffs()).toHaveLength(1);

    expect((await app.deliver(event, { id: "delivery-command" })).status).toBe(200);
    expect(signoffs().map((e) => `${e.gate}.${e.item} by ${e.actor} from ${e.source}`)).toEqual([
      "security.waf by security-owner-1 from comment:3001",
    ]);
    expect(reanswer.comments.find((c) => c.id === command.id)!.reactions).toEqual(["+1"]);
  }, 30_000);
});
