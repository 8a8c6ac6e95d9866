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
export function observeRequests<T extends { hook: { wrap: Function } }>(octokit: T, observer: RequestObserver, installation: string): T {
  octokit.hook.wrap("request", async (request: (options: RequestOptions) => Promise<Response>, options: RequestOptions) => {
    const started = performance.now();
    const finish = (response: Response | undefined) => {
      const rateLimit = rateLimitOf(response?.headers);
      observer.request(installation, {
        route: (options.url ?? "").split("?")[0] ?? "",
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
      finish((error as { response?: Response; status?: number }).response ?? { status: (error as { status?: number }).status ?? 0 });
      throw error;
    }
  });
  return octokit;
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
  ) {
    super(options);
  }

  override acquire(key: string): Promise<void> {
    this.onDepth(key, 1);
    return super.acquire(key).finally(() => this.onDepth(key, -1));
  }
}
