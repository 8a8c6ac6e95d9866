import { RequestError } from "@octokit/request-error";
import { describe, expect, it } from "vitest";
import { ProblemError } from "../../../src/core/config/problem.js";
import { CONFIG_CACHE_MAX, CONFIG_TTL_MS, ConfigCache } from "../../../src/app/runtime/config-cache.js";
import type { GitHubClient } from "../../../src/github/client.js";
import { RELEASE_CONFIG } from "../../support/release-repo.js";
import { manualClock } from "../../support/fake-clock.js";
import { Deliveries } from "../../../src/app/runtime/deliveries.js";
import { type Coordination, createRuntime } from "../../../src/app/runtime/runtime.js";

/** A GitHub that serves the release config for any repo (or fails as told), counting reads per repo. */
function configHost(answer: (repo: string) => "config" | "missing" | "outage" = () => "config") {
  const reads = new Map<string, number>();
  const gh = {
    rest: {
      repos: {
        getContent: async ({ owner, repo }: { owner: string; repo: string }) => {
          const name = `${owner}/${repo}`;
          reads.set(name, (reads.get(name) ?? 0) + 1);
          const kind = answer(name);
          if (kind === "config") return { data: RELEASE_CONFIG };
          const status = kind === "missing" ? 404 : 502;
          throw new RequestError(kind, status, { request: { method: "GET", url: `/repos/${name}/contents`, headers: {} } });
        },
      },
    },
  } as unknown as GitHubClient;
  return { gh, reads: (name: string) => reads.get(name) ?? 0 };
}

const repo = (n: number) => ({ owner: "acme", repo: `svc-${n}` });

describe("ConfigCache", () => {
  it("reads a repo's config once per TTL, on the injected clock", async () => {
    const clock = manualClock();
    const host = configHost();
    const cache = new ConfigCache({ now: clock.now });
    await cache.load(host.gh, repo(1));
    clock.advance(CONFIG_TTL_MS - 1);
    await cache.load(host.gh, repo(1));
    expect(host.reads("acme/svc-1")).toBe(1);
    clock.advance(2);
    await cache.load(host.gh, repo(1));
    expect(host.reads("acme/svc-1")).toBe(2);
  });

  it("keeps at most CONFIG_CACHE_MAX repos, forgetting the least recently used", async () => {
    const clock = manualClock();
    // Repos without a config are cached like the others, and cheaper to load many of.
    const host = configHost(() => "missing");
    const cache = new ConfigCache({ now: clock.now });
    const load = (n: number) => cache.load(host.gh, repo(n)).catch(() => undefined);
    for (let n = 0; n <= CONFIG_CACHE_MAX; n++) await load(n);
    // svc-0 was the least recently used when svc-CONFIG_CACHE_MAX came in; svc-1 is still held.
    await load(1);
    await load(0);
    expect(host.reads("acme/svc-1")).toBe(1);
    expect(host.reads("acme/svc-0")).toBe(2);
  });

  it("honours a smaller bound", async () => {
    const host = configHost();
    const cache = new ConfigCache({ now: manualClock().now, max: 2 });
    for (const n of [1, 2, 1, 3, 1, 2]) await cache.load(host.gh, repo(n));
    expect([1, 2, 3].map((n) => host.reads(`acme/svc-${n}`))).toEqual([1, 2, 1]);
  });

  it("remembers a config problem for the TTL but reads again after a GitHub outage", async () => {
    const clock = manualClock();
    let outage = true;
    // svc-1 has no config (nor has the org's .github repo): a config problem, not an outage.
    const host = configHost((name) => (name !== "acme/svc-2" ? "missing" : outage ? "outage" : "config"));
    const cache = new ConfigCache({ now: clock.now });

    await expect(cache.load(host.gh, repo(1))).rejects.toBeInstanceOf(ProblemError);
    await expect(cache.load(host.gh, repo(1))).rejects.toBeInstanceOf(ProblemError);
    expect(host.reads("acme/svc-1")).toBe(1);

    await expect(cache.load(host.gh, repo(2))).rejects.toBeInstanceOf(RequestError);
    outage = false;
    await expect(cache.load(host.gh, repo(2))).resolves.toMatchObject({ config: { checklist: "pre-production" } });
    expect(host.reads("acme/svc-2")).toBe(2);
  });

  it("reads again after forget", async () => {
    const host = configHost();
    const cache = new ConfigCache({ now: manualClock().now });
    await cache.load(host.gh, repo(1));
    cache.forget({ owner: "ACME", repo: "SVC-1" });
    await cache.load(host.gh, repo(1));
    expect(host.reads("acme/svc-1")).toBe(2);
  });
});

describe("config cache across replicas", () => {
  it("a config change seen by one replica is read again by the others (through the coordination)", async () => {
    const { gh, reads } = configHost();
    const clock = manualClock();
    // Two replicas' runtimes wired to one in-memory "pub/sub", as Redis would be.
    const listeners: ((key: string) => void)[] = [];
    const published: string[] = [];
    const coordination = (): Coordination => ({
      deliveries: new Deliveries(),
      exclusive: (_key, run) => run(),
      configChanged: (key) => {
        published.push(key);
        for (const listener of listeners) listener(key);
      },
      onConfigChanged: (listener) => listeners.push(listener),
    });
    const sync = async () => [];
    const a = createRuntime({ appId: 1, now: clock.now, coordination: coordination() }, sync);
    const b = createRuntime({ appId: 1, now: clock.now, coordination: coordination() }, sync);
    await a.configs.load(gh, repo(1));
    await b.configs.load(gh, repo(1));
    await b.configs.load(gh, repo(1));
    expect(reads("acme/svc-1")).toBe(2);

    a.configs.forget(repo(1));
    expect(published).toEqual(["acme/svc-1"]);
    await b.configs.load(gh, repo(1));
    expect(reads("acme/svc-1")).toBe(3);
  });
});
