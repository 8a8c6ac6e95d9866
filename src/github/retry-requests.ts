import type { Octokit } from "@octokit/rest";
import type { GitHubClient } from "./client.js";
import { errorMessage, httpHeader, httpStatus } from "./http-error.js";

export interface RetryPolicy {
  /** Secondary-rate-limit retries after the first attempt. */
  retries: number;
  /** A longer retry-after is not waited for: the event fails and a later one repairs the state. */
  maxWaitSeconds: number;
  /**
   * Retries of a failed answer that may succeed on a second try (5xx, no answer at all), 1 s, 4 s,
   * then 9 s apart, as Octokit's retry plugin does. 0 (the default) leaves them to that plugin.
   */
  serverErrorRetries?: number;
  sleep: (ms: number) => Promise<void>;
  /** Told of each secondary-rate-limit wait before it starts (for metrics). */
  onWait?: (seconds: number) => void;
  /** Told of each server-error retry before its wait starts (for metrics). */
  onServerErrorRetry?: () => void;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 2,
  maxWaitSeconds: 60,
  serverErrorRetries: 3,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** GitHub answers a secondary rate limit with 403 or 429, a retry-after header, or a telling message. */
export function secondaryRetryAfter(error: unknown): number | undefined {
  const status = httpStatus(error);
  if (status !== 403 && status !== 429) return undefined;
  const header = httpHeader(error, "retry-after");
  if (header !== undefined && /^\d+$/.test(header)) return Number(header);
  if (/secondary rate limit/i.test(errorMessage(error))) return 60;
  return undefined;
}

/** What Octokit's retry plugin never retries: the answer would be the same. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 451];

/**
 * Whether a failed request may succeed when sent again, as Octokit's retry plugin judges it: an
 * error answer it does not rule out, or no answer (Octokit reports a failed connection as 500).
 * Errors that are not GitHub's answer (a lapsed lease, a bug) are never retried.
 */
function retriesServerError(error: unknown): boolean {
  const status = httpStatus(error);
  return status !== undefined && status >= 400 && !DO_NOT_RETRY.includes(status);
}

/**
 * Retries what GitHub may answer differently a moment later: secondary rate limits after
 * `retry-after` (Probot's throttling only logs them), and, with `serverErrorRetries`, server
 * errors. Each retry goes through the client's other hooks again, so a retried write keeps the
 * installation's write spacing and is observed as a request of its own. Clients that set
 * `serverErrorRetries` turn Octokit's retry plugin off: it builds a Bottleneck limiter for every
 * request, a tenth of what a webhook event allocates in the App (`npm run bench -- --profile`).
 */
export function retryRequests<T extends GitHubClient & Pick<Octokit, "hook">>(octokit: T, policy: RetryPolicy = DEFAULT_RETRY_POLICY): T {
  octokit.hook.wrap("request", async (request, options) => {
    let secondary = 0;
    let server = 0;
    for (;;) {
      try {
        return await request(options);
      } catch (error) {
        const wait = secondaryRetryAfter(error);
        if (wait !== undefined) {
          if (secondary >= policy.retries || wait > policy.maxWaitSeconds) throw error;
          secondary += 1;
          policy.onWait?.(wait);
          await policy.sleep(wait * 1000);
        } else if (server < (policy.serverErrorRetries ?? 0) && retriesServerError(error)) {
          server += 1;
          policy.onServerErrorRetry?.();
          await policy.sleep(server * server * 1000);
        } else throw error;
      }
    }
  });
  return octokit;
}
