import { getOctokit } from "@actions/github";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import type { GitHubClient } from "../src/github/client.js";
import { describeRequest } from "./github-failure.js";
import type { RateLimitWaits } from "./retry-limits.js";

/**
 * Client errors that another attempt cannot fix. 429 is here too: rate limits are the throttling
 * plugin's, which waits GitHub's retry-after within the run's budget instead of backing off blindly.
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

export interface ActionClientOptions {
  token: string;
  apiUrl: string;
  /** The run's rate-limit waits: the bounds, and the budget spent so far. */
  waits: RateLimitWaits;
  log: (message: string) => void;
  /**
   * Only for tests that intercept the global fetch: the default is `@actions/github`'s, which
   * honours the runner's proxy settings.
   */
  fetch?: typeof globalThis.fetch;
}

/**
 * The Action's API client: Octokit with bounded retries of 5xx answers and network failures
 * (plugin-retry) and of rate limits (plugin-throttling), so a hiccup of GitHub's does not fail a
 * release job, and an outage fails it within minutes.
 */
export function createActionClient(options: ActionClientOptions): GitHubClient {
  const { waits, log } = options;
  const { limits } = waits;
  const onLimit =
    (kind: string) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const what = describeRequest(request);
      if (waits.allow(retryAfter, retryCount)) {
        log(
          `GitHub's ${kind} stopped ${what}: retrying in ${retryAfter} s (retry ${retryCount + 1} of at most ${limits.rateLimitRetries}).`,
        );
        return true;
      }
      log(`GitHub's ${kind} stopped ${what}: not retrying, because ${waits.refusal}.`);
      return false;
    };
  return getOctokit(
    options.token,
    {
      baseUrl: options.apiUrl,
      userAgent: "gatehouse-action",
      retry: { retries: limits.serverErrorRetries, doNotRetry: DO_NOT_RETRY, retryAfterBaseValue: limits.msPerSecond },
      throttle: {
        onRateLimit: onLimit("rate limit"),
        onSecondaryRateLimit: onLimit("secondary rate limit"),
        retryAfterBaseValue: limits.msPerSecond,
      },
      // Replacing `request` drops @actions/github's proxy-aware fetch, so only tests do it.
      ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
    },
    retry,
    throttling,
  );
}
