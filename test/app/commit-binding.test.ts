import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeLedger } from "../../src/core/ledger/ledger-codec.js";
import type { Ledger } from "../../src/core/ledger/ledger.js";
import { checkRunEvent, pullRequestEvent, reviewEvent } from "../fixtures/webhooks.js";
import type { PullRecord } from "../support/github-stand-in.js";
import { APP_ID, boxState, createHarness, OWNERS, setBox, teardown, type Harness } from "./harness.js";

/**
 * An approval binds to a commit: every way the head or base of a release PR moves is judged by
 * what GitHub really says about the commits (issue 10, paths 1, 2, 5 and 6).
 */
const A = "a".repeat(40);
const B = "b".repeat(40);
const C1 = "c1".repeat(20);
const C2 = "c2".repeat(20);

const CHECKLIST = `id: launch
title: Launch
gates:
  - id: security
    title: Security
    owner: security
    paths: ["src/auth/**"]
    items:
      - { id: review, title: Security review }
  - id: operations
    title: Operations
    owner: operations
    items:
      - { id: runbook, title: Runbook }
`;

const config = (extra = "") => `checklist: .github/checklists/launch.yml
owners:
  security: ["@acme/security"]
  operations: ["@acme/sre"]
release:
  branches: ["release/*"]
  labels: ["release"]
${extra}`;

let h: Harness;

async function setup(extra = ""): Promise<void> {
  h = await createHarness({ config: config(extra) });
  h.github.files.set(".github/checklists/launch.yml", CHECKLIST);
  h.github.addCommit(A, [], { "src/auth/login.ts": "v1", "README.md": "hello" });
}

/** The newest run of the App's check on a commit: the one GitHub shows and everyone reads. */
function latestRun(sha: string) {
  const runs = h.github.checkRunsOn(sha, "Gatehouse").filter((r) => r.app?.id === APP_ID);
  const run = runs[runs.length - 1];
  if (!run) throw new Error(`no Gatehouse run on ${sha}`);
  return run;
}

/** The newest run's ledger, without the `pushed` records four eyes keeps (these tests are about sign-offs). */
function latestLedger(sha: string): Ledger {
  const ledger = decodeLedger(latestRun(sha).output.text ?? "");
  if (!ledger) throw new Error(`no ledger on ${sha}`);
  return { ...ledger, events: ledger.events.filter((e) => e.kind !== "pushed") };
}

async function openAndApprove(number = 6, base = "main"): Promise<PullRecord> {
  const pr = h.github.addPull({ number, author: "dev", headSha: A, commits: [A], base: { ref: base } });
  await h.deliver(pullRequestEvent("opened", pr));
  await h.editChecklist(pr, OWNERS.security!, (b) => setBox(b, "security.review", true));
  await h.editChecklist(pr, OWNERS.operations!, (b) => setBox(b, "operations.runbook", true));
  expect(latestRun(A).conclusion).toBe("success");
  return pr;
}

async function push(pr: PullRecord, commits: string[]): Promise<void> {
  const before = pr.head.sha;
  h.github.pushTo(pr.number, commits);
  await h.deliver(pullRequestEvent("synchronize", pr, { before, after: pr.head.sha }, "dev"));
}

afterEach(teardown);

describe("path 1: a force-push back to a reverted change", () => {
  beforeEach(async () => {
    await setup();
    // C1 changes code under security's paths; C2 reverts it, so A...C2 lists no files.
    h.github.addCommit(C1, [A], { "src/auth/login.ts": "v2: skip the password check" });
    h.github.addCommit(C2, [C1], { "src/auth/login.ts": "v1" });
  });

  it("invalidates every gate when the new head does not contain the approved one, and says why", async () => {
    const pr = await openAndApprove();
    await push(pr, [A, C1, C2]);
    // A fast-forward whose net change touches no gate's paths keeps its sign-offs.
    expect(latestRun(C2).conclusion).toBe("success");

    await push(pr, [A, C1]);
    const run = latestRun(C1);
    expect(run.conclusion).toBe("action_required");
    const invalidations = latestLedger(C1).events.filter((e) => e.kind === "invalidate");
    expect(invalidations.map((e) => [e.gate, e.sha])).toEqual([
      ["security", C1],
      ["operations", C1],
    ]);
    expect(invalidations[0]!.note).toBe(
      `invalidated by force-push ${C1.slice(0, 7)}: the new head does not contain ${C2.slice(0, 7)}; history was rewritten (removed 1 commit), so the changed files cannot be trusted (invalidate_on_rewrite: all)`,
    );
    const body = h.checklistComment(6).body;
    expect(body).toContain("history was rewritten");
    expect(boxState(body, "security.review")).toBe(false);
    expect(boxState(body, "operations.runbook")).toBe(false);
  });

  it("a rebase onto a new base (diverged history) invalidates every gate too", async () => {
    const pr = await openAndApprove();
    const rebased = "d".repeat(40);
    h.github.addCommit(rebased, [C2], { "README.md": "hello again" });
    h.github.addCommit(B, [A], { "README.md": "hello" });
    await push(pr, [A, B]);
    expect(latestRun(B).conclusion).toBe("success");
    await push(pr, [A, C1, C2, rebased]);
    expect(latestRun(rebased).conclusion).toBe("action_required");
    expect(latestLedger(rebased).events.filter((e) => e.kind === "invalidate")[0]!.note).toContain("(removed 1 commit and added 3)");
  });

  it("with invalidate_on_rewrite: none, a force-push keeps the sign-offs (the repo's explicit choice)", async () => {
    teardown();
    await setup("invalidate_on_rewrite: none\n");
    h.github.addCommit(C1, [A], { "src/auth/login.ts": "v2" });
    h.github.addCommit(C2, [C1], { "src/auth/login.ts": "v1" });
    const pr = await openAndApprove();
    await push(pr, [A, C1, C2]);
    await push(pr, [A, C1]);
    expect(latestRun(C1).conclusion).toBe("success");
  });
});

describe("path 2: returning to an earlier head continues the PR's one ledger", () => {
  beforeEach(async () => {
    await setup();
    h.github.addCommit(B, [A], { "README.md": "hello, world" });
  });

  async function approveThenRevokeOnB(): Promise<PullRecord> {
    const pr = await openAndApprove();
    await push(pr, [A, B]);
    expect(latestRun(B).conclusion).toBe("success");
    await h.editChecklist(pr, OWNERS.security!, (b) => setBox(b, "security.review", false));
    expect(latestRun(B).conclusion).toBe("action_required");
    return pr;
  }

  it("a force-push back to A writes a new run on A holding the revoke; A's old green run is superseded", async () => {
    const pr = await approveThenRevokeOnB();
    await push(pr, [A]);
    const runs = h.github.checkRunsOn(A, "Gatehouse");
    expect(runs).toHaveLength(2);
    expect(runs[0]!.conclusion).toBe("success"); // the old run, as it was
    expect(latestRun(A).conclusion).toBe("action_required");
    expect(latestLedger(A).events.map((e) => [e.kind, e.gate, e.sha])).toEqual([
      ["signoff", "security", A],
      ["signoff", "operations", A],
      ["revoke", "security", B],
    ]);
    expect(boxState(h.checklistComment(6).body, "security.review")).toBe(false);
  });

  it("after a restart, the push's `before` leads to the newer ledger on B, and later events continue from the new run", async () => {
    const pr = await approveThenRevokeOnB();
    h = await createHarness({ github: h.github });
    await push(pr, [A]);
    expect(latestRun(A).conclusion).toBe("action_required");
    expect(latestLedger(A).events.map((e) => e.kind)).toEqual(["signoff", "signoff", "revoke"]);

    // Another restart: a tick on A must read A's newest run, not the old green one.
    h = await createHarness({ github: h.github });
    await h.editChecklist(pr, OWNERS.security!, (b) => setBox(b, "security.review", true));
    expect(h.github.checkRunsOn(A, "Gatehouse")).toHaveLength(2);
    expect(latestLedger(A).events.map((e) => e.kind)).toEqual(["signoff", "signoff", "revoke", "signoff"]);
    expect(latestRun(A).conclusion).toBe("success");
  });
});

describe("path 5: sign-offs bind to the commit the owner saw", () => {
  beforeEach(() => setup());

  async function openAndPush(changes: Record<string, string>): Promise<PullRecord> {
    const pr = h.github.addPull({ number: 6, author: "dev", headSha: A, commits: [A] });
    await h.deliver(pullRequestEvent("opened", pr));
    h.github.addCommit(B, [A], changes);
    await push(pr, [A, B]);
    return pr;
  }

  function staleReview(pr: PullRecord, body: string, sender: string) {
    const event = reviewEvent(pr, body, sender);
    event.payload.review.commit_id = A;
    return event;
  }

  it("a /signoff in a review of an older commit is recorded there and does not count when the gate's paths changed since", async () => {
    const pr = await openAndPush({ "src/auth/login.ts": "v2" });
    await h.deliver(staleReview(pr, "/signoff security.review", OWNERS.security!));
    const events = latestLedger(B).events;
    expect(events.map((e) => [e.kind, e.item, e.sha])).toEqual([
      ["signoff", "review", A],
      ["invalidate", "review", B],
    ]);
    expect(events[1]!.note).toBe(
      `invalidated: signed at ${A.slice(0, 7)}, but the head is now ${B.slice(0, 7)}: src/auth/** changed (src/auth/login.ts)`,
    );
    const body = h.checklistComment(6).body;
    expect(boxState(body, "security.review")).toBe(false);
    expect(body).toContain("was recorded but does not count");
  });

  it("a review of an older commit counts when nothing under the gate's paths changed since", async () => {
    const pr = await openAndPush({ "README.md": "docs only" });
    await h.deliver(staleReview(pr, "/signoff security.review", OWNERS.security!));
    expect(latestLedger(B).events.map((e) => [e.kind, e.sha])).toEqual([["signoff", A]]);
    expect(boxState(h.checklistComment(6).body, "security.review")).toBe(true);
  });

  it("a review that arrives after the push that followed it is applied to the current head, not to the PR as its payload shows it", async () => {
    const pr = await openAndPush({ "README.md": "docs only" });
    const runsOnA = h.github.checkRunsOn(A, "Gatehouse").map((r) => JSON.stringify(r));
    // The review was submitted while A was the head, so its payload still shows A.
    const event = reviewEvent({ ...pr, head: { ...pr.head, sha: A } }, "/signoff operations.runbook", OWNERS.operations!);
    await h.deliver(event);
    expect(latestLedger(B).events.map((e) => [e.kind, e.gate, e.sha])).toEqual([["signoff", "operations", A]]);
    expect(h.github.checkRunsOn(A, "Gatehouse").map((r) => JSON.stringify(r))).toEqual(runsOnA);
    expect(boxState(h.checklistComment(6).body, "operations.runbook")).toBe(true);
  });

  it("the button on an older head's check run signs at that head, and carry-over decides", async () => {
    const pr = await openAndPush({ "src/auth/login.ts": "v2" });
    const oldRun = latestRun(A);
    await h.deliver(checkRunEvent("requested_action", { ...oldRun, pull_requests: [] }, OWNERS.security!));
    expect(latestLedger(B).events.map((e) => [e.kind, e.gate, e.sha])).toEqual([
      ["signoff", "security", A],
      ["invalidate", "security", B],
    ]);
    expect(boxState(h.checklistComment(pr.number).body, "security.review")).toBe(false);

    // The same click on the current head's run counts.
    await h.deliver(checkRunEvent("requested_action", { ...latestRun(B), pull_requests: [] }, OWNERS.security!));
    expect(latestLedger(B).events.at(-1)).toMatchObject({ kind: "signoff", gate: "security", sha: B });
    expect(boxState(h.checklistComment(pr.number).body, "security.review")).toBe(true);
  });
});

describe("path 6: retargeting a release PR", () => {
  async function retarget(pr: PullRecord, base: string): Promise<void> {
    const from = h.github.retarget(pr.number, base);
    await h.deliver(pullRequestEvent("edited", pr, { changes: { base: { ref: { from }, sha: { from: "f".repeat(40) } } } }, "dev"));
  }

  it("a new base invalidates every sign-off, with no new head, and the comment says why", async () => {
    await setup();
    const pr = await openAndApprove(7, "release/1.0");
    await retarget(pr, "main");
    expect(h.github.checkRunsOn(A, "Gatehouse")).toHaveLength(1);
    expect(latestRun(A).conclusion).toBe("action_required");
    const invalidations = latestLedger(A).events.filter((e) => e.kind === "invalidate");
    expect(invalidations.map((e) => [e.gate, e.sha, e.actor])).toEqual([
      ["security", A, "dev"],
      ["operations", A, "dev"],
    ]);
    expect(invalidations[0]!.note).toBe(
      "invalidated by retarget: the base branch changed from release/1.0 to main (invalidate_on_retarget: all)",
    );
    expect(h.checklistComment(7).body).toContain("the base branch changed from release/1.0 to main");
  });

  it("with invalidate_on_retarget: none, the approvals stay", async () => {
    await setup("invalidate_on_retarget: none\n");
    const pr = await openAndApprove(7, "release/1.0");
    await retarget(pr, "main");
    expect(latestRun(A).conclusion).toBe("success");
  });
});
