import { Octokit } from "@octokit/rest";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { observeRequests, ObservedWriteSpacing, type ObservedRequest } from "../../src/github/request-metrics.js";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function observed() {
  const seen: { installation: string; request: ObservedRequest }[] = [];
  const gh = observeRequests(
    new Octokit({ auth: "ghs_test", retry: { enabled: false } }),
    { request: (installation, request) => seen.push({ installation, request }) },
    "77",
  );
  return { gh, seen };
}

describe("observeRequests", () => {
  it("reports the route template, status and the rate limit GitHub sent back", async () => {
    nock("https://api.github.com")
      .get("/repos/acme/api/pulls/7")
      .reply(200, { number: 7 }, { "x-ratelimit-remaining": "4321", "x-ratelimit-limit": "5000", "x-ratelimit-resource": "core" });
    const { gh, seen } = observed();
    await gh.rest.pulls.get({ owner: "acme", repo: "api", pull_number: 7 });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      installation: "77",
      request: {
        route: "/repos/{owner}/{repo}/pulls/{pull_number}",
        method: "GET",
        status: 200,
        retries: 0,
        rateLimit: { resource: "core", remaining: 4321, limit: 5000 },
      },
    });
    expect(seen[0]!.request.seconds).toBeGreaterThanOrEqual(0);
  });

  it("turns an expanded URL (paginate, plain request) back into its template, never into a label with owner or number", async () => {
    nock("https://api.github.com")
      .get("/repos/acme/api/pulls/7/commits")
      .query(true)
      .reply(200, [{ sha: "a".repeat(40) }])
      .get("/repos/acme/api/issues/7/comments")
      .reply(200, [])
      .get("/some/unknown/path/acme")
      .reply(200, {});
    const { gh, seen } = observed();
    await gh.paginate(gh.rest.pulls.listCommits, { owner: "acme", repo: "api", pull_number: 7, per_page: 100 });
    await gh.request("GET /repos/acme/api/issues/7/comments");
    await gh.request("GET /some/unknown/path/acme");
    expect(seen.map((s) => s.request.route)).toEqual([
      "/repos/{owner}/{repo}/pulls/{pull_number}/commits",
      "/repos/{owner}/{repo}/issues/{issue_number}/comments",
      "unmatched",
    ]);
  });

  it("reports failed requests with their status, and network failures as status 0", async () => {
    nock("https://api.github.com")
      .patch("/repos/acme/api/check-runs/5")
      .reply(403, { message: "You have exceeded a secondary rate limit" }, { "retry-after": "1" });
    nock("https://api.github.com").get("/repos/acme/api/pulls/8").replyWithError("socket hang up");
    const { gh, seen } = observed();
    await expect(gh.rest.checks.update({ owner: "acme", repo: "api", check_run_id: 5, status: "completed" })).rejects.toThrow();
    await expect(gh.rest.pulls.get({ owner: "acme", repo: "api", pull_number: 8 })).rejects.toThrow();
    expect(seen.map((s) => [s.request.route, s.request.method, s.request.status])).toEqual([
      ["/repos/{owner}/{repo}/check-runs/{check_run_id}", "PATCH", 403],
      ["/repos/{owner}/{repo}/pulls/{pull_number}", "GET", 0],
    ]);
  });
});

describe("ObservedWriteSpacing", () => {
  afterEach(() => vi.useRealTimers());

  it("reports each write waiting for its slot, and its release", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const depth = new Map<string, number>();
    const spacing = new ObservedWriteSpacing({ burst: 1, perSecond: 1 }, (key, delta) => depth.set(key, (depth.get(key) ?? 0) + delta));
    await spacing.acquire("42");
    expect(depth.get("42")).toBe(0);
    const second = spacing.acquire("42");
    const third = spacing.acquire("42");
    await vi.advanceTimersByTimeAsync(0);
    expect(depth.get("42")).toBe(2);
    await vi.advanceTimersByTimeAsync(1_000);
    await second;
    expect(depth.get("42")).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    await third;
    expect(depth.get("42")).toBe(0);
  });
});
