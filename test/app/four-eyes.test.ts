import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/core/config/load-config.js";
import { shippedChecklist } from "../../src/core/config/resolve-checklist.js";
import { evaluate } from "../../src/core/evaluate/evaluate.js";
import { issueCommentEvent, pullRequestEvent } from "../fixtures/webhooks.js";
import { boxState, CONFIG, createHarness, OWNERS, setBox, teardown, type Harness } from "./harness.js";

const checklist = shippedChecklist("pre-production")!;
const A = "a".repeat(40);
const B = "b".repeat(40);

/** Signs every required item of every required gate, each by its gate's owner; `before` runs ahead of the last gate. */
async function signAll(h: Harness, prNumber: number, before: () => void = () => {}): Promise<void> {
  const gates = checklist.gates.filter((g) => g.required);
  for (const [n, gate] of gates.entries()) {
    if (n === gates.length - 1) before();
    const pr = h.github.pulls.get(prNumber)!;
    const owner = OWNERS[gate.owner]!;
    const tickable = gate.items.filter((i) => i.required && !i.evidence);
    await h.editChecklist(pr, owner, (body) => tickable.reduce((b, item) => setBox(b, `${gate.id}.${item.id}`, true), body));
    for (const item of gate.items.filter((i) => i.required && i.evidence)) {
      const evidence = item.evidence?.link ? "https://pentest.example.com/report.pdf" : "";
      const comment = {
        id: 9000 + n * 10 + gate.items.indexOf(item),
        body: `/signoff ${gate.id}.${item.id} ${evidence}`,
        user: { login: owner, type: "User" },
      };
      h.github.comments.push({ ...comment, issue: prNumber, performed_via_github_app: null, html_url: "", reactions: [] });
      await h.deliver(issueCommentEvent("created", { pr, comment, sender: owner }));
    }
  }
}

describe("four eyes: nobody who wrote the change approves it", () => {
  let h: Harness;
  afterEach(teardown);

  describe("with the shipped config", () => {
    beforeEach(async () => {
      h = await createHarness();
      h.github.addPull({ number: 3, author: "dev", headSha: A });
      await h.deliver(pullRequestEvent("opened", h.github.pulls.get(3)!));
    });
    const pr = () => h.github.pulls.get(3)!;

    it("refuses an owner who pushed a commit to the PR, and records the push with the pusher's id", async () => {
      // sam pushes a commit dev wrote (a rebase, say): the commit list names only dev.
      h.github.pushCommit(3, B, "dev");
      h.github.compares.set(`${A}...${B}`, ["docs/notes.md"]);
      await h.deliver(pullRequestEvent("synchronize", pr(), { before: A, after: B }, OWNERS.security!));
      expect(h.ledger(B).events).toEqual([
        expect.objectContaining({
          kind: "pushed",
          actor: OWNERS.security,
          actorId: h.github.userIdOf(OWNERS.security!),
          sha: B,
          method: "push",
        }),
      ]);

      await h.editChecklist(pr(), OWNERS.security!, (b) => setBox(b, "security.waf", true));
      const body = h.checklistComment(3).body;
      expect(boxState(body, "security.waf")).toBe(false);
      expect(body).toContain("pushed commits to this pull request and cannot sign off its gates");
      expect(h.ledger(B).events.filter((e) => e.kind === "signoff")).toEqual([]);
    });

    it("refuses an owner who authored a commit someone else pushed", async () => {
      h.github.pushCommit(3, B, OWNERS.security!, "dev");
      h.github.compares.set(`${A}...${B}`, ["docs/notes.md"]);
      await h.deliver(pullRequestEvent("synchronize", pr(), { before: A, after: B }, "dev"));
      await h.editChecklist(pr(), OWNERS.security!, (b) => setBox(b, "security.waf", true));
      expect(boxState(h.checklistComment(3).body, "security.waf")).toBe(false);
      expect(h.checklistComment(3).body).toContain("authored commits of this pull request");
    });

    it("records commit authors in the ledger, so the Action and the deployment rule bar them too", async () => {
      await h.editChecklist(pr(), OWNERS.security!, (b) => setBox(b, "security.waf", true));
      h.github.pushCommit(3, B, OWNERS.security!, "dev");
      h.github.compares.set(`${A}...${B}`, ["docs/notes.md"]);
      await h.deliver(pullRequestEvent("synchronize", pr(), { before: A, after: B }, "dev"));
      const ledger = h.ledger(B);
      expect(ledger.events.filter((e) => e.kind === "pushed").map((e) => [e.actor, e.note])).toEqual([
        ["dev", undefined],
        [OWNERS.security, "authored commits of this pull request"],
      ]);
      // What the Action judges: the ledger alone, without the PR's commit list.
      const facts = { number: 3, author: "dev", headSha: B, baseRef: "main", labels: ["release"] };
      const config = loadConfig([{ file: ".github/gatehouse.yml", text: CONFIG }]);
      const security = evaluate({ checklist, config, ledger, pr: facts, now: h.clock.now }).gates.find((g) => g.gate.id === "security")!;
      expect(security.items.find((i) => i.item.id === "waf")!.status).not.toBe("signed");
    });

    it("an owner's sign-off stops counting once they push to the PR", async () => {
      await h.editChecklist(pr(), OWNERS.security!, (b) => setBox(b, "security.waf", true));
      expect(h.ledger(A).events[0]).toMatchObject({
        kind: "signoff",
        actor: OWNERS.security,
        actorId: h.github.userIdOf(OWNERS.security!),
      });
      h.github.pushCommit(3, B, "dev");
      // A push no gate's paths match: nothing is invalidated, yet the pusher's sign-off must not count.
      h.github.compares.set(`${A}...${B}`, ["docs/notes.md"]);
      await h.deliver(pullRequestEvent("synchronize", pr(), { before: A, after: B }, OWNERS.security!));
      expect(h.ledger(B).events.map((e) => e.kind)).toEqual(["signoff", "pushed"]);
      expect(boxState(h.checklistComment(3).body, "security.waf")).toBe(false);
      expect(h.checklistComment(3).body).toContain("who pushed commits to this pull request, which does not count");
    });

    it("a tick with warm caches reads nothing more for four eyes", async () => {
      await h.editChecklist(pr(), OWNERS.security!, (b) => setBox(b, "security.waf", true));
      const mark = h.github.mark();
      await h.editChecklist(pr(), OWNERS.security!, (b) => setBox(b, "security.tls-certificates", true));
      // The comment's deferred re-render reads the comment once (ledger first, view later); nothing else is read.
      const reads = h.github.log.slice(mark).filter((r) => r.method === "GET" && !r.path.includes("/issues/comments/"));
      expect(reads.map((r) => r.path)).toEqual(["/repos/acme/api/pulls/3"]);
    });

    it("a sign-off by someone who left the owner team does not count toward a new approval", async () => {
      await signAll(h, 3, () => {
        h.github.removeTeamMember("acme/security", OWNERS.security!);
        // Past the membership cache's TTL.
        h.clock.now = new Date(h.clock.now.getTime() + 61_000);
      });
      const run = h.github.checkRunsOn(A, "Gatehouse")[0]!;
      expect(run.conclusion).toBe("action_required");
      const body = h.checklistComment(3).body;
      expect(body).toMatch(/sign-offs by @sam on \*\*Security Controls\*\*.*no longer count: @&#8203;sam is no longer an owner/);
      expect(boxState(body, "security.waf")).toBe(false);
      const revokes = h.ledger(A).events.filter((e) => e.kind === "revoke");
      expect(revokes.length).toBeGreaterThan(0);
      expect(revokes.every((e) => e.method === "recheck" && e.gate === "security" && e.actor === "gatehouse")).toBe(true);
    });

    it("a sign-off whose login now belongs to another account does not count", async () => {
      await signAll(h, 3, () => {
        // dana renamed her account; someone else registered "dana".
        h.github.setUser("dana", 99_999_999);
        h.clock.now = new Date(h.clock.now.getTime() + 61_000);
      });
      // dana signed compliance first, so her sign-off was given under the old account's id.
      expect(h.github.checkRunsOn(A, "Gatehouse")[0]!.conclusion).toBe("action_required");
      expect(h.checklistComment(3).body).toMatch(/the login @&#8203;dana now belongs to account 99999999/);
    });

    it("turns green when every signer still qualifies", async () => {
      await signAll(h, 3);
      expect(h.github.checkRunsOn(A, "Gatehouse")[0]!.conclusion).toBe("success");
    });
  });

  it("allow_author lets the people who wrote the PR sign", async () => {
    h = await createHarness({ config: `${CONFIG}allow_author: true\n` });
    h.github.addPull({ number: 4, author: "dev", headSha: A });
    await h.deliver(pullRequestEvent("opened", h.github.pulls.get(4)!));
    h.github.pushCommit(4, B, OWNERS.security!);
    h.github.compares.set(`${A}...${B}`, ["docs/notes.md"]);
    await h.deliver(pullRequestEvent("synchronize", h.github.pulls.get(4)!, { before: A, after: B }, OWNERS.security!));
    await h.editChecklist(h.github.pulls.get(4)!, OWNERS.security!, (b) => setBox(b, "security.waf", true));
    expect(boxState(h.checklistComment(4).body, "security.waf")).toBe(true);
  });
});
