import type { Octokit } from "@octokit/rest";
import type { GitHubClient } from "./client.js";
import { errorMessage, httpHeader, httpStatus } from "./http-error.js";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** A longer retry-after is not waited for: the event fails and a later one repairs the state. */
  maxWaitSeconds: number;
  sleep: (ms: number) => Promise<void>;
  /** Told of each wait before it starts (for metrics). */
  onWait?: (seconds: number) => void;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 2,
  maxWaitSeconds: 60,
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

/**
 * Probot's throttling only logs secondary rate limits. This retries them after `retry-after`,
 * a bounded number of times; the retried request goes through the throttle again, so it keeps
 * the installation's write spacing.
 */
export function retrySecondaryRateLimits<T extends GitHubClient & Pick<Octokit, "hook">>(
  octokit: T,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): T {
  octokit.hook.wrap("request", async (request, options) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(options);
      } catch (error) {
        const wait = secondaryRetryAfter(error);
        if (wait === undefined || attempt >= policy.retries || wait > policy.maxWaitSeconds) throw error;
        policy.onWait?.(wait);
        await policy.sleep(wait * 1000);
      }
    }
  });
  return octokit;
}
