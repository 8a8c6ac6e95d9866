import { ID_PATTERN } from "../src/core/config/checklist-schema.js";

/** The Action's inputs, validated. See action.yml for what each one means. */
export interface ActionInputs {
  token: string;
  appId: number;
  sha?: string;
  pullRequest?: number;
  gates?: string[];
  waitMinutes: number;
  pollSeconds: number;
}

/** Thrown for an input a user must fix; the message names the input and the fix. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** A job may run for at most 6 hours, so a longer wait can never finish. */
const MAX_WAIT_MINUTES = 360;
/** Two API calls per look; below this a long wait would eat the token's rate limit. */
const MIN_POLL_SECONDS = 5;
const MAX_POLL_SECONDS = 3600;

type GetInput = (name: string) => string;

/**
 * Reads and validates every input. `getInput` is `core.getInput` in the Action; it returns ""
 * for an unset input. Throws an InputError that says which input is wrong and how to fix it.
 */
export function readInputs(getInput: GetInput): ActionInputs {
  const value = (name: string) => getInput(name).trim();

  const token = value("token");
  if (!token) {
    throw new InputError(
      "Input 'token' is empty. Leave it unset to use the workflow's GITHUB_TOKEN, or pass a token with contents: read, pull-requests: read and checks: read.",
    );
  }

  const pullRequest = parsePullRequest(value("pull-request"));
  // With 'pull-request', 'sha' is the commit deployed, checked against that PR's approved commit.
  const sha = parseSha(value("sha"));

  return {
    token,
    appId: parseAppId(value("app-id")),
    sha,
    pullRequest,
    gates: parseGates(getInput("gates")),
    waitMinutes: parseNumber(
      "wait-minutes",
      value("wait-minutes") || "0",
      0,
      MAX_WAIT_MINUTES,
      "minutes to wait for approval, e.g. 30 (0 decides at once)",
    ),
    pollSeconds: parseNumber(
      "poll-seconds",
      value("poll-seconds") || "30",
      MIN_POLL_SECONDS,
      MAX_POLL_SECONDS,
      "seconds between two looks, e.g. 30",
    ),
  };
}

function parseAppId(text: string): number {
  if (!text) {
    throw new InputError(
      "Input 'app-id' is required: the numeric id of the Gatehouse App whose check runs are trusted (Settings → Developer settings → GitHub Apps → App ID).",
    );
  }
  if (!/^[1-9][0-9]*$/.test(text)) {
    throw new InputError(
      `Invalid input 'app-id': '${text}'. Expected the numeric id of the Gatehouse App (Settings → Developer settings → GitHub Apps → App ID).`,
    );
  }
  return Number(text);
}

function parseSha(text: string): string | undefined {
  if (!text) return undefined;
  if (!/^[0-9a-f]{40}$/i.test(text)) {
    throw new InputError(
      `Invalid input 'sha': '${text}'. Expected a full 40-character commit SHA such as \${{ github.sha }}, or leave it unset to use the event's commit.`,
    );
  }
  return text.toLowerCase();
}

function parsePullRequest(text: string): number | undefined {
  if (!text) return undefined;
  const match = /^#?([1-9][0-9]*)$/.exec(text);
  if (!match) {
    throw new InputError(
      `Invalid input 'pull-request': '${text}'. Expected a pull request number such as 42, or leave it unset to find the PR from the event.`,
    );
  }
  return Number(match[1]);
}

function parseGates(text: string): string[] | undefined {
  const ids = text
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter(Boolean);
  if (ids.length === 0) return undefined;
  const bad = ids.filter((id) => !ID_PATTERN.test(id));
  if (bad.length > 0) {
    throw new InputError(
      `Invalid input 'gates': ${bad.map((id) => `'${id}'`).join(", ")}. Expected gate ids from the checklist (lowercase letters, digits, '-' or '_'), separated by commas or newlines, e.g. "security, operations".`,
    );
  }
  return [...new Set(ids)];
}

function parseNumber(name: string, text: string, min: number, max: number, expected: string): number {
  const n = /^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new InputError(`Invalid input '${name}': '${text}'. Expected ${expected}; between ${min} and ${max}.`);
  }
  return n;
}
