import { existsSync, readFileSync } from "node:fs";
import type { RepoRef } from "../src/github/client.js";

/**
 * What the runner tells the Action about the workflow run, read from its environment when the
 * Action runs (not when a module is imported, as `@actions/github`'s `context` does).
 */
export interface RunnerContext {
  eventName: string;
  /** The webhook payload that triggered the workflow (GITHUB_EVENT_PATH). */
  payload: Record<string, unknown>;
  repo: RepoRef;
  /** GITHUB_SHA: the commit the workflow run is for. */
  sha?: string;
  apiUrl: string;
  serverUrl: string;
}

/** Reads GITHUB_* variables and the event payload. Throws when not running inside Actions. */
export function readRunnerContext(env: NodeJS.ProcessEnv): RunnerContext {
  const repository = env.GITHUB_REPOSITORY ?? "";
  const [owner, repo, ...rest] = repository.split("/");
  if (!owner || !repo || rest.length > 0) {
    throw new Error(
      `GITHUB_REPOSITORY is '${repository}', expected 'owner/repo'. The Gatehouse gate runs as a step of a GitHub Actions workflow.`,
    );
  }
  const eventName = env.GITHUB_EVENT_NAME ?? "";
  if (!eventName) {
    throw new Error("GITHUB_EVENT_NAME is not set. The Gatehouse gate runs as a step of a GitHub Actions workflow.");
  }
  return {
    eventName,
    payload: readPayload(env.GITHUB_EVENT_PATH),
    repo: { owner, repo },
    sha: env.GITHUB_SHA || undefined,
    apiUrl: (env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, ""),
    serverUrl: (env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, ""),
  };
}

function readPayload(path: string | undefined): Record<string, unknown> {
  if (!path || !existsSync(path)) return {};
  const payload: unknown = JSON.parse(readFileSync(path, "utf8"));
  return payload !== null && typeof payload === "object" ? (payload as Record<string, unknown>) : {};
}
