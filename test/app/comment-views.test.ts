import { afterEach, describe, expect, it } from "vitest";
import { checkRunEvent, issueCommentEvent, pullRequestEvent } from "../fixtures/webhooks.js";
import { boxState, createHarness, OWNERS, setBox, teardown, type Harness } from "./harness.js";

const HEAD = "c".repeat(40);
/** Short enough for a test, long enough that a tick's own sync finishes inside it. */
const WINDOW_MS = 400;

const commentWrites = (h: Harness, since: number) =>
  h.github.log.slice(since).filter((r) => r.method === "PATCH" && r.path.includes("/issues/comments/")).length;
const checkWrites = (h: Harness, since: number) =>
  h.github.log.slice(since).filter((r) => r.method === "PATCH" && r.path.includes("/check-runs/")).length;
const signedBy = (body: string, ref: string, login: string) =>
  body.split("\n").some((l) => l.includes(`gatehouse:item ${ref} `) && l.includes(`signed by`) && l.includes(login));

async function until(test: () => boolean): Promise<void> {
  for (let i = 0; !test(); i++) {
    if (i > 200) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("ledger first, view later: one write per tick", () => {
  let h: Harness;
  afterEach(teardown);

  async function openRelease(number: number) {
    h = await createHarness({ commentWindowMs: WINDOW_MS });
    const pr = h.github.addPull({ number, author: "dev", headSha: HEAD });
    await h.deliver(pullRequestEvent("opened", pr));
    return pr;
  }

  /** A user's edit as GitHub stores it, without its webhook (yet). */
  function editOnGitHub(number: number, edit: (body: string) => string): { from: string; body: string } {
    const comment = h.checklistComment(number);
    const from = comment.body;
    comment.body = edit(from);
    return { from, body: comment.body };
  }

  it("a tick writes the ledger at once and the comment once per window, showing every signer", async () => {
    const pr = await openRelease(21);
    const mark = h.github.log.length;
    await h.editChecklist(pr, OWNERS.security!, (b) => setBox(b, "security.waf", true));
    expect(checkWrites(h, mark)).toBe(1);
    expect(commentWrites(h, mark)).toBe(0);
    expect(h.ledger(HEAD).events.map((e) => e.item)).toEqual(["waf"]);

    await h.editChecklist(pr, OWNERS.security!, (b) => setBox(b, "security.rate-limits", true));
    expect(checkWrites(h, mark)).toBe(2);
    expect(commentWrites(h, mark)).toBe(0);

    await h.runtime().views.settled();
    expect(commentWrites(h, mark)).toBe(1);
    const body = h.checklistComment(21).body;
    expect(signedBy(body, "security.waf", OWNERS.security!)).toBe(true);
    expect(signedBy(body, "security.rate-limits", OWNERS.security!)).toBe(true);
  });

  it("a revert, a command, an invalidation and a verdict change re-render the comment at once", async () => {
    const pr = await openRelease(22);

    // Revert: someone who owns nothing ticks a box.
    let mark = h.github.log.length;
    await h.editChecklist(pr, "mallory", (b) => setBox(b, "security.waf", true));
    expect(commentWrites(h, mark)).toBe(1);
    expect(boxState(h.checklistComment(22).body, "security.waf")).toBe(false);

    // Command: its box is not ticked in the body yet.
    mark = h.github.log.length;
    const command = { id: 7001, body: "/signoff security.waf", user: { login: OWNERS.security!, type: "User" } };
    h.github.comments.push({ ...command, issue: 22, performed_via_github_app: null, html_url: "", reactions: [] });
    await h.deliver(issueCommentEvent("created", { pr, comment: command, sender: OWNERS.security! }));
    expect(commentWrites(h, mark)).toBe(1);
    expect(boxState(h.checklistComment(22).body, "security.waf")).toBe(true);

    // The button: like a command, its boxes are not ticked in the body yet.
    mark = h.github.log.length;
    const run = h.github.checkRunsOn(HEAD, "Gatehouse")[0]!;
    await h.deliver(checkRunEvent("requested_action", { ...run, pull_requests: [] }, OWNERS.support!));
    expect(commentWrites(h, mark)).toBe(1);
    expect(boxState(h.checklistComment(22).body, "support.training")).toBe(true);

    // Invalidation: a push with every gate invalidated (files unknown) unticks the box.
    mark = h.github.log.length;
    const next = "d".repeat(40);
    pr.head.sha = next;
    pr.commits.push(next);
    await h.deliver(pullRequestEvent("synchronize", pr, { before: HEAD, after: next }, "dev"));
    expect(commentWrites(h, mark)).toBe(1);
    expect(boxState(h.checklistComment(22).body, "security.waf")).toBe(false);
    await h.runtime().views.settled();
  });

  it("a tick whose edit does not show a sign-off applied meanwhile waits for the window too", async () => {
    // Two owners tick from the same body: on GitHub the later edit wins, and its event (as one
    // landing on another replica would) shows only its own tick. The ledger has both; nothing is
    // reverted, so the comment waits for the window and then shows both signers.
    const pr = await openRelease(26);
    const base = h.checklistComment(26);
    const from = base.body;
    const waf = setBox(from, "security.waf", true);
    const mfa = setBox(from, "security.rate-limits", true);
    const mark = h.github.log.length;
    base.body = waf;
    await h.deliver(issueCommentEvent("edited", { pr, comment: { ...base, body: waf }, sender: OWNERS.security!, from }));
    base.body = mfa;
    await h.deliver(issueCommentEvent("edited", { pr, comment: { ...base, body: mfa }, sender: OWNERS.security!, from }));
    expect(h.ledger(HEAD).events.map((e) => e.item)).toEqual(["waf", "rate-limits"]);
    expect(checkWrites(h, mark)).toBe(2);
    expect(commentWrites(h, mark)).toBe(0);

    await h.runtime().views.settled();
    expect(commentWrites(h, mark)).toBe(1);
    const body = h.checklistComment(26).body;
    expect(signedBy(body, "security.waf", OWNERS.security!)).toBe(true);
    expect(signedBy(body, "security.rate-limits", OWNERS.security!)).toBe(true);
  });

  it("text typed into the checklist is overwritten at once, even with a tick in the same edit", async () => {
    const pr = await openRelease(25);
    const mark = h.github.log.length;
    await h.editChecklist(pr, OWNERS.security!, (b) => `${setBox(b, "security.waf", true)}\n\n**All gates approved.**`);
    expect(commentWrites(h, mark)).toBe(1);
    const body = h.checklistComment(25).body;
    expect(body).not.toContain("All gates approved.");
    expect(signedBy(body, "security.waf", OWNERS.security!)).toBe(true);
  });

  it("the tick that turns the verdict green re-renders the comment at once", async () => {
    h = await createHarness({
      commentWindowMs: WINDOW_MS,
      config: `checklist: .github/checklists/one.yml\nowners:\n  security: ["@acme/security"]\nrelease:\n  labels: ["release"]\n`,
    });
    h.github.files.set(
      ".github/checklists/one.yml",
      "id: one\ntitle: One\ngates:\n  - id: security\n    title: Security\n    owner: security\n    items:\n      - { id: review, title: Review }\n      - { id: scan, title: Scan }\n",
    );
    const pr = h.github.addPull({ number: 23, author: "dev", headSha: HEAD });
    await h.deliver(pullRequestEvent("opened", pr));
    let mark = h.github.log.length;
    await h.editChecklist(pr, OWNERS.security!, (b) => setBox(b, "security.review", true));
    expect(commentWrites(h, mark)).toBe(0);
    mark = h.github.log.length;
    await h.editChecklist(pr, OWNERS.security!, (b) => setBox(b, "security.scan", true));
    expect(h.github.checkRunsOn(HEAD, "Gatehouse")[0]!.conclusion).toBe("success");
    expect(commentWrites(h, mark)).toBe(1);
    expect(h.checklistComment(23).body).toMatch(/approved/i);
  });

  it("under write spacing, every PR's comment is re-rendered once its installation has writes to spare", async () => {
    h = await createHarness({ commentWindowMs: 100, writeSpacing: { burst: 4, perSecond: 20 } });
    const prs = [31, 32, 33, 34, 35, 36].map((number) => h.github.addPull({ number, author: "dev", headSha: `${number}`.repeat(20) }));
    for (const pr of prs) await h.deliver(pullRequestEvent("opened", pr));
    const refs = ["security.waf", "security.rate-limits", "security.secret-rotation"];
    await Promise.all(
      prs.map(async (pr) => {
        for (const ref of refs) await h.editChecklist(pr, OWNERS.security!, (b) => setBox(b, ref, true));
      }),
    );
    await h.runtime().views.settled();
    for (const pr of prs) {
      const body = h.checklistComment(pr.number).body;
      for (const ref of refs) expect(signedBy(body, ref, OWNERS.security!), `#${pr.number} ${ref}`).toBe(true);
    }
  });

  it("a box that differs from the ledger with no webhook on its way is shown as the ledger has it one window later", async () => {
    const pr = await openRelease(25);
    await h.editChecklist(pr, OWNERS.security!, (b) => setBox(b, "security.waf", true));
    // Another edit wins the race on GitHub and drops the tick; its webhook never comes (the App was down).
    editOnGitHub(25, (b) => setBox(b, "security.waf", false));
    const mark = h.github.log.length;
    await h.runtime().views.settled();
    // A tick dropped on GitHub is shown as the ledger has it at the window's end, in one write.
    expect(commentWrites(h, mark)).toBe(1);
    expect(h.ledger(HEAD).events.map((e) => `${e.kind} ${e.item}`)).toEqual(["signoff waf"]);
    expect(signedBy(h.checklistComment(25).body, "security.waf", OWNERS.security!)).toBe(true);
    expect(boxState(h.checklistComment(25).body, "security.waf")).toBe(true);
  });

  it("an untick whose webhook comes after the re-render shows once its revoke is applied", async () => {
    const pr = await openRelease(27);
    await h.editChecklist(pr, OWNERS.security!, (b) => setBox(b, "security.waf", true));
    const untick = editOnGitHub(27, (b) => setBox(b, "security.waf", false));
    await h.runtime().views.settled();
    // The re-render shows the ledger: the untick is not a sign-off yet.
    expect(boxState(h.checklistComment(27).body, "security.waf")).toBe(true);
    const comment = h.checklistComment(27);
    await h.deliver(
      issueCommentEvent("edited", { pr, comment: { ...comment, body: untick.body }, sender: OWNERS.security!, from: untick.from }),
    );
    await h.runtime().views.settled();
    expect(h.ledger(HEAD).events.map((e) => `${e.kind} ${e.item}`)).toEqual(["signoff waf", "revoke waf"]);
    expect(boxState(h.checklistComment(27).body, "security.waf")).toBe(false);
  });

  it("a tick still in flight when the deferred re-render runs stays ticked", async () => {
    const pr = await openRelease(24);
    await h.editChecklist(pr, OWNERS.security!, (b) => setBox(b, "security.waf", true));
    // An owner ticks another box; GitHub holds the edit, its webhook is late.
    const late = editOnGitHub(24, (b) => setBox(b, "security.rate-limits", true));
    const mark = h.github.log.length;
    await until(() => commentWrites(h, mark) === 1);
    const rendered = h.checklistComment(24).body;
    expect(signedBy(rendered, "security.waf", OWNERS.security!)).toBe(true);
    expect(boxState(rendered, "security.rate-limits")).toBe(true);

    // The late webhook arrives: the tick is recorded, and its box was never unticked.
    const comment = h.checklistComment(24);
    await h.deliver(
      issueCommentEvent("edited", { pr, comment: { ...comment, body: late.body }, sender: OWNERS.security!, from: late.from }),
    );
    await h.runtime().views.settled();
    expect(h.ledger(HEAD).events.map((e) => e.item)).toEqual(["waf", "rate-limits"]);
    expect(signedBy(h.checklistComment(24).body, "security.rate-limits", OWNERS.security!)).toBe(true);
  });
});
