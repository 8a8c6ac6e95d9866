import type { Redis } from "ioredis";
import { WriteSpacing, type WriteSpacingOptions } from "./write-spacing.js";

/** What one GitHub API request looked like, for metrics. */
export interface ObservedRequest {
  /** The route template before expansion, e.g. "/repos/{owner}/{repo}/check-runs/{check_run_id}". */
  route: string;
  method: string;
  /** The final HTTP status, or 0 when no response came (network error, timeout). */
  status: number;
  seconds: number;
  /** Retries Octokit's retry plugin made inside this request (5xx and the like). */
  retries: number;
  /** From the response's x-ratelimit-* headers, when present. */
  rateLimit?: { resource: string; remaining: number; limit: number };
}

/** Receives one call per request; implemented by the App's metrics (src/github never imports them). */
export interface RequestObserver {
  request(installation: string, observed: ObservedRequest): void;
}

interface RequestOptions {
  method?: string;
  url?: string;
  request?: { retryCount?: number };
}

interface Response {
  status?: number;
  headers?: Record<string, string | number | undefined>;
}

/**
 * Observes every request of this Octokit: route template (the `url` option before expansion, so
 * no owner, repo or number ends up in a label), method, status and latency, and the rate limit
 * GitHub reports back. Register it before other wraps so it times GitHub, not the write spacing.
 */
// biome-ignore lint/complexity/noBannedTypes: Probot's and @octokit/rest's hook types differ; only `wrap("request")` is used.
export function observeRequests<T extends { hook: { wrap: Function } }>(octokit: T, observer: RequestObserver, installation: string): T {
  const routes = routeTemplates(octokit);
  octokit.hook.wrap("request", async (request: (options: RequestOptions) => Promise<Response>, options: RequestOptions) => {
    const started = performance.now();
    const finish = (response: Response | undefined) => {
      const rateLimit = rateLimitOf(response?.headers);
      observer.request(installation, {
        route: routes.of(options.method ?? "GET", options.url ?? ""),
        method: (options.method ?? "GET").toUpperCase(),
        status: response?.status ?? 0,
        seconds: (performance.now() - started) / 1000,
        retries: options.request?.retryCount ?? 0,
        ...(rateLimit ? { rateLimit } : {}),
      });
    };
    try {
      const response = await request(options);
      finish(response);
      return response;
    } catch (error) {
      // Octokit reports a failed connection as status 500 without a response: that is "no answer", not GitHub's 5xx.
      finish((error as { response?: Response }).response ?? { status: 0 });
      throw error;
    }
  });
  return octokit;
}

interface Endpoint {
  method: string;
  pattern: RegExp;
  template: string;
  params: number;
}

/**
 * Octokit's endpoints by method and number of path segments: a parameter matches one segment, so
 * an expanded URL can only match a template of its own length: at most 135 of 1,028 to test.
 */
let endpoints: Map<string, Endpoint[]> | undefined;
const endpointKey = (method: string, path: string) => `${method} ${path.split("/").length}`;

/**
 * Route templates for the label. A call like `gh.rest.checks.update(...)` passes the template
 * itself; `paginate` and plain `request` pass an expanded URL (owner, repo, SHAs, numbers), which
 * is matched back to a template from Octokit's own endpoint list, or labelled "unmatched". No
 * expanded URL ever becomes a label.
 */
function routeTemplates(octokit: unknown) {
  const rest =
    (octokit as { rest?: Record<string, Record<string, { endpoint?: { DEFAULTS?: { method?: string; url?: string } } }>> }).rest ?? {};
  const baseUrl = (octokit as { request?: { endpoint?: { DEFAULTS?: { baseUrl?: string } } } }).request?.endpoint?.DEFAULTS?.baseUrl ?? "";
  const prefix = safePath(baseUrl).replace(/\/$/, "");
  if (!endpoints?.size) {
    const all = Object.values(rest)
      .flatMap((scope) => Object.values(scope))
      .flatMap((method) => {
        const d = method.endpoint?.DEFAULTS;
        if (!d?.url || !d.method) return [];
        const template = d.url;
        const source = template
          .split(/\{[^}]+\}/)
          .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))
          .join("[^/]+");
        return [{ method: d.method, pattern: new RegExp(`^${source}$`), template, params: (template.match(/\{/g) ?? []).length }];
      })
      // The most literal template wins: /repos/{owner}/{repo}/pulls/comments before /pulls/{pull_number}.
      .sort((a, b) => a.params - b.params);
    endpoints = new Map();
    for (const e of all) {
      const key = endpointKey(e.method, e.template);
      const same = endpoints.get(key);
      if (same) same.push(e);
      else endpoints.set(key, [e]);
    }
  }
  return {
    of(method: string, url: string): string {
      const path = url.split("?")[0] ?? "";
      if (path.includes("{")) return path;
      let expanded = /^https?:/.test(path) ? safePath(path) : path;
      if (prefix && expanded.startsWith(`${prefix}/`)) expanded = expanded.slice(prefix.length);
      const upper = method.toUpperCase();
      return endpoints!.get(endpointKey(upper, expanded))?.find((e) => e.pattern.test(expanded))?.template ?? "unmatched";
    },
  };
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}

function rateLimitOf(headers: Response["headers"]): ObservedRequest["rateLimit"] {
  const remaining = Number(headers?.["x-ratelimit-remaining"]);
  const limit = Number(headers?.["x-ratelimit-limit"]);
  if (headers?.["x-ratelimit-remaining"] === undefined || !Number.isFinite(remaining) || !Number.isFinite(limit)) return undefined;
  const resource = String(headers["x-ratelimit-resource"] ?? "core");
  return { resource: /^[a-z_]{1,32}$/.test(resource) ? resource : "other", remaining, limit };
}

/** Write spacing that reports how many writes wait for their installation's turn. */
export class ObservedWriteSpacing extends WriteSpacing {
  constructor(
    options: WriteSpacingOptions | undefined,
    private readonly onDepth: (installation: string, delta: 1 | -1) => void,
    shared?: Redis,
  ) {
    super(options, shared);
  }

  override acquire(key: string): Promise<void> {
    this.onDepth(key, 1);
    return super.acquire(key).finally(() => this.onDepth(key, -1));
  }
}
