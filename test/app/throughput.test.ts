import { afterEach, describe, expect, it } from "vitest";
import { shippedChecklist } from "../../src/core/config/resolve-checklist.js";
import { issueCommentEvent, pullRequestEvent } from "../fixtures/webhooks.js";
import { boxState, createHarness, OWNERS, setBox, teardown, type Harness } from "./harness.js";

const HEAD = "a".repeat(40);
const checklist = shippedChecklist("pre-production")!;
/** Twenty boxes that owners can tick (no evidence needed), with the owner who may sign each. */
const TWENTY = checklist.gates
  .filter((g) => g.required)
  .flatMap((g) => g.items.filter((i) => !i.evidence).map((i) => ({ ref: `${g.id}.${i.id}`, owner: OWNERS[g.owner]! })))
  .slice(0, 20);

function withInstallation<T extends { payload: Record<string, any> }>(event: T, id: number): T {
  event.payload.installation = { id, node_id: `I_${id}` };
  return event;
}

describe("throughput", () => {
  let h: Harness;
  afterEach(teardown);

  it("group commit: 20 concurrent ticks make one check-run write and one comment write, and all 20 are in the ledger", async () => {
    h = await createHarness();
    const pr = h.github.addPull({ number: 20, author: "dev", headSha: HEAD });
    await h.deliver(pullRequestEvent("opened", pr));
    const comment = h.checklistComment(20);
    const base = comment.body;
    expect(TWENTY).toHaveLength(20);
    h.github.resetLog();

    await Promise.all(
      TWENTY.map(({ ref, owner }) =>
        h.deliver(issueCommentEvent("edited", { pr, comment: { ...comment, body: setBox(base, ref, true) }, sender: owner, from: base })),
      ),
    );

    const writes = h.github.log.filter((r) => r.method !== "GET");
    expect(writes.map((w) => `${w.method} ${w.path.replace(/\d+/g, "N")}`)).toEqual([
      "PATCH /repos/acme/api/check-runs/N",
      "PATCH /repos/acme/api/issues/comments/N",
    ]);
    expect(
      h
        .ledger(HEAD)
        .events.map((e) => `${e.gate}.${e.item}`)
        .sort(),
    ).toEqual(TWENTY.map((t) => t.ref).sort());
    for (const { ref } of TWENTY) expect(boxState(h.checklistComment(20).body, ref)).toBe(true);
    // One read of the PR for the whole burst and one of its commit authors (four eyes; once per head),
    // plus one membership lookup per owner team.
    expect(h.github.log.filter((r) => r.path.includes("/pulls/")).map((r) => r.path.replace(/\?.*/, ""))).toEqual([
      "/repos/acme/api/pulls/20",
      "/repos/acme/api/pulls/20/commits",
    ]);
  });

  it("a reverted tick in a burst costs one more write at most, and is still explained", async () => {
    h = await createHarness();
    const pr = h.github.addPull({ number: 21, author: "dev", headSha: HEAD });
    await h.deliver(pullRequestEvent("opened", pr));
    const comment = h.checklistComment(21);
    const base = comment.body;
    h.github.resetLog();
    await Promise.all([
      h.deliver(
        issueCommentEvent("edited", {
          pr,
          comment: { ...comment, body: setBox(base, "security.waf", true) },
          sender: OWNERS.security!,
          from: base,
        }),
      ),
      h.deliver(
        issueCommentEvent("edited", {
          pr,
          comment: { ...comment, body: setBox(base, "security.tls-certificates", true) },
          sender: "mallory",
          from: base,
        }),
      ),
    ]);
    expect(h.github.writes()).toBeLessThanOrEqual(3);
    const body = h.checklistComment(21).body;
    expect(boxState(body, "security.waf")).toBe(true);
    expect(boxState(body, "security.tls-certificates")).toBe(false);
    expect(body).toContain("@mallory");
  });

  it("a secondary rate limit in the middle of a batch loses no sign-off and shows no false green", async () => {
    h = await createHarness();
    const pr = h.github.addPull({ number: 22, author: "dev", headSha: HEAD });
    await h.deliver(pullRequestEvent("opened", pr));
    const comment = h.checklistComment(22);
    const base = comment.body;
    let limited = 0;
    h.github.fault = (req) => {
      if (req.method === "PATCH" && req.path.includes("/check-runs/") && limited++ === 0) {
        return {
          status: 403,
          body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
          headers: { "retry-after": "2" },
        };
      }
      return undefined;
    };
    const conclusions: (string | null)[] = [];
    const original = h.github.handle.bind(h.github);
    h.github.handle = (req) => {
      const res = original(req);
      const run = h.github.checkRunsOn(HEAD, "Gatehouse")[0];
      if (run) conclusions.push(run.conclusion);
      return res;
    };
    const some = TWENTY.slice(0, 6);
    await Promise.all(
      some.map(({ ref, owner }) =>
        h.deliver(issueCommentEvent("edited", { pr, comment: { ...comment, body: setBox(base, ref, true) }, sender: owner, from: base })),
      ),
    );
    expect(limited).toBeGreaterThan(1);
    expect(h.github.log.some((r) => r.status === 403)).toBe(true);
    expect(
      h
        .ledger(HEAD)
        .events.map((e) => `${e.gate}.${e.item}`)
        .sort(),
    ).toEqual(some.map((t) => t.ref).sort());
    expect(conclusions.every((c) => c === "action_required")).toBe(true);
  });

  it("writes for two installations are not serialized behind one limiter", async () => {
    // Two writes at once per installation, then one every two seconds: a second event on
    // installation 1 must wait, and installation 2 must not wait behind it.
    h = await createHarness({ writeSpacing: { burst: 2, perSecond: 0.5 } });
    for (const [number, sha] of [
      [30, "3"],
      [31, "4"],
      [32, "5"],
    ] as const)
      h.github.addPull({ number, author: "dev", headSha: sha.repeat(40) });
    await h.deliver(withInstallation(pullRequestEvent("opened", h.github.pulls.get(30)!), 1));
    expect(h.github.commentsOn(30)).toHaveLength(1);

    let waitingDone = false;
    const waiting = h.deliver(withInstallation(pullRequestEvent("opened", h.github.pulls.get(31)!), 1)).then(() => (waitingDone = true));
    await h.deliver(withInstallation(pullRequestEvent("opened", h.github.pulls.get(32)!), 2));
    expect(h.github.checkRunsOn("5".repeat(40), "Gatehouse")).toHaveLength(1);
    expect(waitingDone).toBe(false);

    await waiting;
    expect(h.github.checkRunsOn("4".repeat(40), "Gatehouse")).toHaveLength(1);
  });
});
