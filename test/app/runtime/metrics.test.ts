import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { CappedLabel, Metrics } from "../../../src/app/runtime/metrics.js";
import { metricsServing, serveMetrics } from "../../../src/app/runtime/metrics-route.js";
import { parseExposition, total } from "../../support/prometheus-text.js";

const quiet = { info() {}, error() {} };

describe("CappedLabel", () => {
  it("keeps the first values and folds later ones and malformed ones into 'other'", () => {
    const label = new CappedLabel(2, /^\d+$/);
    expect(label.value(1)).toBe("1");
    expect(label.value("2")).toBe("2");
    expect(label.value(3)).toBe("other");
    expect(label.value(1)).toBe("1");
    expect(label.value("acme/api")).toBe("other");
  });
});

describe("Metrics", () => {
  it("gives every instance its own registry", async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.deployment("approved");
    expect(total(parseExposition(await a.registry.metrics()), "gatehouse_deployment_decisions_total")).toBe(1);
    expect(total(parseExposition(await b.registry.metrics()), "gatehouse_deployment_decisions_total")).toBe(0);
  });

  it("caps the installations a rate-limit gauge is kept for", async () => {
    const metrics = new Metrics();
    for (let id = 1; id <= 150; id++) {
      metrics.request(String(id), {
        route: "/rate_limit",
        method: "GET",
        status: 200,
        seconds: 0.01,
        retries: 0,
        rateLimit: { resource: "core", remaining: id, limit: 5000 },
      });
    }
    const gauges = parseExposition(await metrics.registry.metrics()).filter((s) => s.name === "gatehouse_github_rate_limit_remaining");
    expect(gauges).toHaveLength(101);
    expect(gauges.filter((g) => g.labels.installation === "other")).toHaveLength(1);
  });

  it("reports the rate limit GitHub reported last and the writes waiting now, when scraped", async () => {
    const metrics = new Metrics();
    const seen = (remaining: number) => ({
      route: "/rate_limit",
      method: "GET",
      status: 200,
      seconds: 0.01,
      retries: 0,
      rateLimit: { resource: "core", remaining, limit: 5000 },
    });
    metrics.request("7", seen(4999));
    metrics.request("7", seen(4998));
    metrics.writeQueue("7", 1);
    metrics.writeQueue("7", 1);
    metrics.writeQueue("8", 1);
    metrics.writeQueue("7", -1);
    let samples = parseExposition(await metrics.registry.metrics());
    expect(total(samples, "gatehouse_github_rate_limit_remaining", { installation: "7", resource: "core" })).toBe(4998);
    expect(total(samples, "gatehouse_github_rate_limit_limit", { installation: "7", resource: "core" })).toBe(5000);
    expect(total(samples, "gatehouse_write_spacing_queue_depth", { installation: "7" })).toBe(1);
    expect(total(samples, "gatehouse_write_spacing_queue_depth", { installation: "8" })).toBe(1);
    metrics.request("7", seen(4990));
    metrics.writeQueue("7", -1);
    samples = parseExposition(await metrics.registry.metrics());
    expect(total(samples, "gatehouse_github_rate_limit_remaining", { installation: "7", resource: "core" })).toBe(4990);
    expect(total(samples, "gatehouse_write_spacing_queue_depth", { installation: "7" })).toBe(0);
  });

  it("counts Octokit's retries and classes statuses, no answer as 'network'", async () => {
    const metrics = new Metrics();
    metrics.request("1", { route: "/repos/{owner}/{repo}", method: "GET", status: 502, seconds: 3, retries: 3 });
    metrics.request("1", { route: "/repos/{owner}/{repo}", method: "GET", status: 0, seconds: 3, retries: 0 });
    const samples = parseExposition(await metrics.registry.metrics());
    expect(total(samples, "gatehouse_github_retries_total", { reason: "server_error" })).toBe(3);
    expect(total(samples, "gatehouse_github_requests_total", { status_class: "5xx" })).toBe(1);
    expect(total(samples, "gatehouse_github_requests_total", { status_class: "network" })).toBe(1);
  });
});

function get(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("serveMetrics", () => {
  it("serves /metrics on its own port behind a bearer token", async () => {
    const metrics = new Metrics();
    metrics.deployment("held");
    const server = serveMetrics(undefined, metrics, { port: 0, host: "127.0.0.1", token: "s3cret" }, quiet)!;
    await new Promise((resolve) => (server.listening ? resolve(undefined) : server.once("listening", resolve)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await get(`${url}/metrics`)).status).toBe(401);
      expect((await get(`${url}/metrics`, { authorization: "Bearer s3cre" })).status).toBe(401);
      expect((await get(`${url}/metrics`, { authorization: "Basic s3cret" })).status).toBe(401);
      const ok = await get(`${url}/metrics?x=1`, { authorization: "Bearer s3cret" });
      expect(ok.status).toBe(200);
      expect(total(parseExposition(ok.body), "gatehouse_deployment_decisions_total", { decision: "held" })).toBe(1);
      expect((await get(`${url}/other`, { authorization: "Bearer s3cret" })).status).toBe(404);
      expect((await get(`${url}/metrics`, { authorization: "Bearer s3cret" }, "DELETE")).status).toBe(405);
    } finally {
      server.close();
    }
  });

  it("adds /metrics to Probot's server when no port is set, and refuses a token there", () => {
    const added: unknown[] = [];
    expect(serveMetrics({ addHandler: (h) => added.push(h) }, new Metrics(), {}, quiet)).toBeUndefined();
    expect(added).toHaveLength(1);
    expect(() => serveMetrics({ addHandler: (h) => added.push(h) }, new Metrics(), { token: "t" }, quiet)).toThrow(
      /METRICS_TOKEN needs METRICS_PORT/,
    );
    // A bare Probot (no server) throws from addHandler: there is nowhere to serve, and that is fine.
    expect(() =>
      serveMetrics(
        {
          addHandler: () => {
            throw new Error("No server instance");
          },
        },
        new Metrics(),
        {},
        quiet,
      ),
    ).not.toThrow();
  });

  it("reads METRICS_PORT, METRICS_HOST and METRICS_TOKEN, and rejects a port that is not a number", () => {
    expect(metricsServing({})).toEqual({});
    expect(metricsServing({ METRICS_PORT: "9464", METRICS_HOST: "10.0.0.1", METRICS_TOKEN: "t" })).toEqual({
      port: 9464,
      host: "10.0.0.1",
      token: "t",
    });
    expect(() => metricsServing({ METRICS_PORT: "metrics" })).toThrow(/METRICS_PORT must be a port number/);
  });
});
