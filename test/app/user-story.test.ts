import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { shippedChecklist } from "../../src/core/config/resolve-checklist.js";
import { issueCommentEvent, pullRequestEvent } from "../fixtures/webhooks.js";
import { APP_ID, boxState, createHarness, OWNERS, setBox, teardown, type Harness } from "./harness.js";

const checklist = shippedChecklist("pre-production")!;
const HEAD = "a".repeat(40);

describe("release PR user story: open → owners tick → green", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(teardown);

  it("posts one comment and an action_required check, then turns green when every owner has signed", async () => {
    const pr = h.github.addPull({ number: 7, author: "dev", headSha: HEAD, base: { ref: "main" }, labels: [{ name: "release" }] });

    await h.deliver(pullRequestEvent("opened", pr));
    expect(h.github.log.length).toBeLessThanOrEqual(5);
    expect(h.github.commentsOn(7)).toHaveLength(1);
    const [run] = h.github.checkRunsOn(HEAD, "Gatehouse");
    expect(run).toMatchObject({ status: "completed", conclusion: "action_required", app: { id: APP_ID } });
    expect(run!.details_url).toBe(h.checklistComment(7).html_url);
    expect(run!.actions).toEqual([
      { label: "Sign off my gates", description: "Sign every pending item you own", identifier: "signoff-mine" },
    ]);
    expect(run!.output.title).toMatch(/0 of 5/);
    // Owners of pending gates are mentioned when the comment is created, so they hear of it once.
    expect(h.checklistComment(7).body).toContain("@acme/security");

    for (const gate of checklist.gates.filter((g) => g.required)) {
      const owner = OWNERS[gate.owner]!;
      const tickable = gate.items.filter((i) => i.required && !i.evidence);
      await h.editChecklist(pr, owner, (body) => tickable.reduce((b, item) => setBox(b, `${gate.id}.${item.id}`, true), body));
      for (const item of tickable) expect(boxState(h.checklistComment(7).body, `${gate.id}.${item.id}`)).toBe(true);
      for (const item of gate.items.filter((i) => i.required && i.evidence)) {
        const evidence = item.evidence?.link ? "https://pentest.example.com/report-2026.pdf" : "";
        const comment = {
          id: 9000 + Math.floor(Math.random() * 1000),
          body: `/signoff ${gate.id}.${item.id} ${evidence}`,
          user: { login: owner, type: "User" },
        };
        h.github.comments.push({ ...comment, issue: 7, performed_via_github_app: null, html_url: "", reactions: [] });
        await h.deliver(issueCommentEvent("created", { pr, comment, sender: owner }));
        expect(h.github.comments.find((c) => c.id === comment.id)!.reactions).toEqual(["+1"]);
      }
    }

    const final = h.github.checkRunsOn(HEAD, "Gatehouse");
    expect(final).toHaveLength(1);
    expect(final[0]!.conclusion).toBe("success");
    expect(final[0]!.actions).toEqual([]);
    const ledger = h.ledger(HEAD);
    const signers = new Set(ledger.events.map((e) => e.actor));
    expect(signers).toEqual(new Set(Object.values(OWNERS)));
    for (const event of ledger.events) {
      expect(event).toMatchObject({ kind: "signoff", sha: HEAD, at: "2026-11-25T12:00:00.000Z" });
      expect(event.role).toBe(checklist.gates.find((g) => g.id === event.gate)!.owner);
    }
    expect(h.github.commentsOn(7).filter((c) => c.user.type === "Bot")).toHaveLength(1);
  });

  it("a tick by an owner with warm caches costs one write and one read; the comment follows with one read and one write", async () => {
    const pr = h.github.addPull({ number: 8, author: "dev", headSha: HEAD });
    await h.deliver(pullRequestEvent("opened", pr));
    await h.editChecklist(pr, OWNERS.security!, (b) => setBox(b, "security.waf", true));
    h.github.resetLog();
    await h.editChecklist(pr, OWNERS.security!, (b) => setBox(b, "security.rate-limits", true));
    // The tick: one check-run write and the PR read; then the deferred re-render: one comment read and write.
    expect(h.github.log.map((r) => `${r.method} ${r.path.replace(/\/\d+$/, "/:id")}`)).toEqual([
      "GET /repos/acme/api/pulls/:id",
      "PATCH /repos/acme/api/check-runs/:id",
      "GET /repos/acme/api/issues/comments/:id",
      "PATCH /repos/acme/api/issues/comments/:id",
    ]);
    expect(h.ledger(HEAD).events.map((e) => e.item)).toEqual(["waf", "rate-limits"]);
  });

  it("the app's own edit and a non-release PR cost at most one read and no writes", async () => {
    const pr = h.github.addPull({ number: 9, author: "dev", headSha: HEAD });
    await h.deliver(pullRequestEvent("opened", pr));
    const comment = h.checklistComment(9);
    h.github.resetLog();
    await h.deliver(issueCommentEvent("edited", { pr, comment, sender: comment.user.login, senderType: "Bot", from: comment.body }));
    expect(h.github.log).toEqual([]);

    const other = h.github.addPull({ number: 10, author: "dev", headSha: "b".repeat(40), labels: [], base: { ref: "main" } });
    await h.deliver(pullRequestEvent("opened", other));
    expect(h.github.reads()).toBeLessThanOrEqual(1);
    expect(h.github.writes()).toBe(0);
    expect(h.github.commentsOn(10)).toEqual([]);
    expect(h.github.checkRunsOn(other.head.sha)).toEqual([]);
  });
});
