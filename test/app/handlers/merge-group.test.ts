import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_GROUP_ENTRIES } from "../../../src/github/merge-group-pulls.js";
import { mergeGroupEvent, pullRequestEvent } from "../../fixtures/webhooks.js";
import type { PullRecord } from "../../support/github-stand-in.js";
import { createHarness, OWNERS, setBox, teardown, type Harness } from "../harness.js";

const BASE = "0".repeat(40);
const sha = (c: string) => c.repeat(40);

const CONFIG = `checklist: .github/checklists/launch.yml
owners:
  security: ["@acme/security"]
`;

const CHECKLIST = `id: launch
title: Launch
gates:
  - id: security
    title: Security review
    owner: security
    items:
      - { id: review, title: Threat model reviewed }
`;

describe("merge queue: the group's check covers every PR the group carries", () => {
  let h: Harness;
  let pulls: Record<number, PullRecord>;
  beforeEach(async () => {
    h = await createHarness();
    h.github.files.set(".github/gatehouse.yml", CONFIG);
    h.github.files.set(".github/checklists/launch.yml", CHECKLIST);
    pulls = {};
    for (const [n, head] of [
      [4, sha("4")],
      [5, sha("5")],
      [6, sha("6")],
    ] as const) {
      pulls[n] = h.github.addPull({ number: n, author: "dev", headSha: head, title: `Release part ${n}` });
      await h.deliver(pullRequestEvent("opened", pulls[n]!));
    }
  });
  afterEach(teardown);

  const approve = (n: number) => h.editChecklist(pulls[n]!, OWNERS.security!, (b) => setBox(b, "security.review", true));
  const groupCheck = (head: string) => {
    const runs = h.github.checkRunsOn(head, "Gatehouse");
    expect(runs).toHaveLength(1);
    return runs[0]!;
  };
  const queue = async (named: number, entries: { pr: number; sha: string; method: "merge" | "squash"; queuedHead?: string }[]) => {
    const { headSha } = h.github.addMergeGroup({ baseSha: BASE, entries: entries.map((e) => ({ ...e, pr: pulls[e.pr]! })) });
    await h.deliver(mergeGroupEvent(named, headSha, "main", BASE));
    return groupCheck(headSha);
  };

  it("fails the group's commit when a PR queued ahead is not approved, naming it, though the named PR is", async () => {
    await approve(5);
    const run = await queue(5, [
      { pr: 4, sha: sha("a"), method: "merge" },
      { pr: 5, sha: sha("b"), method: "merge" },
    ]);
    expect(run).toMatchObject({ conclusion: "failure", app: { id: expect.any(Number) } });
    expect(run.output.title).toBe("#4 is not approved");
    expect(run.output.summary).toContain("This merge group carries 2 pull requests");
    expect(run.output.summary).toMatch(
      /⛔ \[\\#&#8203;4\]\(<https:\/\/github\.com\/acme\/api\/pull\/4>\) at `4444444`: 0 of 1 required gate/,
    );
    expect(run.output.summary).toMatch(/✅ \[\\#&#8203;5\]\(<[^>]+>\) at `5555555`: 1 of 1 required gate approved/);
  });

  it("passes when every PR is approved at its queued head, finding squash entries from GitHub's message", async () => {
    for (const n of [4, 5, 6]) await approve(n);
    const mark = h.github.mark();
    const run = await queue(6, [
      { pr: 4, sha: sha("a"), method: "squash" },
      { pr: 5, sha: sha("b"), method: "merge" },
      { pr: 6, sha: sha("c"), method: "squash" },
    ]);
    expect(run).toMatchObject({ conclusion: "success", output: { title: "All 3 PRs in the group approved" } });
    // One compare, one lookup per entry ahead of the named PR, then per PR its pull and its check runs; one write.
    expect(h.github.countsSince(mark)).toEqual({ reads: 1 + 2 + 3 * 2, writes: 1 });
  });

  it("fails a PR whose queued head is not its approved head", async () => {
    await approve(4);
    await approve(5);
    // #4 was queued at an earlier head; its sign-offs are for the one it has now.
    const run = await queue(5, [
      { pr: 4, sha: sha("a"), method: "merge", queuedHead: sha("9") },
      { pr: 5, sha: sha("b"), method: "merge" },
    ]);
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toContain("at `9999999`: its head moved to 4444444 after it was queued; sign-offs hold for one commit");
  });

  it(`fails closed, saying why, beyond ${MAX_GROUP_ENTRIES} queue entries`, async () => {
    await approve(5);
    const entries = Array.from({ length: MAX_GROUP_ENTRIES + 1 }, (_, i) => ({
      pr: 5,
      sha: (i + 1).toString(16).padStart(40, "e"),
      method: "squash" as const,
    }));
    const mark = h.github.mark();
    const run = await queue(5, entries);
    expect(run).toMatchObject({ conclusion: "failure", output: { title: "Merge group not checked" } });
    expect(run.output.summary).toContain(`the group holds more than ${MAX_GROUP_ENTRIES} queue entries`);
    expect(h.github.countsSince(mark).reads).toBe(1);
  });

  it("fails closed on a group commit that belongs to no pull request", async () => {
    await approve(5);
    h.github.commitGraph.set(sha("a"), { parents: [BASE], message: "Direct change" });
    h.github.commitGraph.set(sha("b"), { parents: [sha("a")], message: "Release part 5 (#5)" });
    await h.deliver(mergeGroupEvent(5, sha("b"), "main", BASE));
    const run = groupCheck(sha("b"));
    expect(run).toMatchObject({ conclusion: "failure", output: { title: "Merge group not checked" } });
    expect(run.output.summary).toContain("commit aaaaaaa of the group belongs to no pull request Gatehouse can find");
  });
});
