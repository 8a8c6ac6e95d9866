import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Probot, ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatehouse } from "../../src/app/index.js";
import { shippedChecklist } from "../../src/core/config/resolve-checklist.js";
import { APP_ID, CONFIG, OWNERS, setBox } from "../app/harness.js";
import { issueCommentEvent, pullRequestEvent, pushEvent } from "../fixtures/webhooks.js";
import { parseOutputs } from "../action/runner.js";
import { GitHubStandIn } from "../support/github-stand-in.js";
import { serveStandIn } from "../support/stand-in-server.js";

/**
 * One user story across both halves, over real HTTP: the App gates a release PR, owners sign,
 * the PR merges, and the deploy workflow's Action (the committed bundle) decides from the App's
 * ledger. A green check forged with a workflow token never counts.
 */
const HEAD = "1".repeat(40);
const MERGE = "2".repeat(40);
const GITHUB_ACTIONS_APP = 15368;
const checklist = shippedChecklist("pre-production")!;

describe("release gate, App and Action together", () => {
  const github = new GitHubStandIn({ appId: APP_ID, slug: "gatehouse" });
  github.tokens.set("ghs_workflow", { appId: GITHUB_ACTIONS_APP, slug: "github-actions" });
  let server: Awaited<ReturnType<typeof serveStandIn>>;
  let probot: Probot;

  beforeAll(async () => {
    github.files.set(".github/gatehouse.yml", CONFIG);
    for (const [team, login] of [
      ["acme/platform", OWNERS.infrastructure],
      ["acme/security", OWNERS.security],
      ["acme/sre", OWNERS.operations],
      ["acme/support", OWNERS.support],
    ] as const) {
      github.addTeamMember(team, login!);
    }
    server = await serveStandIn(github);
    probot = new Probot({
      githubToken: "ghs_app",
      baseUrl: server.url,
      Octokit: ProbotOctokit.defaults((o: Record<string, any>) => ({ ...o, throttle: { ...o.throttle, enabled: false } })),
      logLevel: "fatal",
    });
    await probot.load(gatehouse({ appId: APP_ID }));
  });
  afterAll(async () => server.close());

  const deliver = (event: { name: string; payload: Record<string, unknown> }) =>
    probot.receive({ id: `${Math.random()}`, name: event.name, payload: event.payload } as never);

  /** Runs `node action/dist/index.js` as the runner would, for a push of the merge commit. */
  async function deployWorkflow(token = "ghs_workflow") {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-e2e-"));
    const files = { event: join(dir, "event.json"), output: join(dir, "output"), summary: join(dir, "summary.md") };
    writeFileSync(
      files.event,
      JSON.stringify(pushEvent({ ref: "refs/heads/release/1.0", after: MERGE, modified: ["src/app.ts"], sender: "rm" }).payload),
    );
    writeFileSync(files.output, "");
    writeFileSync(files.summary, "");
    const child = spawn(process.execPath, ["action/dist/index.js"], {
      env: {
        PATH: process.env.PATH,
        GITHUB_ACTIONS: "true",
        GITHUB_EVENT_NAME: "push",
        GITHUB_EVENT_PATH: files.event,
        GITHUB_REPOSITORY: "acme/api",
        GITHUB_SHA: MERGE,
        GITHUB_API_URL: server.url,
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_OUTPUT: files.output,
        GITHUB_STEP_SUMMARY: files.summary,
        INPUT_TOKEN: token,
        "INPUT_APP-ID": String(APP_ID),
        "INPUT_WAIT-MINUTES": "0",
        "INPUT_POLL-SECONDS": "30",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stdout.on("data", (d: Buffer) => (log += d.toString()));
    child.stderr.on("data", (d: Buffer) => (log += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    return { code, log, outputs: parseOutputs(readFileSync(files.output, "utf8")), summary: readFileSync(files.summary, "utf8") };
  }

  it("blocks the deploy until every owner signed, ignores a forged green check, then passes", async () => {
    const pr = github.addPull({ number: 12, author: "dev", headSha: HEAD, base: { ref: "release/1.0" }, labels: [] });
    await deliver(pullRequestEvent("opened", pr));
    pr.state = "closed";
    pr.merged = true;
    pr.merge_commit_sha = MERGE;
    pr.merged_at = "2026-11-25T13:00:00Z";

    // A workflow tries to forge the gate with its own token.
    const forged = await fetch(`${server.url}/repos/acme/api/check-runs`, {
      method: "POST",
      headers: { authorization: "token ghs_workflow", "content-type": "application/json" },
      body: JSON.stringify({
        name: "Gatehouse",
        head_sha: HEAD,
        status: "completed",
        conclusion: "success",
        output: { title: "All gates approved", summary: "trust me" },
      }),
    });
    expect(forged.status).toBe(201);

    const blocked = await deployWorkflow();
    expect(blocked.code).toBe(1);
    expect(blocked.outputs).toMatchObject({ approved: "false", "pull-request": "12", "head-sha": HEAD });
    expect(blocked.log).toMatch(/forg/i);
    expect(JSON.parse(blocked.outputs["pending-gates"]!).map((g: { gate: string }) => g.gate)).toEqual([
      "infrastructure",
      "security",
      "operations",
      "compliance",
      "support",
    ]);

    for (const gate of checklist.gates.filter((g) => g.required)) {
      const owner = OWNERS[gate.owner]!;
      const comment = github.commentsOn(12).find((c) => c.user.type === "Bot")!;
      const from = comment.body;
      comment.body = gate.items.filter((i) => !i.evidence).reduce((b, i) => setBox(b, `${gate.id}.${i.id}`, true), from);
      await deliver(issueCommentEvent("edited", { pr, comment, sender: owner, from }));
      for (const item of gate.items.filter((i) => i.evidence?.link)) {
        const cmd = {
          id: 70_000 + item.id.length,
          body: `/signoff ${gate.id}.${item.id} https://reports.example.com/${item.id}.pdf`,
          user: { login: owner, type: "User" },
        };
        github.comments.push({ ...cmd, issue: 12, performed_via_github_app: null, html_url: "", reactions: [] });
        await deliver(issueCommentEvent("created", { pr, comment: cmd, sender: owner }));
      }
    }
    expect(github.checkRunsOn(HEAD, "Gatehouse").find((r) => r.app?.id === APP_ID)!.conclusion).toBe("success");

    const passed = await deployWorkflow();
    expect(passed.code).toBe(0);
    expect(passed.outputs).toMatchObject({ approved: "true", "pull-request": "12", "head-sha": HEAD, "pending-gates": "[]" });
    const signoffs = JSON.parse(passed.outputs.signoffs!) as { actor: string; sha: string }[];
    expect(new Set(signoffs.map((s) => s.actor))).toEqual(new Set(Object.values(OWNERS)));
    expect(signoffs.every((s) => s.sha === HEAD)).toBe(true);
    expect(passed.summary).toContain("Security Controls");
  });
});
