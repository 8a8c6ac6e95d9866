/**
 * How long the Action waits out GitHub's bad moments (5xx answers, network failures, rate
 * limits) before it gives up and fails the step as "could not decide". A release job must not
 * idle for long on an outage, and a retry storm would only prolong a rate limit, so every wait
 * is bounded and the bounds are these constants.
 *
 * Worst case in one run: each request's server-error backoff (1 + 4 + 9 = 14 s with 3 retries)
 * plus at most `rateLimitBudgetSeconds` of rate-limit waits in all, about 3 minutes for a
 * decide-now run's handful of requests.
 */
export interface RetryLimits {
  /** Retries of one request GitHub answered with a 5xx or that failed on the network (Octokit backs off 1, 4, 9 s). */
  serverErrorRetries: number;
  /** Retries of one request a rate limit stopped. */
  rateLimitRetries: number;
  /** A longer retry-after is not waited for: GitHub wants the token quiet for longer than a job should idle. */
  maxRetryAfterSeconds: number;
  /** All rate-limit waits of one run together. */
  rateLimitBudgetSeconds: number;
  /** Real milliseconds per second of waiting: 1000. Only tests pass a smaller value, so they never wait in real time. */
  msPerSecond: number;
}

export const RETRY_LIMITS: Readonly<RetryLimits> = Object.freeze({
  serverErrorRetries: 3,
  rateLimitRetries: 2,
  maxRetryAfterSeconds: 60,
  rateLimitBudgetSeconds: 120,
  msPerSecond: 1000,
});

/**
 * Decides, for one run, whether a rate-limited request is retried after GitHub's retry-after,
 * and remembers why the last one was not (for the step's failure message).
 */
export class RateLimitWaits {
  #spentSeconds = 0;
  /** Why the last rate limit was not waited out; undefined after one that was. */
  refusal: string | undefined;

  constructor(readonly limits: Readonly<RetryLimits>) {}

  /** Seconds of rate-limit waits granted so far in this run. */
  get spentSeconds(): number {
    return this.#spentSeconds;
  }

  /** Whether to wait `retryAfter` seconds and retry a request that was already retried `retryCount` times. */
  allow(retryAfter: number, retryCount: number): boolean {
    const { rateLimitRetries, maxRetryAfterSeconds, rateLimitBudgetSeconds } = this.limits;
    if (retryCount >= rateLimitRetries) {
      return this.#refuse(
        `the request was already retried ${retryCount} ${retryCount === 1 ? "time" : "times"} (the Action retries at most ${rateLimitRetries})`,
      );
    }
    if (retryAfter > maxRetryAfterSeconds) {
      return this.#refuse(`GitHub asked to wait ${retryAfter} s, longer than the ${maxRetryAfterSeconds} s the Action waits at once`);
    }
    if (this.#spentSeconds + retryAfter > rateLimitBudgetSeconds) {
      return this.#refuse(
        `the run had already waited ${this.#spentSeconds} s for rate limits and waits at most ${rateLimitBudgetSeconds} s in all`,
      );
    }
    this.#spentSeconds += retryAfter;
    this.refusal = undefined;
    return true;
  }

  #refuse(reason: string): false {
    this.refusal = reason;
    return false;
  }
}
