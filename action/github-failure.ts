import type { RetryLimits } from "./retry-limits.js";

/** The parts of an Octokit RequestError the explanation needs. */
interface RequestErrorLike {
  status: number;
  message: string;
  request: { method?: string; url?: string };
  response?: { headers?: Record<string, string | undefined> };
}

const PERMISSIONS = "contents: read, pull-requests: read and checks: read";

/**
 * Why the Action could not decide, when GitHub's API failed it: what failed, what the Action
 * already tried and what to do. Undefined for an error that did not come from a GitHub request.
 * Such a failure says nothing about the release's sign-offs; it still fails the step.
 */
export function githubFailureMessage(error: unknown, context: { limits: RetryLimits; rateLimitRefusal?: string }): string | undefined {
  if (!isRequestError(error)) return undefined;
  const { status } = error;
  const what = describeRequest(error.request);
  const headers = error.response?.headers ?? {};
  const lead = "Gatehouse could not decide whether the release is approved, so the step fails (fail closed).";
  const said = githubSaid(error);

  if ((status === 403 || status === 429) && (/secondary rate limit/i.test(error.message) || headers["retry-after"] !== undefined)) {
    const why = context.rateLimitRefusal ? ` Gatehouse stopped waiting because ${context.rateLimitRefusal}.` : "";
    return `${lead}\nGitHub's secondary rate limit stopped ${what} (${status}).${why}\nWhat to do: re-run the job in a few minutes. If many jobs use the same token at once, run fewer of them in parallel.`;
  }
  if ((status === 403 || status === 429) && headers["x-ratelimit-remaining"] === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString().slice(11, 16)} UTC` : "";
    const why = context.rateLimitRefusal ? ` Gatehouse did not wait because ${context.rateLimitRefusal}.` : "";
    return `${lead}\nThe token's API rate limit is used up${when}: ${what} was refused (${status}).${why}\nWhat to do: re-run the job after the reset, or give the Action a token with its own rate limit.`;
  }
  if (status >= 500 && error.response === undefined) {
    return `${lead}\nGitHub could not be reached for ${what}: ${error.message} (retried ${context.limits.serverErrorRetries} times).\nWhat to do: re-run the job. If it keeps failing, check that the runner can reach the API (proxy settings, GITHUB_API_URL).`;
  }
  if (status >= 500) {
    return `${lead}\nGitHub answered ${what} with ${status}, also after ${context.limits.serverErrorRetries} retries: an error on GitHub's side, not a verdict on the release.\nWhat to do: re-run the job. If it keeps failing, check https://www.githubstatus.com.`;
  }
  if (status === 401) {
    return `${lead}\nGitHub rejected the token (401) for ${what}.${said}\nWhat to do: check the 'token' input: leave it unset to use the workflow's GITHUB_TOKEN, or pass a valid token.`;
  }
  if (status === 403) {
    return `${lead}\nGitHub refused ${what} (403).${said}\nWhat to do: check the token's permissions. The workflow (or job) needs \`permissions:\` ${PERMISSIONS}; a token passed in 'token' needs the same on this repository.`;
  }
  if (status === 404) {
    return `${lead}\nGitHub answered ${what} with 404: it does not exist, or the token cannot see it.\nWhat to do: check the 'pull-request' and 'sha' inputs, and that the token can read this repository (${PERMISSIONS}).`;
  }
  return `${lead}\nGitHub answered ${what} with ${status}.${said}\nWhat to do: re-run the job; if it fails the same way, report this message to whoever runs Gatehouse.`;
}

function isRequestError(error: unknown): error is RequestErrorLike {
  if (typeof error !== "object" || error === null) return false;
  const e = error as Partial<RequestErrorLike>;
  return typeof e.status === "number" && typeof e.message === "string" && typeof e.request === "object" && e.request !== null;
}

/** "GET /repos/o/r/pulls/2", without the API host or query string. */
export function describeRequest(request: { method?: string; url?: string }): string {
  let path = request.url ?? "?";
  try {
    path = decodeURIComponent(new URL(path).pathname);
  } catch {
    path = path.split("?")[0]!;
  }
  return `${request.method ?? "GET"} ${path}`;
}

/** GitHub's own message, on one line and short, for the cases where it helps (e.g. "Resource not accessible by integration"). */
function githubSaid(error: RequestErrorLike): string {
  const text = error.message.replace(/\s+/g, " ").trim();
  if (!text) return "";
  return ` GitHub said: "${text.length > 200 ? `${text.slice(0, 199)}…` : text}".`;
}
