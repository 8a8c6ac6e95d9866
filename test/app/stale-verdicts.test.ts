import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_TIMER_MS, type Scheduler } from "../../src/app/runtime/expiry-timers.js";
import { decodeLedger } from "../../src/core/ledger/ledger-codec.js";
import { pullRequestEvent, pushEvent } from "../fixtures/webhooks.js";
import { CONFIG, createHarness, NOW, teardown, type Harness } from "./harness.js";
import { approveAll } from "./commands.js";

const HEAD = "a".repeat(40);
const DAY = 86_400_000;

/** Timers the test fires by hand: nothing happens until it does. */
function manualScheduler() {
  const timers: { fire: () => void; ms: number; cleared: boolean }[] = [];
  const scheduler: Scheduler = {
    setTimeout: (fire, ms) => {
      const timer = { fire, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (handle) => {
      (handle as { cleared: boolean }).cleared = true;
    },
  };
  const live = () => timers.filter((t) => !t.cleared);
  /** Fires every live timer once (a chained timer re-arms if its moment has not come). */
  const fireAll = () => {
    for (const t of live()) {
      t.cleared = true;
      t.fire();
    }
  };
  return { scheduler, timers, live, fireAll };
}

describe("verdicts do not go stale", () => {
  let h: Harness;
  afterEach(teardown);

  const run = () => h.github.checkRunsOn(HEAD, "Gatehouse").sort((a, b) => b.id - a.id)[0]!;
  const ledger = () => decodeLedger(run().output.text ?? "")!;

  async function greenPr() {
    const pr = h.github.addPull({ number: 7, author: "dev", headSha: HEAD });
    await h.deliver(pullRequestEvent("opened", pr));
    await approveAll(h, pr);
    expect(run().conclusion).toBe("success");
    return pr;
  }

  it("turns the check pending when a sign-off expires, with no webhook, and records why", async () => {
    const timers = manualScheduler();
    h = await createHarness({ scheduler: timers.scheduler });
    await greenPr();
    // security.penetration-test expires after 365 days: longer than one timer can wait, so it is chained.
    expect(timers.live()).toHaveLength(1);
    expect(timers.live()[0]!.ms).toBe(MAX_TIMER_MS);

    timers.fireAll();
    expect(timers.live()).toHaveLength(1);
    expect(run().conclusion).toBe("success");

    const writes = h.github.writes();
    h.clock.now = new Date(NOW.getTime() + 366 * DAY);
    timers.fireAll();
    await vi.waitFor(() => expect(run().conclusion).toBe("action_required"));
    expect(ledger().events.at(-1)).toMatchObject({
      kind: "expire",
      gate: "security",
      item: "penetration-test",
      actor: "gatehouse",
      method: "system",
    });
    expect(run().output.text).toContain("⌛ expired");
    expect(h.github.writes() - writes).toBeLessThanOrEqual(2);
    // Nothing else expires: no timer is left.
    expect(timers.live()).toHaveLength(0);
  });

  it("leaves a PR closed before its expiry as it was", async () => {
    const timers = manualScheduler();
    h = await createHarness({ scheduler: timers.scheduler });
    await greenPr();
    h.github.pulls.get(7)!.state = "closed";
    const mark = h.github.mark();
    h.clock.now = new Date(NOW.getTime() + 366 * DAY);
    timers.fireAll();
    await vi.waitFor(() => expect(h.github.log.length).toBeGreaterThan(mark));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.github.countsSince(mark)).toEqual({ reads: 1, writes: 0 });
    expect(run().conclusion).toBe("success");
  });

  it("re-evaluates open release PRs on start, so one that expired while the App was down turns pending", async () => {
    h = await createHarness({ scheduler: manualScheduler().scheduler });
    await greenPr();
    const github = h.github;
    teardown();

    // A new process, a year later, with no timers and no webhook.
    h = await createHarness({ github, sweepOnStart: true });
    h.clock.now = new Date(NOW.getTime() + 400 * DAY);
    await h.started;
    expect(run().conclusion).toBe("action_required");
    expect(ledger().events.at(-1)).toMatchObject({ kind: "expire", item: "penetration-test" });
  });

  it("re-evaluates open release PRs when the default branch's config tightens a rule", async () => {
    h = await createHarness();
    await greenPr();
    const other = h.github.addPull({ number: 8, author: "dev", headSha: "c".repeat(40), labels: [] });
    expect(other).toBeDefined();

    h.github.files.set(".github/gatehouse.yml", `${CONFIG}phase: initial-production\n`);
    const push = pushEvent({ ref: "refs/heads/main", after: "d".repeat(40), modified: [".github/gatehouse.yml"], sender: "admin" });
    await h.deliver(push);
    expect(run().conclusion).toBe("action_required");
    expect(ledger().events.at(-1)).toMatchObject({ kind: "reevaluate", gate: "*", actor: "gatehouse" });
    expect(ledger().events.at(-1)!.note).toContain(`config change at ${"d".repeat(12)}: was success, now pending`);
    // A PR that is not a release PR gets no check, and costs no read.
    expect(h.github.checkRunsOn("c".repeat(40), "Gatehouse")).toHaveLength(0);
    expect(h.github.log.filter((r) => r.path.includes("c".repeat(40)))).toHaveLength(0);

    // The same config pushed again turns nothing: no new event, no write to the run.
    const events = ledger().events.length;
    const mark = h.github.mark();
    await h.deliver(pushEvent({ ref: "refs/heads/main", after: "e".repeat(40), modified: [".github/gatehouse.yml"], sender: "admin" }));
    expect(ledger().events).toHaveLength(events);
    expect(h.github.log.slice(mark).filter((r) => r.method === "PATCH" && r.path.includes("/check-runs/"))).toHaveLength(0);
  });

  it("turns open release PRs failing when the default branch's config breaks", async () => {
    h = await createHarness();
    await greenPr();
    h.github.files.set(".github/gatehouse.yml", "owners: [not, a, map\n");
    await h.deliver(pushEvent({ ref: "refs/heads/main", after: "d".repeat(40), modified: [".github/gatehouse.yml"], sender: "admin" }));
    expect(run().conclusion).toBe("failure");
    expect(run().output.title).toMatch(/Configuration error/);
    // The sign-offs are kept while the config is fixed.
    expect(ledger().events.filter((e) => e.kind === "signoff").length).toBeGreaterThan(0);
  });

  it("follows an _extends target in the same repo", async () => {
    h = await createHarness({ config: "_extends: acme/api:.github/base.yml\n" });
    h.github.files.set(".github/base.yml", CONFIG);
    await greenPr();
    h.github.files.set(".github/base.yml", `${CONFIG}phase: initial-production\n`);
    await h.deliver(pushEvent({ ref: "refs/heads/main", after: "d".repeat(40), modified: [".github/base.yml"], sender: "admin" }));
    expect(run().conclusion).toBe("action_required");
  });
});
