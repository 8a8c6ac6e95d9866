import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploymentProtectionRuleEvent, issueCommentEvent, pullRequestEvent } from "../fixtures/webhooks.js";
import { ensureAppBuilt, ROOT, startApp, type AppProcess, type WebhookEvent } from "../support/app-process.js";
import { families, parseExposition, total, type Sample } from "../support/prometheus-text.js";
import { isExported, metricNames } from "../support/promql-names.js";
import { APP_ID, checklistComment, gatehouseRun, inRepository, releaseRepo, setBox } from "../support/release-repo.js";
import { SeededFaults } from "../support/seeded-faults.js";
import { serveStandIn, type StandInServer } from "../support/stand-in-server.js";

const H1 = "d".repeat(40);
const H2 = "e".repeat(40);
const INSTALLATION = 42;
const METRICS_TOKEN = "metrics-token-for-the-test";
const WEBHOOK_SECRET = "webhook-secret-for-the-test";

const CONFIG = `checklist: .github/checklists/launch.yml
owners:
  security: ["@acme/security"]
  operations: ["@acme/sre"]
invalidate_on_push: paths
environments:
  production: all
release:
  labels: ["release"]
`;

const CHECKLIST = `id: launch
title: Launch
gates:
  - id: security
    title: Security review
    owner: security
    paths: ["src/auth/**"]
    items:
      - { id: review, title: Threat model reviewed }
  - id: operations
    title: Operations readiness
    owner: operations
    items:
      - { id: runbook, title: Runbook written }
`;

/**
 * The App as its own process, driven through a scripted story (open, ticks, a revoke, a reverted
 * tick, a secondary rate limit, approval, a deployment, a push that invalidates, a held
 * deployment, a redelivery, an event nobody handles); then `/metrics` is scraped over HTTP and
 * every counter must have moved by exactly what the story did.
 */
describe("metrics of a running App", () => {
  const github = releaseRepo({ config: CONFIG });
  github.files.set(".github/checklists/launch.yml", CHECKLIST);
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  let server: StandInServer;
  let app: AppProcess;
  let metricsUrl = "";

  beforeAll(async () => {
    ensureAppBuilt();
    server = await serveStandIn(github);
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    app = await startApp({
      githubUrl: server.url,
      appId: APP_ID,
      secret: WEBHOOK_SECRET,
      logLevel: "debug",
      env: {
        PRIVATE_KEY: privateKey,
        GATEHOUSE_COMMENT_WINDOW_SECONDS: "0",
        METRICS_TOKEN,
        METRICS_PORT: String(metricsPort),
        METRICS_HOST: "127.0.0.1",
        LOG_FORMAT: "json",
      },
    });
    // The start-up sweep's reads come first, so the story's counts are its own.
    for (let waited = 0; !app.output().includes("start-up sweep of open release PRs done"); waited += 100) {
      if (waited > 30_000) throw new Error(`the start-up sweep did not finish:\n${app.errors()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await server?.close();
  });

  /** Waits until the stand-in has served nothing for `ms`. */
  async function untilQuiet(standIn: typeof github, ms: number): Promise<void> {
    for (let seen = -1; seen !== standIn.log.length; ) {
      seen = standIn.log.length;
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
  }

  async function deliver(event: WebhookEvent, id?: string): Promise<string> {
    const delivery = await app.deliver(
      inRepository(event as WebhookEvent & { payload: Record<string, any> }, { installation: INSTALLATION }),
      id ? { id } : {},
    );
    expect(delivery.status, `${event.name} ${delivery.id}:\n${app.errors()}`).toBe(200);
    return delivery.id;
  }

  const scrape = async (): Promise<Sample[]> => {
    const response = await fetch(metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    exposition = await response.text();
    return parseExposition(exposition);
  };

  let exposition = "";
  let samples: Sample[] = [];
  let openedId = "";

  it("runs the story", async () => {
    const pr = github.addPull({ number: 7, author: "dev", headSha: H1, commits: [H1], labels: [{ name: "release" }] });
    openedId = await deliver(pullRequestEvent("opened", pr));
    expect(gatehouseRun(github, H1)).toBeDefined();

    const edit = async (sender: string, ref: string, checked: boolean) => {
      const comment = checklistComment(github, 7);
      const from = comment.body;
      comment.body = setBox(from, ref, checked);
      await deliver(issueCommentEvent("edited", { pr, comment: { ...comment }, sender, from }));
    };
    await edit("security-owner-1", "security.review", true);
    // The revoke's check-run write meets a secondary rate limit once; the App waits and retries.
    const faults = new SeededFaults(github, { badGatewayShare: 0, seed: 1 });
    faults.secondaryRateLimitNext((req) => req.method === "PATCH" && req.path.includes("/check-runs/"), 1);
    await edit("security-owner-1", "security.review", false);
    expect(faults.pendingRateLimits).toBe(0);
    faults.stop();
    await edit("security-owner-1", "security.review", true);
    await edit("mallory", "operations.runbook", true);
    await edit("operations-owner-1", "operations.runbook", true);
    expect(gatehouseRun(github, H1)!.conclusion).toBe("success");

    github.addWaitingRun({ id: 501, headSha: H1, environments: ["production"] });
    await deliver(deploymentProtectionRuleEvent({ environment: "production", sha: H1, runId: 501, pulls: [pr] }));
    expect(github.reviewsOf(501).at(-1)).toMatchObject({ state: "approved" });

    pr.head.sha = H2;
    pr.commits.push(H2);
    github.compares.set(`${H1}...${H2}`, ["src/auth/login.ts"]);
    await deliver(pullRequestEvent("synchronize", pr, { before: H1, after: H2 }, "dev"));
    expect(gatehouseRun(github, H2)!.conclusion).not.toBe("success");

    github.addWaitingRun({ id: 502, headSha: H2, environments: ["production"] });
    await deliver(deploymentProtectionRuleEvent({ environment: "production", sha: H2, runId: 502, pulls: [pr] }));
    expect(github.reviewsOf(502).at(-1)!.state).toBeUndefined();

    // GitHub's "Redeliver" sends the same delivery id again; an action nobody subscribes to is ignored.
    await deliver(pullRequestEvent("opened", pr), openedId);
    await deliver(pullRequestEvent("closed", pr));
    // Deferred comment re-renders (ledger first, view later) finish before the scrape.
    await untilQuiet(github, 800);
    samples = await scrape();
  }, 60_000);

  it("counts webhooks by event, action and outcome", () => {
    const handled = (event: string, action: string, outcome: string) =>
      total(samples, "gatehouse_webhooks_handled_total", { event, action, outcome });
    expect(total(samples, "gatehouse_webhooks_received_total")).toBe(11);
    expect(total(samples, "gatehouse_webhooks_received_total", { event: "issue_comment", action: "edited" })).toBe(5);
    expect(handled("pull_request", "opened", "handled")).toBe(1);
    expect(handled("pull_request", "opened", "duplicate")).toBe(1);
    expect(handled("pull_request", "synchronize", "handled")).toBe(1);
    expect(handled("issue_comment", "edited", "handled")).toBe(5);
    expect(handled("deployment_protection_rule", "requested", "handled")).toBe(2);
    expect(handled("pull_request", "closed", "ignored")).toBe(1);
    expect(total(samples, "gatehouse_webhooks_handled_total", { outcome: "error" })).toBe(0);
    expect(total(samples, "gatehouse_webhooks_handled_total")).toBe(11);
    // Ignored deliveries ran no handler, so they are not timed.
    expect(total(samples, "gatehouse_webhook_handling_seconds_count")).toBe(10);
    expect(total(samples, "gatehouse_webhook_handling_seconds_bucket", { le: "+Inf" })).toBe(10);
  });

  it("counts sign-offs, revokes, reverted ticks, invalidations and verdict transitions", () => {
    expect(total(samples, "gatehouse_signoffs_total", { gate: "security" })).toBe(2);
    expect(total(samples, "gatehouse_signoffs_total", { gate: "operations" })).toBe(1);
    expect(total(samples, "gatehouse_revokes_total")).toBe(1);
    expect(total(samples, "gatehouse_revokes_total", { gate: "security" })).toBe(1);
    expect(total(samples, "gatehouse_reverted_ticks_total")).toBe(1);
    expect(total(samples, "gatehouse_reverted_ticks_total", { gate: "operations" })).toBe(1);
    expect(total(samples, "gatehouse_invalidations_total")).toBe(1);
    expect(total(samples, "gatehouse_invalidations_total", { gate: "security" })).toBe(1);
    expect(total(samples, "gatehouse_verdict_transitions_total", { from: "pending", to: "approved" })).toBe(1);
    expect(total(samples, "gatehouse_verdict_transitions_total", { from: "approved", to: "pending" })).toBe(1);
    expect(total(samples, "gatehouse_verdict_transitions_total")).toBe(2);
  });

  it("counts batches, deployment decisions and secondary-rate-limit waits", () => {
    // Seven syncs, one event each: opened, five edits, synchronize.
    expect(total(samples, "gatehouse_sync_batch_size_count")).toBe(7);
    expect(total(samples, "gatehouse_sync_batch_size_sum")).toBe(7);
    expect(total(samples, "gatehouse_deployment_decisions_total", { decision: "approved" })).toBe(1);
    expect(total(samples, "gatehouse_deployment_decisions_total", { decision: "held" })).toBe(1);
    expect(total(samples, "gatehouse_deployment_decisions_total")).toBe(2);
    const installation = String(INSTALLATION);
    expect(total(samples, "gatehouse_github_secondary_rate_limit_waits_total", { installation })).toBe(1);
    expect(total(samples, "gatehouse_github_secondary_rate_limit_wait_seconds_total", { installation })).toBe(1);
    expect(total(samples, "gatehouse_github_retries_total", { reason: "secondary_rate_limit" })).toBe(1);
    expect(total(samples, "gatehouse_write_spacing_queue_depth", { installation })).toBe(0);
  });

  it("counts GitHub requests by route template, never by owner, repo or number", () => {
    const requests = samples.filter((s) => s.name === "gatehouse_github_requests_total");
    expect(
      total(samples, "gatehouse_github_requests_total", {
        route: "/repos/{owner}/{repo}/check-runs/{check_run_id}",
        method: "PATCH",
        status_class: "4xx",
      }),
    ).toBe(1);
    expect(
      total(samples, "gatehouse_github_requests_total", { route: "/repos/{owner}/{repo}/check-runs", method: "POST", status_class: "2xx" }),
    ).toBe(2);
    expect(total(samples, "gatehouse_github_requests_total")).toBe(total(samples, "gatehouse_github_request_seconds_count"));
    // Every request the stand-in served, the token exchange included.
    expect(total(samples, "gatehouse_github_requests_total")).toBe(github.log.length);
    // Paginated reads pass an expanded URL; it is matched back to its template.
    expect(
      total(samples, "gatehouse_github_requests_total", { route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", method: "GET" }),
    ).toBe(1);
    expect(
      total(samples, "gatehouse_github_requests_total", { route: "/repos/{owner}/{repo}/commits/{ref}/check-runs", method: "GET" }),
    ).toBe(4);
    for (const sample of requests) {
      expect(sample.labels.route).toMatch(/^\/[\w/{}-]+$/);
      expect(sample.labels.route).not.toMatch(/acme|\/7\b|[0-9a-f]{40}|security-owner|mallory/);
    }
    // Process metrics come with the registry.
    expect(total(samples, "process_start_time_seconds")).toBeGreaterThan(0);
  });

  it("exports every metric the shipped dashboard and alert rules query", () => {
    const exported = families(exposition);
    const dashboard = JSON.parse(readFileSync(join(ROOT, "ops/grafana/gatehouse.json"), "utf8")) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const rules = (
      parseYaml(readFileSync(join(ROOT, "ops/prometheus/alerts.yml"), "utf8")) as { groups: { rules: { alert: string; expr: string }[] }[] }
    ).groups.flatMap((g) => g.rules);
    const queries = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))),
      ...rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
    ];
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    let checked = 0;
    for (const { where, expr } of queries) {
      // `up` is Prometheus's own series about the scrape, not something an exporter serves.
      for (const name of metricNames(expr).filter((n) => n !== "up")) {
        expect(isExported(name, exported), `${where} queries ${name}, which /metrics does not export`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(25);
    expect(isExported("gatehouse_no_such_metric", exported)).toBe(false);
  });

  it("refuses a scrape without the bearer token, and keeps /metrics off the webhook port", async () => {
    expect((await fetch(metricsUrl)).status).toBe(401);
    expect((await fetch(metricsUrl, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await fetch(metricsUrl, { method: "POST", headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(405);
    expect((await fetch(metricsUrl.replace("/metrics", "/api/github/webhooks"))).status).toBe(404);
    expect((await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404);
  });

  it("logs JSON lines that name the delivery, event, repository and PR, with the outcome", () => {
    const lines = app
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const ofOpened = lines.filter((l) => l.delivery === openedId);
    expect(ofOpened.map((l) => l.outcome)).toEqual(["handled", "duplicate"]);
    for (const line of ofOpened)
      expect(line).toMatchObject({ event: "pull_request", action: "opened", repository: "acme/api", pr: 7, installation: INSTALLATION });
    const deployment = lines.find((l) => l.decision === "held");
    expect(deployment).toMatchObject({ event: "deployment_protection_rule", repository: "acme/api", pr: 7, environment: "production" });
  });

  it("never logs the private key, the webhook secret, an installation token or a JWT", () => {
    const output = app.output();
    expect(output.length).toBeGreaterThan(10_000);
    const keyBody = privateKey.split("\n").filter((l) => l.length >= 40);
    expect(keyBody.length).toBeGreaterThan(10);
    for (const line of keyBody) expect(output).not.toContain(line);
    expect(output).not.toContain(WEBHOOK_SECRET);
    expect(output).not.toContain(METRICS_TOKEN);
    // The stand-in issues this installation token, and the App did use it.
    expect(github.log.some((r) => r.path.endsWith("/access_tokens"))).toBe(true);
    expect(output).not.toContain("ghs_standin");
    expect(output).not.toMatch(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}/);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
