import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeLedger } from "../../src/core/ledger/ledger-codec.js";
import { issueCommentEvent, pullRequestEvent, pushEvent } from "../fixtures/webhooks.js";
import { ensureAppBuilt, NO_SWEEP, startApp, type AppProcess, type WebhookEvent } from "../support/app-process.js";
import type { GitHubStandIn } from "../support/github-stand-in.js";
import {
  APP_ID,
  boxState,
  checklistComment,
  gatehouseRun,
  inRepository,
  ledgerOn,
  PRE_PRODUCTION,
  RELEASE_CONFIG,
  releaseRepo,
  setBox,
} from "../support/release-repo.js";
import { serveStandIns, type StandInServer } from "../support/stand-in-server.js";

const HEAD = "d".repeat(40);

/** One repository per hostile input, all served to one App process. */
const repos = {
  yaml: releaseRepo({
    repo: "bad-yaml",
    config: `checklist: pre-production\nowners:\n  security: ["@acme/security"\n  support: ["@acme/support"]\n`,
  }),
  role: releaseRepo({ repo: "unknown-role", config: RELEASE_CONFIG.replace("  support:", "  suport:") }),
  huge: releaseRepo({ repo: "huge-config", config: RELEASE_CONFIG + `# ${"x".repeat(120)}\n`.repeat(42_000) }),
  comment: releaseRepo({ repo: "huge-comment" }),
  injection: releaseRepo({
    repo: "injection",
    config: RELEASE_CONFIG.replace("checklist: pre-production", "checklist: .github/checklists/launch.yml"),
  }),
  forged: releaseRepo({ repo: "forged" }),
  freeze: releaseRepo({ repo: "freeze" }),
  neighbour: releaseRepo({ repo: "neighbour" }),
};
repos.injection.files.set(
  ".github/checklists/launch.yml",
  `id: launch
title: "Launch <script>alert(1)</script>"
gates:
  - id: security
    title: "Security <img src=x onerror=alert(1)> [click](javascript:alert(1))"
    owner: security
    items:
      - id: waf
        title: "WAF <!-- gatehouse:item security.pentest --> - [x] done"
      - id: pentest
        title: "Pen test](https://evil.example) **bold** @acme/everyone"
  - id: operations
    title: "</details><details open><summary>pwn</summary>"
    owner: operations
    items:
      - id: on-call
        title: "On-call\\n- [x] forged box <!-- gatehouse:item operations.on-call -->"
`,
);
repos.injection.files.set(
  ".github/gatehouse.yml",
  `checklist: .github/checklists/launch.yml
owners:
  security: ["@acme/security"]
  operations: ["@acme/sre"]
release:
  labels: ["release"]
`,
);
const installations = new Map<GitHubStandIn, number>(Object.values(repos).map((github, i) => [github, 300 + i]));

describe.concurrent("malformed and hostile inputs (whole process)", () => {
  let server: StandInServer;
  let app: AppProcess;

  beforeAll(async () => {
    ensureAppBuilt();
    server = await serveStandIns(Object.values(repos));
    app = await startApp({ githubUrl: server.url, appId: APP_ID, env: NO_SWEEP });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await server?.close();
  });

  const deliver = async (github: GitHubStandIn, event: WebhookEvent) => {
    const delivery = await app.deliver(
      inRepository(event as WebhookEvent & { payload: Record<string, any> }, {
        repo: github.repo,
        installation: installations.get(github)!,
      }),
    );
    expect(delivery.status, app.errors()).toBe(200);
  };

  async function openRelease(github: GitHubStandIn, number: number) {
    const pr = github.addPull({ number, author: "dev", headSha: HEAD });
    await deliver(github, pullRequestEvent("opened", pr));
    return pr;
  }

  /** The App's aggregate check on HEAD never showed success. */
  const neverGreen = (github: GitHubStandIn) =>
    expect(github.checkRunHistory.filter((s) => s.appId === APP_ID && s.conclusion === "success")).toEqual([]);

  it("invalid YAML: the check fails at the file, line and column of the error", async () => {
    const github = repos.yaml;
    await openRelease(github, 1);
    const run = gatehouseRun(github, HEAD)!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toContain(".github/gatehouse.yml:4:3: YAML syntax error");
    expect(run.annotations).toEqual([
      expect.objectContaining({ path: ".github/gatehouse.yml", start_line: 4, start_column: 3, annotation_level: "failure" }),
    ]);
    expect(github.commentsOn(1)).toEqual([]);

    // The push that brought the file gets the same answer on its own check.
    const sha = "e".repeat(40);
    github.filesAt.set(sha, new Map([[".github/gatehouse.yml", github.files.get(".github/gatehouse.yml")!]]));
    await deliver(github, pushEvent({ ref: "refs/heads/main", after: sha, modified: [".github/gatehouse.yml"], sender: "dev" }));
    const config = github.checkRunsOn(sha, "Gatehouse config")[0]!;
    expect(config.conclusion).toBe("failure");
    expect(config.annotations).toEqual([expect.objectContaining({ path: ".github/gatehouse.yml", start_line: 4, start_column: 3 })]);
    neverGreen(github);
  });

  it("an unknown role: the check names the role and where it is", async () => {
    const github = repos.role;
    await openRelease(github, 1);
    const run = gatehouseRun(github, HEAD)!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toMatch(/\.github\/gatehouse\.yml:5:3: role "suport" is not used by checklist "pre-production"/);
    expect(run.annotations).toContainEqual(
      expect.objectContaining({ path: ".github/gatehouse.yml", start_line: 5, start_column: 3, message: expect.stringMatching(/suport/) }),
    );
    neverGreen(github);
  });

  it("a 5 MB config is refused without being parsed", async () => {
    const github = repos.huge;
    expect(github.files.get(".github/gatehouse.yml")!.length).toBeGreaterThan(5_000_000);
    await openRelease(github, 1);
    const run = gatehouseRun(github, HEAD)!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toMatch(/\.github\/gatehouse\.yml:1:1: the file is \d+ bytes; Gatehouse reads at most 262144 bytes/);
    neverGreen(github);
  });

  it("a 65 KB edit of the checklist comment: the tick counts, the rest is overwritten", async () => {
    const github = repos.comment;
    const pr = await openRelease(github, 1);
    const comment = checklistComment(github, 1);
    const from = comment.body;
    const ticked = `${setBox(from, "security.waf", true)}\n`;
    comment.body = ticked + "<b>spam</b> ".repeat(Math.ceil((65_536 - ticked.length) / 12)).slice(0, 65_536 - ticked.length);
    expect(comment.body).toHaveLength(65_536);
    await deliver(github, issueCommentEvent("edited", { pr, comment: { ...comment }, sender: "security-owner-1", from }));

    const shown = checklistComment(github, 1).body;
    expect(shown).not.toContain("spam");
    expect(shown.length).toBeLessThan(65_536);
    expect(boxState(shown, "security.waf")).toBe(true);
    expect(ledgerOn(github, HEAD).events.map((e) => `${e.kind} ${e.gate}.${e.item} ${e.actor}`)).toEqual([
      "signoff security.waf security-owner-1",
    ]);
    expect(gatehouseRun(github, HEAD)!.conclusion).toBe("action_required");
    neverGreen(github);
  });

  it("Markdown and HTML in an in-repo checklist's titles are shown as text, and cannot add boxes", async () => {
    const github = repos.injection;
    const pr = await openRelease(github, 1);
    const comment = checklistComment(github, 1);
    const run = gatehouseRun(github, HEAD)!;
    expect(run.conclusion).toBe("action_required");
    for (const text of [comment.body, run.output.summary ?? "", run.output.text ?? ""]) {
      expect(text).not.toMatch(/<img|<script|<summary|<\/details><details|\]\(javascript:|@acme\/everyone/);
    }
    // One box per real item, each ending with its own marker; none ticked.
    const boxes = comment.body.split("\n").filter((line) => /^\s*- \[[ xX]\]/.test(line));
    expect(boxes.map((line) => /<!-- gatehouse:item (\S+) -->$/.exec(line)?.[1])).toEqual([
      "security.waf",
      "security.pentest",
      "operations.on-call",
    ]);
    expect(boxes.filter((line) => /\[[xX]\] /.test(line.slice(0, 8)))).toEqual([]);

    // The marker inside the WAF title does not make its box sign the pen test.
    const from = comment.body;
    comment.body = setBox(from, "security.waf", true);
    await deliver(github, issueCommentEvent("edited", { pr, comment: { ...comment }, sender: "security-owner-1", from }));
    expect(ledgerOn(github, HEAD).events.map((e) => `${e.gate}.${e.item}`)).toEqual(["security.waf"]);
    expect(gatehouseRun(github, HEAD)!.conclusion).toBe("action_required");
    neverGreen(github);
  });

  it("a comment built to be slow to parse does not hold up another installation's webhook", async () => {
    const hostile = repos.freeze;
    const pr = await openRelease(hostile, 1);
    // Once blocked the process for minutes: quadratic ")" balancing of the URL, before any check of who wrote it.
    const body = `/signoff security.waf https://x.example/${")".repeat(65_000)}`;
    const comment = { id: 80_000, body, user: { login: "mallory", type: "User" }, performed_via_github_app: null };
    hostile.comments.push({ ...comment, issue: 1, html_url: "", reactions: [] });
    const slow = app.deliver(
      inRepository(issueCommentEvent("created", { pr, comment, sender: "mallory" }) as WebhookEvent & { payload: Record<string, any> }, {
        repo: hostile.repo,
        installation: installations.get(hostile)!,
      }),
    );

    const neighbour = repos.neighbour;
    const other = neighbour.addPull({ number: 1, author: "dev", headSha: HEAD });
    const answer = await app.deliver(
      inRepository(pullRequestEvent("opened", other) as WebhookEvent & { payload: Record<string, any> }, {
        repo: neighbour.repo,
        installation: installations.get(neighbour)!,
      }),
    );
    expect(answer.status, app.errors()).toBe(200);
    // GitHub gives a delivery 10 s; the neighbour's answer comes well within it.
    expect(answer.answeredAt - answer.sentAt).toBeLessThan(5_000);
    expect(gatehouseRun(neighbour, HEAD)!.conclusion).toBe("action_required");

    expect((await slow).status).toBe(200);
    // The URL was read without its ")"s, and mallory owns no gate: nothing was signed.
    expect(ledgerOn(hostile, HEAD).events).toEqual([]);
    neverGreen(hostile);
  });

  it("forged ledger markers, in a user's comment or another app's check run, count for nothing", async () => {
    const github = repos.forged;
    const everything = PRE_PRODUCTION.gates.flatMap((g) => g.items.map((i) => ({ gate: g.id, item: i.id, role: g.owner })));
    const forgedLedger = encodeLedger({
      version: 1,
      pr: 1,
      events: everything.map((e) => ({
        kind: "signoff",
        actor: `${e.role}-owner-1`,
        role: e.role,
        gate: e.gate,
        item: e.item,
        sha: HEAD,
        at: "2026-11-25T12:00:00Z",
        method: "tick",
        url: "https://x.example",
      })),
    });
    // A workflow writes a green "Gatehouse" check holding that ledger before the App sees the PR.
    github.tokens.set("ghs_workflow", { appId: 15368, slug: "github-actions" });
    const forgedRun = await fetch(`${server.url}/repos/acme/forged/check-runs`, {
      method: "POST",
      headers: { authorization: "token ghs_workflow", "content-type": "application/json" },
      body: JSON.stringify({
        name: "Gatehouse",
        head_sha: HEAD,
        status: "completed",
        conclusion: "success",
        output: { title: "All 5 required gates approved", summary: "trust me", text: forgedLedger },
      }),
    });
    expect(forgedRun.status).toBe(201);

    const pr = await openRelease(github, 1);
    expect(gatehouseRun(github, HEAD)!.conclusion).toBe("action_required");
    expect(ledgerOn(github, HEAD).events).toEqual([]);

    // A user posts a look-alike checklist, every box ticked, ledger block attached, then edits it.
    const real = checklistComment(github, 1).body;
    const allTicked = everything.reduce(
      (body, e) => (body.includes(`gatehouse:item ${e.gate}.${e.item} `) ? setBox(body, `${e.gate}.${e.item}`, true) : body),
      real,
    );
    const mark = github.mark();
    for (const [author, type, via] of [
      ["mallory", "User", null],
      ["evil-app[bot]", "Bot", { id: 999, slug: "evil-app" }],
      ["github-actions[bot]", "Bot", null],
    ] as const) {
      const lookAlike = {
        id: 90_000 + github.comments.length,
        body: `${real}\n${forgedLedger}`,
        user: { login: author, type },
        performed_via_github_app: via,
      };
      github.comments.push({ ...lookAlike, issue: 1, html_url: "", reactions: [] });
      await deliver(
        github,
        issueCommentEvent("created", { pr, comment: lookAlike, sender: author.replace("[bot]", ""), senderType: type }),
      );
      const from = lookAlike.body;
      lookAlike.body = `${allTicked}\n${forgedLedger}`;
      await deliver(github, issueCommentEvent("edited", { pr, comment: lookAlike, sender: "security-owner-1", from }));
    }

    // Nothing reached the ledger, the check or the real checklist: look-alikes cost no write.
    const writes = github.log.slice(mark).filter((r) => r.method !== "GET");
    expect(writes).toEqual([]);
    const shown = checklistComment(github, 1).body;
    for (const e of everything.filter((e) => shown.includes(`gatehouse:item ${e.gate}.${e.item} `)))
      expect(boxState(shown, `${e.gate}.${e.item}`)).toBe(false);
    expect(ledgerOn(github, HEAD).events).toEqual([]);
    expect(gatehouseRun(github, HEAD)!.conclusion).toBe("action_required");
    neverGreen(github);
  });
});
