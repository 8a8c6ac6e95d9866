import { RequestError } from "@octokit/request-error";

/** The HTTP status GitHub answered with, or undefined when the error is not a GitHub response (network, bug). */
export function httpStatus(error: unknown): number | undefined {
  return error instanceof RequestError ? error.status : undefined;
}

/** A header of GitHub's error response (lower-case name), when there is one. */
export function httpHeader(error: unknown, name: string): string | undefined {
  if (!(error instanceof RequestError)) return undefined;
  const value = error.response?.headers[name];
  return value === undefined ? undefined : String(value);
}

/** The message of anything thrown, for a log line or a user-facing sentence. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
