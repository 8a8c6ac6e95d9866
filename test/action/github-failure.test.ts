import { RequestError } from "@octokit/request-error";
import { describe, expect, it } from "vitest";
import { githubFailureMessage } from "../../action/github-failure.js";
import { RETRY_LIMITS } from "../../action/retry-limits.js";

const request = { method: "GET" as const, url: "https://api.github.com/repos/acme/api/pulls/42?per_page=100", headers: {} };
const response = (status: number, headers: Record<string, string> = {}) => ({ status, url: request.url, headers, data: {} });
const explain = (error: unknown, rateLimitRefusal?: string) => githubFailureMessage(error, { limits: RETRY_LIMITS, rateLimitRefusal });

describe("githubFailureMessage", () => {
  it("names the reset time of a used-up primary rate limit", () => {
    const error = new RequestError("API rate limit exceeded for installation ID 1.", 403, {
      request,
      response: response(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Date.UTC(2026, 10, 25, 14, 5) / 1000) }),
    });

    expect(explain(error, "GitHub asked to wait 1800 s, longer than the 60 s the Action waits at once")).toBe(
      "Gatehouse could not decide whether the release is approved, so the step fails (fail closed).\n" +
        "The token's API rate limit is used up until 14:05 UTC: GET /repos/acme/api/pulls/42 was refused (403). Gatehouse did not wait because GitHub asked to wait 1800 s, longer than the 60 s the Action waits at once.\n" +
        "What to do: re-run the job after the reset, or give the Action a token with its own rate limit.",
    );
  });

  it("tells a network failure from an answer", () => {
    const error = new RequestError("getaddrinfo ENOTFOUND api.github.com", 500, { request });

    expect(explain(error)).toContain(
      "GitHub could not be reached for GET /repos/acme/api/pulls/42: getaddrinfo ENOTFOUND api.github.com (retried 3 times).",
    );
    expect(explain(error)).toContain("What to do: re-run the job.");
  });

  it("points at the token input on a 401", () => {
    const error = new RequestError("Bad credentials", 401, { request, response: response(401) });

    expect(explain(error)).toContain("GitHub rejected the token (401) for GET /repos/acme/api/pulls/42.");
    expect(explain(error)).toContain("check the 'token' input");
  });

  it("leaves errors that did not come from a GitHub request to the caller", () => {
    expect(explain(new Error("The Gatehouse check run holds a corrupt ledger block"))).toBeUndefined();
    expect(explain({ status: 502 })).toBeUndefined();
  });
});
