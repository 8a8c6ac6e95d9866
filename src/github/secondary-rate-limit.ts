import type { GitHubClient } from "./client.js";

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

interface RequestError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined> };
}

/** GitHub answers a secondary rate limit with 403 or 429, a retry-after header, or a telling message. */
export function secondaryRetryAfter(error: unknown): number | undefined {
  const e = error as RequestError;
  if (e.status !== 403 && e.status !== 429) return undefined;
  const header = e.response?.headers?.["retry-after"];
  if (header !== undefined && /^\d+$/.test(header)) return Number(header);
  if (/secondary rate limit/i.test(e.message ?? "")) return 60;
  return undefined;
}

/**
 * Probot's throttling only logs secondary rate limits. This retries them after `retry-after`,
 * a bounded number of times; the retried request goes through the throttle again, so it keeps
 * the installation's write spacing.
 */
export function retrySecondaryRateLimits<T extends GitHubClient & { hook: { wrap: Function } }>(octokit: T, policy: RetryPolicy = DEFAULT_RETRY_POLICY): T {
  octokit.hook.wrap("request", async (request: (options: unknown) => Promise<unknown>, options: unknown) => {
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
