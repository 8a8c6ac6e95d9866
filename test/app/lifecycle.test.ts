import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeLedger } from "../../src/core/ledger/ledger-codec.js";
import { checkRunEvent, checkSuiteRerequested, mergeGroupEvent, pullRequestEvent, pushEvent } from "../fixtures/webhooks.js";
import { APP_ID, boxState, CONFIG, createHarness, OWNERS, setBox, teardown, type Harness } from "./harness.js";

const A = "a".repeat(40);
const B = "b".repeat(40);

describe("release PR lifecycle", () => {
  let h: Harness;
  afterEach(teardown);

  describe("with a valid config", () => {
    beforeEach(async () => {
      h = await createHarness({ config: `${CONFIG}gate_checks: true\n` });
      h.github.addPull({ number: 5, author: "dev", headSha: A });
    });
    const pr = () => h.github.pulls.get(5)!;

    it("a redelivered webhook is idempotent", async () => {
      const event = pullRequestEvent("opened", pr());
      await Promise.all([h.deliver(event, "delivery-1"), h.deliver(event, "delivery-1")]);
      await h.deliver(event, "delivery-1");
      expect(h.github.commentsOn(5)).toHaveLength(1);
      expect(h.github.checkRunsOn(A, "Gatehouse")).toHaveLength(1);
      // A new delivery of the same event (a different process, a restart) finds the comment and run.
      await h.deliver(pullRequestEvent("reopened", pr()), "delivery-2");
      expect(h.github.commentsOn(5)).toHaveLength(1);
      expect(h.github.checkRunsOn(A, "Gatehouse")).toHaveLength(1);
    });

    it("reports one check per gate when gate_checks is on", async () => {
      await h.deliver(pullRequestEvent("opened", pr()));
      const names = h.github
        .checkRunsOn(A)
        .map((r) => r.name)
        .sort();
      expect(names).toEqual([
        "Gatehouse",
        "Gatehouse / compliance",
        "Gatehouse / infrastructure",
        "Gatehouse / operations",
        "Gatehouse / promotion",
        "Gatehouse / security",
        "Gatehouse / support",
      ]);
      expect(h.github.checkRunsOn(A, "Gatehouse / promotion")[0]!.conclusion).toBe("success");
      expect(h.github.checkRunsOn(A, "Gatehouse / security")[0]!.conclusion).toBe("action_required");
    });

    it("concurrent ticks by many owners are all recorded", async () => {
      await h.deliver(pullRequestEvent("opened", pr()));
      const base = h.checklistComment(5).body;
      const ticks = [
        ["security", "waf"],
        ["security", "rate-limits"],
        ["security", "secret-rotation"],
        ["operations", "alerts"],
        ["operations", "on-call"],
        ["support", "champions"],
        ["infrastructure", "cdn"],
        ["compliance", "dpia"],
      ] as const;
      const { issueCommentEvent } = await import("../fixtures/webhooks.js");
      const comment = h.checklistComment(5);
      // Every owner ticked the same version of the comment; GitHub delivers all edits at once.
      await Promise.all(
        ticks.map(([gate, item]) => {
          const sender = OWNERS[gate]!;
          const body = setBox(base, `${gate}.${item}`, true);
          return h.deliver(issueCommentEvent("edited", { pr: pr(), comment: { ...comment, body }, sender, from: base }));
        }),
      );
      const recorded = h
        .ledger(A)
        .events.map((e) => `${e.gate}.${e.item}`)
        .sort();
      expect(recorded).toEqual(ticks.map(([g, i]) => `${g}.${i}`).sort());
      for (const [gate, item] of ticks) expect(boxState(h.checklistComment(5).body, `${gate}.${item}`)).toBe(true);
    });

    it("a push carries the ledger over and invalidates gates whose paths changed", async () => {
      teardown();
      h = await createHarness({ config: CONFIG });
      const custom = `checklist: .github/checklists/launch.yml
owners:
  security: ["@acme/security"]
  operations: ["@acme/sre"]
`;
      h.github.files.set(".github/gatehouse.yml", custom);
      h.github.files.set(
        ".github/checklists/launch.yml",
        `id: launch
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
`,
      );
      const p = h.github.addPull({ number: 6, author: "dev", headSha: A, commits: [A] });
      await h.deliver(pullRequestEvent("opened", p));
      await h.editChecklist(p, OWNERS.security!, (b) => setBox(b, "security.review", true));
      await h.editChecklist(p, OWNERS.operations!, (b) => setBox(b, "operations.runbook", true));
      expect(h.github.checkRunsOn(A, "Gatehouse")[0]!.conclusion).toBe("success");

      p.head.sha = B;
      p.commits.push(B);
      h.github.compares.set(`${A}...${B}`, ["src/auth/login.ts", "README.md"]);
      await h.deliver(pullRequestEvent("synchronize", p, { before: A, after: B }, "dev"));

      const run = h.github.checkRunsOn(B, "Gatehouse")[0]!;
      expect(run.conclusion).toBe("action_required");
      const ledger = decodeLedger(run.output.text ?? "")!;
      expect(ledger.events.map((e) => e.kind)).toEqual(["signoff", "signoff", "invalidate", "pushed"]);
      expect(ledger.events[2]).toMatchObject({ gate: "security", sha: B, files: ["src/auth/login.ts"], method: "push" });
      const body = h.checklistComment(6).body;
      expect(body).toContain("src/auth/login.ts");
      expect(boxState(body, "security.review")).toBe(false);
      expect(boxState(body, "operations.runbook")).toBe(true);
      // The old head's run keeps its own history untouched.
      expect(h.github.checkRunsOn(A, "Gatehouse")[0]!.conclusion).toBe("success");
      expect(h.github.commentsOn(6)).toHaveLength(1);
    });

    it("the button signs every pending item the clicker owns", async () => {
      await h.deliver(pullRequestEvent("opened", pr()));
      const run = h.github.checkRunsOn(A, "Gatehouse")[0]!;
      await h.deliver(checkRunEvent("requested_action", { ...run, pull_requests: [] }, OWNERS.support!));
      const items = h.ledger(A).events.map((e) => [e.actor, e.gate, e.method]);
      expect(items.length).toBe(5);
      expect(new Set(items.map((i) => i.join(",")))).toEqual(new Set([`${OWNERS.support},support,button`]));
      expect(h.github.checkRunsOn(A, "Gatehouse / support")[0]!.conclusion).toBe("success");

      await h.deliver(checkRunEvent("requested_action", { ...run, pull_requests: [] }, "mallory"));
      expect(h.ledger(A).events).toHaveLength(5);
      expect(h.checklistComment(5).body).toContain("owns no pending item");
    });

    it("ignores a button click on another app's check run", async () => {
      await h.deliver(pullRequestEvent("opened", pr()));
      h.github.resetLog();
      await h.deliver(
        checkRunEvent(
          "requested_action",
          { id: 1, head_sha: A, details_url: null, app: { id: 15368, slug: "github-actions" }, pull_requests: [{ number: 5 }] },
          OWNERS.support!,
        ),
      );
      expect(h.github.log).toEqual([]);
    });

    it("a re-run recomputes from the ledger on GitHub and repairs what was lost", async () => {
      await h.deliver(pullRequestEvent("opened", pr()));
      await h.editChecklist(pr(), OWNERS.security!, (b) => setBox(b, "security.waf", true));
      // Someone (or a failed write) left the comment out of date.
      const comment = h.checklistComment(5);
      comment.body = comment.body.replace(/\[x\]/g, "[ ]");
      const run = h.github.checkRunsOn(A, "Gatehouse")[0]!;
      await h.deliver(checkRunEvent("rerequested", run, "dev"));
      expect(boxState(h.checklistComment(5).body, "security.waf")).toBe(true);

      h.github.resetLog();
      await h.deliver(checkSuiteRerequested({ head_sha: A, appId: APP_ID, pulls: [5] }, "dev"));
      expect(h.github.writes()).toBe(0);
    });

    it("merge queue: the group's commit passes only when the queued PR is approved", async () => {
      await h.deliver(pullRequestEvent("opened", pr()));
      const queue = (sha: string) => h.github.addMergeGroup({ baseSha: "f".repeat(40), entries: [{ pr: pr(), sha, method: "squash" }] });
      queue("d".repeat(40));
      await h.deliver(mergeGroupEvent(5, "d".repeat(40), "main", "f".repeat(40)));
      expect(h.github.checkRunsOn("d".repeat(40), "Gatehouse")[0]).toMatchObject({ conclusion: "failure" });

      await h.deliver(
        checkRunEvent("requested_action", { ...h.github.checkRunsOn(A, "Gatehouse")[0]!, pull_requests: [] }, OWNERS.support!),
      );
      for (const role of ["security", "operations", "compliance", "infrastructure"] as const) {
        await h.deliver(
          checkRunEvent(
            "requested_action",
            { ...h.github.checkRunsOn(A, "Gatehouse")[0]!, pull_requests: [] },
            role === "compliance" ? "dana" : OWNERS[role]!,
          ),
        );
      }
      // The penetration test needs a link, so the button cannot sign it.
      const { issueCommentEvent } = await import("../fixtures/webhooks.js");
      const cmd = {
        id: 8800,
        body: "/signoff security.penetration-test https://pentest.example.com/r.pdf",
        user: { login: OWNERS.security!, type: "User" },
      };
      h.github.comments.push({ ...cmd, issue: 5, performed_via_github_app: null, html_url: "", reactions: [] });
      await h.deliver(issueCommentEvent("created", { pr: pr(), comment: cmd, sender: OWNERS.security! }));
      expect(h.github.checkRunsOn(A, "Gatehouse")[0]!.conclusion).toBe("success");

      queue("e".repeat(40));
      await h.deliver(mergeGroupEvent(5, "e".repeat(40), "main", "f".repeat(40)));
      expect(h.github.checkRunsOn("e".repeat(40), "Gatehouse")[0]).toMatchObject({ conclusion: "success", app: { id: APP_ID } });
    });
  });

  describe("with a broken config", () => {
    it("fails the check with file:line:col and annotations, and never goes green", async () => {
      h = await createHarness({ config: 'checklist: pre-production\nowners:\n  securty: ["@acme/security"]\n' });
      const p = h.github.addPull({ number: 11, author: "dev", headSha: A });
      await h.deliver(pullRequestEvent("opened", p));
      const run = h.github.checkRunsOn(A, "Gatehouse")[0]!;
      expect(run.conclusion).toBe("failure");
      expect(run.output.title).toBe("Configuration error");
      expect(run.output.summary).toMatch(/\.github\/gatehouse\.yml:3:3: .*securty/);
      expect(run.annotations).toContainEqual(
        expect.objectContaining({ path: ".github/gatehouse.yml", start_line: 3, annotation_level: "failure" }),
      );
      expect(h.github.commentsOn(11)).toEqual([]);
    });

    it("validates a config change pushed to a branch, before it can merge", async () => {
      h = await createHarness();
      h.github.filesAt.set(
        "f".repeat(40),
        new Map([[".github/gatehouse.yml", "checklist: pre-production\nphase: warp-speed\nowners: {}\n"]]),
      );
      await h.deliver(
        pushEvent({ ref: "refs/heads/tighten-gates", after: "f".repeat(40), modified: [".github/gatehouse.yml"], sender: "dev" }),
      );
      const run = h.github.checkRunsOn("f".repeat(40), "Gatehouse config")[0]!;
      expect(run.conclusion).toBe("failure");
      expect(run.output.summary).toContain(".github/gatehouse.yml:2:");
      expect(run.annotations.length).toBeGreaterThan(0);

      h.github.resetLog();
      await h.deliver(pushEvent({ ref: "refs/heads/docs", after: `${"0".repeat(39)}1`, modified: ["README.md"], sender: "dev" }));
      expect(h.github.log).toEqual([]);
    });
  });
});
