import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as core from "@actions/core";
import { vi } from "vitest";
import type { Clock } from "../../action/await-approval.js";
import { createActionClient } from "../../action/github-client.js";
import { run } from "../../action/main.js";
import { RETRY_LIMITS, type RetryLimits } from "../../action/retry-limits.js";

/**
 * Plays the GitHub Actions runner for in-process runs of the Action: INPUT_* variables, the
 * event payload file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and the workflow commands the
 * Action prints. One directory per test file, because @actions/core caches the summary path.
 */
const dir = mkdtempSync(join(tmpdir(), "gatehouse-action-"));
export const RUNNER_FILES = {
  event: join(dir, "event.json"),
  output: join(dir, "github_output"),
  summary: join(dir, "step_summary.md"),
};

export const START = new Date("2026-11-25T12:00:00Z");

export interface RunnerSetup {
  eventName: string;
  payload: Record<string, unknown>;
  /** Defaults to the payload's repository. */
  repository?: string;
  sha?: string;
  /** Action inputs by their action.yml name; unset inputs get action.yml's defaults. */
  inputs?: Record<string, string>;
}

/** The inputs the runner passes when a workflow sets only `app-id` (defaults from action.yml). */
const DEFAULT_INPUTS: Record<string, string> = {
  token: "ghs_workflowtoken",
  "app-id": "90210",
  "wait-minutes": "0",
  "poll-seconds": "30",
};

export function prepareRunner(setup: RunnerSetup): void {
  for (const key of Object.keys(process.env)) {
    if (key.startsWith("INPUT_") || key.startsWith("GITHUB_")) delete process.env[key];
  }
  writeFileSync(RUNNER_FILES.event, JSON.stringify(setup.payload));
  writeFileSync(RUNNER_FILES.output, "");
  writeFileSync(RUNNER_FILES.summary, "");
  const repository = setup.repository ?? (setup.payload.repository as { full_name: string }).full_name;
  Object.assign(process.env, {
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: setup.eventName,
    GITHUB_EVENT_PATH: RUNNER_FILES.event,
    GITHUB_REPOSITORY: repository,
    GITHUB_API_URL: "https://api.github.com",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_OUTPUT: RUNNER_FILES.output,
    GITHUB_STEP_SUMMARY: RUNNER_FILES.summary,
    ...(setup.sha ? { GITHUB_SHA: setup.sha } : {}),
  });
  for (const [name, value] of Object.entries({ ...DEFAULT_INPUTS, ...setup.inputs })) {
    // The runner's naming: upper case, spaces to underscores, dashes kept.
    process.env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
  }
}

export interface Annotation {
  level: "error" | "warning" | "notice";
  title?: string;
  message: string;
}

export interface RunResult {
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  /** The `setFailed` message: the last error annotation. */
  failure?: string;
  log: string;
}

/** A clock whose sleep only moves time forward, so waits take no real time. */
export function fakeClock(start = START): Clock & { sleeps: number[] } {
  let now = start.getTime();
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => new Date(now),
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

/** The Action's retry bounds, with a millisecond standing in for each second of waiting. */
export const TEST_RETRY_LIMITS: RetryLimits = { ...RETRY_LIMITS, msPerSecond: 1 };

/**
 * Runs the Action in-process against nock, like the runner would: the Action's own client
 * (retries and throttling included), on the global fetch that nock intercepts.
 */
export async function runAction(clock: Clock = fakeClock(), retryLimits: RetryLimits = TEST_RETRY_LIMITS): Promise<RunResult> {
  const written: string[] = [];
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await run({
      createClient: (token, apiUrl, waits) =>
        createActionClient({ token, apiUrl, waits, log: (message) => core.info(message), fetch: globalThis.fetch }),
      retryLimits,
      clock,
    });
  } finally {
    stdout.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  const log = written.join("");
  const annotations = parseAnnotations(log);
  return {
    exitCode,
    outputs: parseOutputs(readFileSync(RUNNER_FILES.output, "utf8")),
    summary: readFileSync(RUNNER_FILES.summary, "utf8"),
    annotations,
    failure: annotations.filter((a) => a.level === "error").at(-1)?.message,
    log,
  };
}

/** GITHUB_OUTPUT holds `name<<delimiter\nvalue\ndelimiter` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const block = /^([^<\n]+)<<(ghadelimiter_[0-9a-f-]+)\r?\n([\s\S]*?)\r?\n\2$/gm;
  for (const match of text.matchAll(block)) outputs[match[1]!] = match[3]!;
  return outputs;
}

function parseAnnotations(log: string): Annotation[] {
  const unescapeCommand = (s: string) =>
    s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%3A/g, ":").replace(/%2C/g, ",").replace(/%25/g, "%");
  return [...log.matchAll(/^::(error|warning|notice)(?: ([^:]*))?::(.*)$/gm)].map((m) => {
    const title = /(?:^|,)title=([^,]*)/.exec(m[2] ?? "")?.[1];
    return { level: m[1] as Annotation["level"], ...(title ? { title: unescapeCommand(title) } : {}), message: unescapeCommand(m[3]!) };
  });
}
