import { Octokit } from "@octokit/core";
import { retry } from "@octokit/plugin-retry";
import { restEndpointMethods } from "@octokit/plugin-rest-endpoint-methods";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InstallationClients, type OctokitClass } from "../../../src/app/runtime/installation-clients.js";
import { Metrics } from "../../../src/app/runtime/metrics.js";
import { parseExposition, total } from "../../support/prometheus-text.js";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** Probot's client class as far as retries go: Octokit's retry plugin, on unless turned off. */
const built: Record<string, unknown>[] = [];
const RetryingOctokit = Octokit.plugin(retry, restEndpointMethods).defaults((options: Record<string, unknown>) => {
  built.push(options);
  return { ...options, auth: "ghs_test" };
}) as unknown as OctokitClass;

describe("InstallationClients: retries", () => {
  it("turn Octokit's retry plugin off and retry a 502 themselves, counted as a server-error retry", async () => {
    const metrics = new Metrics();
    const sleeps: number[] = [];
    const clients = new InstallationClients({
      metrics,
      writeSpacing: { burst: 100, perSecond: 100 },
      retryPolicy: { retries: 2, maxWaitSeconds: 60, serverErrorRetries: 3, sleep: async (ms) => void sleeps.push(ms) },
    });
    nock("https://api.github.com")
      .get("/repos/acme/api/pulls/7")
      .reply(502, "Bad Gateway")
      .get("/repos/acme/api/pulls/7")
      .reply(200, { number: 7 });
    const gh = clients.forInstallation(9, RetryingOctokit);
    const { data } = await gh.rest.pulls.get({ owner: "acme", repo: "api", pull_number: 7 });
    expect(data).toEqual({ number: 7 });
    expect(built.at(-1)).toMatchObject({ retry: { enabled: false }, throttle: { enabled: false } });
    // Octokit's plugin would have waited 1 s itself and counted nothing: this wait and count are Gatehouse's.
    expect(sleeps).toEqual([1_000]);
    const samples = parseExposition(await metrics.registry.metrics());
    expect(total(samples, "gatehouse_github_retries_total", { reason: "server_error" })).toBe(1);
    expect(total(samples, "gatehouse_github_requests_total", { status_class: "5xx" })).toBe(1);
    expect(total(samples, "gatehouse_github_requests_total", { status_class: "2xx" })).toBe(1);
  });
});
