import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pullRequestEvent } from "../fixtures/webhooks.js";
import { CONFIG, createHarness, teardown, type Harness } from "./harness.js";

const HEAD = "d".repeat(40);

/** GitHub removes the label, then tells the App who did. */
async function removeLabel(h: Harness, number: number, sender: string): Promise<void> {
  const pr = h.github.pulls.get(number)!;
  pr.labels = pr.labels.filter((l) => l.name !== "release");
  await h.deliver(pullRequestEvent("unlabeled", pr, { label: { id: 1, name: "release", color: "ededed", default: false } }, sender));
}

describe("the release label keeps a gated PR gated", () => {
  let h: Harness;
  afterEach(teardown);

  describe("with the shipped config", () => {
    beforeEach(async () => {
      h = await createHarness({ config: `${CONFIG}release_managers: ["@acme/release", "@rita"]\n` });
      // A label-based release PR: its base is not a release branch.
      h.github.addPull({ number: 5, author: "dev", headSha: HEAD, base: { ref: "main" }, labels: [{ name: "release" }] });
      await h.deliver(pullRequestEvent("opened", h.github.pulls.get(5)!));
      h.github.repoRoles.set("dev", "write");
      h.github.repoRoles.set("mona", "maintain");
    });
    const check = () => h.github.checkRunsOn(HEAD, "Gatehouse")[0]!;

    it("reverts a removal by someone who is neither maintainer nor release manager, and says why", async () => {
      await removeLabel(h, 5, "dev");
      expect(h.github.pulls.get(5)!.labels.map((l) => l.name)).toEqual(["release"]);
      expect(check().conclusion).toBe("action_required");
      const body = h.checklistComment(5).body;
      expect(body).toContain("removed the release label **release**");
      expect(body).toContain("Gatehouse put the label back; this PR stays gated");
      expect(body).toContain("role here: write");
      expect(h.ledger(HEAD).events).toEqual([
        expect.objectContaining({
          kind: "relabel",
          actor: "dev",
          actorId: h.github.userIdOf("dev"),
          role: "write",
          gate: "",
          method: "label",
        }),
      ]);
    });

    it("the echo of the label Gatehouse put back keeps the explanation", async () => {
      await removeLabel(h, 5, "dev");
      const body = h.checklistComment(5).body;
      const mark = h.github.mark();
      await h.deliver(pullRequestEvent("labeled", h.github.pulls.get(5)!, { label: { id: 1, name: "release" } }, "gatehouse[bot]"));
      expect(h.github.countsSince(mark)).toEqual({ reads: 0, writes: 0 });
      expect(h.checklistComment(5).body).toBe(body);
    });

    it("a maintainer's removal un-gates the PR, and the check and the ledger say who did it", async () => {
      await removeLabel(h, 5, "mona");
      expect(h.github.pulls.get(5)!.labels).toEqual([]);
      expect(check().conclusion).toBe("neutral");
      expect(check().output.summary).toContain("@&#8203;mona \\(maintain\\) removed the release label on 2026-11-25, so not a release PR");
      expect(h.ledger(HEAD).events).toEqual([
        expect.objectContaining({ kind: "unlabel", actor: "mona", role: "maintain", method: "label" }),
      ]);
    });

    it("later label changes keep naming who un-gated the PR", async () => {
      await removeLabel(h, 5, "mona");
      const summary = check().output.summary;
      const pr = h.github.pulls.get(5)!;
      pr.labels = [];
      const mark = h.github.mark();
      await h.deliver(pullRequestEvent("unlabeled", pr, { label: { id: 2, name: "docs" } }, "dev"));
      expect(h.github.countsSince(mark).writes).toBe(0);
      expect(check().output.summary).toBe(summary);
    });

    it("a release manager's removal (a listed user or a team member) is allowed", async () => {
      h.github.addTeamMember("acme/release", "rob");
      await removeLabel(h, 5, "rob");
      expect(check().conclusion).toBe("neutral");
      expect(h.ledger(HEAD).events.at(-1)).toMatchObject({
        kind: "unlabel",
        actor: "rob",
        role: "release manager (member of @acme/release)",
      });
    });

    it("when the label cannot be put back, the check stays failing and the comment says so", async () => {
      h.github.fault = (req) =>
        req.method === "POST" && req.path.endsWith("/issues/5/labels")
          ? { status: 403, body: { message: "Resource not accessible by integration" } }
          : undefined;
      await expect(removeLabel(h, 5, "dev")).rejects.toThrow();
      expect(check().conclusion).toBe("action_required");
      expect(h.checklistComment(5).body).toContain("Gatehouse could not put the label back");
      expect(h.ledger(HEAD).events.at(-1)).toMatchObject({ kind: "relabel", note: expect.stringContaining("could not put it back") });
    });

    it("someone without access is reverted too", async () => {
      await removeLabel(h, 5, "mallory");
      expect(h.github.pulls.get(5)!.labels.map((l) => l.name)).toEqual(["release"]);
      expect(h.ledger(HEAD).events.at(-1)).toMatchObject({ kind: "relabel", actor: "mallory", role: "no access" });
    });
  });

  it("a PR Gatehouse never gated is left alone", async () => {
    h = await createHarness();
    h.github.addPull({ number: 6, author: "dev", headSha: HEAD, base: { ref: "main" }, labels: [{ name: "release" }, { name: "docs" }] });
    const pr = h.github.pulls.get(6)!;
    pr.labels = [{ name: "docs" }];
    const mark = h.github.mark();
    await h.deliver(pullRequestEvent("unlabeled", pr, { label: { id: 1, name: "release" } }, "dev"));
    expect(h.github.countsSince(mark).writes).toBe(0);
    expect(pr.labels).toEqual([{ name: "docs" }]);
  });
});
