import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_STATUS_REPORTS } from "../../../src/app/handlers/deployment-protection.js";
import { encodeLedger } from "../../../src/core/ledger/ledger-codec.js";
import { deploymentProtectionRuleEvent, pullRequestEvent } from "../../fixtures/webhooks.js";
import type { PullRecord } from "../../support/github-stand-in.js";
import { createHarness, OWNERS, setBox, teardown, type Harness } from "../harness.js";

const HEAD = "a".repeat(40);
const MERGE = "c".repeat(40);

const CONFIG = `checklist: .github/checklists/launch.yml
owners:
  security: ["@acme/security"]
  operations: ["@acme/sre"]
environments:
  staging: [security]
  production: all
`;

const CHECKLIST = `id: launch
title: Launch
gates:
  - id: security
    title: Security review
    owner: security
    items:
      - { id: review, title: Threat model reviewed }
  - id: operations
    title: Operations readiness
    owner: operations
    items:
      - { id: runbook, title: Runbook written }
      - { id: on-call, title: On-call staffed }
`;

async function setup(options: { config?: string; checklist?: string } = {}): Promise<Harness> {
  const h = await createHarness();
  h.github.files.set(".github/gatehouse.yml", options.config ?? CONFIG);
  h.github.files.set(".github/checklists/launch.yml", options.checklist ?? CHECKLIST);
  return h;
}

describe("deployment protection rule", () => {
  let h: Harness;
  let pr: PullRecord;
  beforeEach(async () => {
    h = await setup();
    pr = h.github.addPull({ number: 7, author: "dev", headSha: HEAD, base: { ref: "main" }, labels: [{ name: "release" }] });
  });
  afterEach(teardown);

  /** `runHead` is the commit the run was started for; GitHub deploys a pull_request run's test merge of it. */
  const requestDeployment = (
    environment: string,
    runId: number,
    sha = HEAD,
    extra: { pulls?: PullRecord[]; event?: string; runHead?: string } = {},
  ) => {
    h.github.addWaitingRun({
      id: runId,
      headSha: extra.runHead ?? sha,
      environments: [environment],
      ...(extra.event ? { event: extra.event } : {}),
    });
    return h.deliver(deploymentProtectionRuleEvent({ environment, sha, runId, ...extra }));
  };
  const tick = (gate: string, item: string) => h.editChecklist(pr, OWNERS[gate]!, (b) => setBox(b, `${gate}.${item}`, true));

  it("holds each environment until its gates are signed, then approves it without a poll", async () => {
    await h.deliver(pullRequestEvent("opened", pr));
    await requestDeployment("staging", 501);
    await requestDeployment("production", 502);

    // Both wait, each with a status report (no state) naming what is missing.
    const [staging] = h.github.reviewsOf(501);
    expect(staging).toMatchObject({ environment_name: "staging", appId: expect.any(Number) });
    expect(staging!.state).toBeUndefined();
    expect(staging!.comment).toMatch(/^⏳ Gatehouse is holding the deployment to \*\*staging\*\*/);
    // Owners are named without being notified (a zero-width space breaks the mention).
    expect(staging!.comment).toContain("Security review: waiting for @&#8203;acme/security: 0 of 1 item signed");
    expect(staging!.comment).toContain("environments.staging lists security");
    expect(staging!.comment).not.toContain("Operations readiness");
    expect(h.github.reviewsOf(502)[0]!.comment).toContain("Operations readiness");

    // The security sign-off approves staging at once; production gets a fresh status report.
    await tick("security", "review");
    expect(h.github.reviewsOf(501).at(-1)).toMatchObject({ state: "approved" });
    expect(h.github.reviewsOf(501).at(-1)!.comment).toMatch(/^✅ Gatehouse approved the deployment to \*\*staging\*\*/);
    expect(h.github.workflowRuns.find((r) => r.id === 501)!.status).toBe("in_progress");
    expect(h.github.reviewsOf(502).map((r) => r.state)).toEqual([undefined, undefined]);
    expect(h.github.reviewsOf(502).at(-1)!.comment).toMatch(/1 of 2 required gates approved; waiting for operations/);

    await tick("operations", "runbook");
    await tick("operations", "on-call");
    expect(h.github.reviewsOf(502).at(-1)).toMatchObject({ state: "approved" });
    expect(h.github.workflowRuns.every((r) => r.status === "in_progress")).toBe(true);
    // Nothing was asked of GitHub that it refused.
    expect(h.github.log.filter((r) => r.status >= 400)).toEqual([]);
  });

  it("approves at once when the release is already approved", async () => {
    await h.deliver(pullRequestEvent("opened", pr));
    await tick("security", "review");
    await tick("operations", "runbook");
    await tick("operations", "on-call");
    await requestDeployment("production", 601);
    expect(h.github.reviewsOf(601)).toEqual([
      expect.objectContaining({ state: "approved", comment: expect.stringContaining("all 2 required gates approved") }),
    ]);
  });

  it("approves runs it never saw (after a restart) once the last sign-off lands, looking them up by SHA", async () => {
    await h.deliver(pullRequestEvent("opened", pr));
    // GitHub asked before this process started: the run waits, but nothing here remembers it.
    h.github.addWaitingRun({ id: 701, headSha: HEAD, environments: ["production"] });
    h.github.addWaitingRun({ id: 702, headSha: HEAD, environments: ["qa"] });
    await tick("security", "review");
    expect(h.github.reviewsOf(701)).toEqual([]);
    await tick("operations", "runbook");
    h.github.resetLog();
    await tick("operations", "on-call");
    expect(h.github.reviewsOf(701)).toEqual([expect.objectContaining({ state: "approved" })]);
    // An environment the config does not list requires every gate: approved only now, too.
    expect(h.github.reviewsOf(702)).toEqual([
      expect.objectContaining({ state: "approved", comment: expect.stringContaining('"qa" is not listed in environments') }),
    ]);
    expect(h.github.log.filter((r) => r.path.includes("/actions/runs?"))).toHaveLength(1);

    // A later event on the approved PR looks nothing up again.
    h.github.resetLog();
    await h.deliver(pullRequestEvent("labeled", pr));
    expect(h.github.log.filter((r) => r.path.includes("/actions/runs"))).toEqual([]);
  });

  it("a sign-off on a pending release costs no workflow-run lookup", async () => {
    await h.deliver(pullRequestEvent("opened", pr));
    h.github.resetLog();
    await tick("operations", "runbook");
    expect(h.github.log.filter((r) => r.path.includes("/actions/"))).toEqual([]);
  });

  it(`stays under GitHub's limit of 10 status reports per deployment (sends at most ${MAX_STATUS_REPORTS})`, async () => {
    const items = Array.from({ length: 14 }, (_, i) => `      - { id: item-${i}, title: Item ${i} }`).join("\n");
    teardown();
    h = await setup({
      checklist: `id: launch\ntitle: Launch\ngates:\n  - id: security\n    title: Security review\n    owner: security\n    items:\n${items}\n  - id: operations\n    title: Operations\n    owner: operations\n    items:\n      - { id: runbook, title: Runbook }\n`,
    });
    pr = h.github.addPull({ number: 7, author: "dev", headSha: HEAD });
    await h.deliver(pullRequestEvent("opened", pr));
    await requestDeployment("production", 801);
    for (let i = 0; i < 14; i++) await tick("security", `item-${i}`);
    const reports = h.github.reviewsOf(801).filter((r) => r.state === undefined);
    expect(reports).toHaveLength(MAX_STATUS_REPORTS);
    await tick("operations", "runbook");
    expect(h.github.reviewsOf(801).at(-1)).toMatchObject({ state: "approved" });
    expect(h.github.log.filter((r) => r.status >= 400)).toEqual([]);
  });

  it("finds a merged release PR from its merge commit", async () => {
    await h.deliver(pullRequestEvent("opened", pr));
    await tick("security", "review");
    Object.assign(pr, { state: "closed", merged: true, merge_commit_sha: MERGE, merged_at: "2026-11-25T13:00:00Z" });
    await requestDeployment("staging", 901, MERGE);
    expect(h.github.reviewsOf(901)).toEqual([expect.objectContaining({ state: "approved" })]);
    expect(h.github.reviewsOf(901)[0]!.comment).toContain("(<https://github.com/acme/api/pull/7>)");
  });

  it("uses the run's pull request when a pull_request workflow deploys its test merge commit", async () => {
    await h.deliver(pullRequestEvent("opened", pr));
    await tick("security", "review");
    await requestDeployment("staging", 902, "e".repeat(40), { pulls: [pr], event: "pull_request", runHead: HEAD });
    expect(h.github.reviewsOf(902)).toEqual([expect.objectContaining({ state: "approved" })]);
  });

  describe("binds the approval to the commit deployed", () => {
    const MOVED = "b".repeat(40);
    const TEST_MERGE = "e".repeat(40);
    const approveAll = async () => {
      await tick("security", "review");
      await tick("operations", "runbook");
      await tick("operations", "on-call");
    };
    const push = async () => {
      pr.head.sha = MOVED;
      pr.commits.push(MOVED);
      h.github.compares.set(`${HEAD}...${MOVED}`, ["src/app.ts"]);
      await h.deliver(pullRequestEvent("synchronize", pr, { before: HEAD, after: MOVED }, "dev"));
    };

    it("rejects a run waiting for the old head when the PR moves on and the new head is approved", async () => {
      await h.deliver(pullRequestEvent("opened", pr));
      await requestDeployment("production", 1101);
      expect(h.github.reviewsOf(1101).map((r) => r.state)).toEqual([undefined]);

      await push();
      await approveAll();
      expect(h.github.checkRunsOn(MOVED, "Gatehouse")[0]!.conclusion).toBe("success");

      const last = h.github.reviewsOf(1101).at(-1)!;
      expect(last.state).toBe("rejected");
      expect(last.comment).toContain("7 moved from aaaaaaa to bbbbbbb while this run waited");
      expect(last.comment).toContain("none approve aaaaaaa, the commit this run deploys");
      expect(h.github.reviewsOf(1101).filter((r) => r.state === "approved")).toEqual([]);
    });

    it("rejects a re-run of a pull_request run built from an earlier head, naming both commits", async () => {
      await h.deliver(pullRequestEvent("opened", pr));
      await push();
      await approveAll();
      // The re-run keeps its original commit; the payload lists the PR as it is now.
      await requestDeployment("production", 1102, TEST_MERGE, { pulls: [pr], event: "pull_request", runHead: HEAD });
      const [review] = h.github.reviewsOf(1102);
      expect(review).toMatchObject({ state: "rejected" });
      expect(review!.comment).toContain("this run was started for aaaaaaa, but \\#&#8203;7 is now at bbbbbbb");
    });

    it("rejects a re-run of a push run for the earlier head, and approves the approved head", async () => {
      await h.deliver(pullRequestEvent("opened", pr));
      await push();
      await approveAll();
      await requestDeployment("production", 1103, HEAD);
      expect(h.github.reviewsOf(1103)).toEqual([expect.objectContaining({ state: "rejected" })]);
      expect(h.github.reviewsOf(1103)[0]!.comment).toContain(
        "commit aaaaaaa is an earlier commit of \\#&#8203;7 \\(now at bbbbbbb\\), not a head anyone signed off",
      );
      await requestDeployment("production", 1104, MOVED);
      expect(h.github.reviewsOf(1104)).toEqual([expect.objectContaining({ state: "approved" })]);
    });

    it("rejects a run whose pull request is named in the payload but which deploys another commit", async () => {
      await h.deliver(pullRequestEvent("opened", pr));
      await approveAll();
      await requestDeployment("production", 1105, "d".repeat(40), { pulls: [pr], event: "workflow_dispatch" });
      const [review] = h.github.reviewsOf(1105);
      expect(review).toMatchObject({ state: "rejected" });
      expect(review!.comment).toContain("7's sign-offs hold for aaaaaaa, not for ddddddd, the commit this run deploys");
    });

    it("reads only the newest Gatehouse run of the App on the head: a superseded success approves nothing", async () => {
      await h.deliver(pullRequestEvent("opened", pr));
      await approveAll();
      const approved = h.github.checkRunsOn(HEAD, "Gatehouse")[0]!;
      // The App later wrote a new run on the same commit (the PR came back to it) that is not approved.
      h.github.checkRuns.push({
        ...structuredClone(approved),
        id: approved.id + 10_000,
        conclusion: "action_required",
        output: { ...approved.output, text: encodeLedger({ version: 1, pr: 7, events: [] }) },
      });
      await requestDeployment("production", 1106);
      expect(h.github.reviewsOf(1106)).toHaveLength(1);
      expect(h.github.reviewsOf(1106)[0]!.state).toBeUndefined();
      expect(h.github.reviewsOf(1106)[0]!.comment).toMatch(/^⏳ .*0 of 2 required gates approved/);
    });
  });

  describe("fails closed", () => {
    const rejection = (runId: number) => {
      const reviews = h.github.reviewsOf(runId);
      expect(reviews).toHaveLength(1);
      expect(reviews[0]).toMatchObject({ state: "rejected" });
      expect(reviews[0]!.comment.length).toBeLessThanOrEqual(1024);
      return reviews[0]!.comment;
    };

    it("rejects a commit that belongs to no pull request", async () => {
      await requestDeployment("production", 1001, "f".repeat(40));
      expect(rejection(1001)).toContain("commit fffffff is neither the merge commit nor the head of a pull request");
    });

    it("rejects a PR that is not a release PR", async () => {
      pr.labels = [];
      await requestDeployment("production", 1002);
      // "#7" carries a zero-width space so it does not autolink inside the escaped text.
      expect(rejection(1002)).toContain("7 is not a release PR: base branch");
    });

    it("rejects when the only Gatehouse check comes from another app", async () => {
      h.github.checkRuns.push({
        id: 1,
        name: "Gatehouse",
        head_sha: HEAD,
        status: "completed",
        conclusion: "success",
        details_url: null,
        output: { title: "All approved", summary: "", text: encodeLedger({ version: 1, pr: 7, events: [] }), annotations_count: 0 },
        annotations: [],
        actions: [],
        app: { id: 15368, slug: "github-actions" },
        pull_requests: [{ number: 7 }],
      });
      await requestDeployment("production", 1003);
      expect(rejection(1003)).toMatch(/was created by github-actions, not by this App/);
    });

    it("rejects with the config's problems when it is invalid", async () => {
      h.github.files.set(".github/gatehouse.yml", CONFIG.replace("staging: [security]", "staging: [securty]"));
      await requestDeployment("staging", 1004);
      expect(rejection(1004)).toMatch(/configuration is invalid[\s\S]*\.github\/gatehouse\.yml:\d+:\d+/);
    });

    it("rejects an environment that requires no gate rather than holding it for 30 days", async () => {
      h.github.files.set(".github/gatehouse.yml", CONFIG.replace("staging: [security]", "staging: []"));
      await requestDeployment("staging", 1005);
      expect(rejection(1005)).toMatch(/gatehouse\.yml:6:12: environment "staging" lists no gates/);
    });

    it("ignores a callback URL for another repository", async () => {
      const event = deploymentProtectionRuleEvent({ environment: "production", sha: HEAD, runId: 1006 });
      event.payload.deployment_callback_url = "https://api.github.com/repos/evil/other/actions/runs/1006/deployment_protection_rule";
      h.github.addWaitingRun({ id: 1006, headSha: HEAD, environments: ["production"] });
      await h.deliver(event);
      expect(h.github.reviewsOf(1006)).toEqual([]);
    });
  });
});
