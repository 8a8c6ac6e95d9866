import type { Checklist } from "../src/core/config/checklist-schema.js";
import type { RepoConfig } from "../src/core/config/config-schema.js";
import { evaluate } from "../src/core/evaluate/evaluate.js";
import { LedgerCorruptError } from "../src/core/ledger/ledger-codec.js";
import { emptyLedger, type Ledger } from "../src/core/ledger/ledger.js";
import type { Verdict } from "../src/core/evaluate/verdict.js";
import type { GitHubClient, RepoRef } from "../src/github/client.js";
import { httpStatus } from "../src/github/http-error.js";
import { findLedgerCheckRun, type CheckRun, type LedgerCheckRun } from "../src/github/ledger-check-run.js";
import { getPullRequest, type PullRequestInfo } from "../src/github/pull-requests.js";
import type { ReleaseTarget } from "./resolve-pull-request.js";

/** Time, injectable so tests never wait in real time. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** One look at the release PR's gate. */
export interface GateLook {
  pr: PullRequestInfo;
  /** The head SHA whose check run was read. */
  headSha: string;
  /** The App's own check run; undefined when the App has not reported on this SHA. */
  checkRun?: CheckRun;
  /** Same-name check runs from other apps, never read. */
  forged: CheckRun[];
  /** The trusted run's ledger, or an empty one while it has none (everything pending). */
  ledger: Ledger;
  verdict: Verdict;
}

export interface AwaitApprovalOptions {
  gh: GitHubClient;
  repo: RepoRef;
  target: ReleaseTarget;
  appId: number;
  config: RepoConfig;
  checklist: Checklist;
  gates?: string[];
  /** 0 decides after one look. */
  waitMs: number;
  pollMs: number;
  clock: Clock;
  log: (message: string) => void;
}

export interface ApprovalResult {
  look: GateLook;
  /** Still pending when the wait ran out (only with a wait). */
  timedOut: boolean;
  looks: number;
}

/**
 * Looks at the gate until it is approved or errs, or the wait runs out. Expiry is judged at the
 * time of each look. A GitHub server error while waiting is retried at the next look; any other
 * error ends the wait.
 */
export async function awaitApproval(options: AwaitApprovalOptions): Promise<ApprovalResult> {
  const { clock, waitMs, pollMs, log } = options;
  const deadline = clock.now().getTime() + waitMs;
  let last: GateLook | undefined;
  let lastError: unknown;
  for (let looks = 1; ; looks++) {
    try {
      last = await lookAtGate(options);
      lastError = undefined;
      if (last.verdict.status !== "pending") return { look: last, timedOut: false, looks };
    } catch (error) {
      const status = httpStatus(error) ?? 0;
      if (status < 500 || clock.now().getTime() >= deadline) throw error;
      lastError = error;
      log(`GitHub answered ${status}; looking again at the next poll.`);
    }
    const left = deadline - clock.now().getTime();
    if (left <= 0) {
      if (!last) throw lastError;
      return { look: last, timedOut: waitMs > 0, looks };
    }
    const pause = Math.min(pollMs, left);
    if (last && lastError === undefined) log(`Look ${looks}: ${last.verdict.reason}. Looking again in ${Math.ceil(pause / 1000)}s.`);
    await clock.sleep(pause);
  }
}

/** Reads the PR, the App's check run on its head and the ledger in it, and evaluates now. */
export async function lookAtGate(options: Omit<AwaitApprovalOptions, "waitMs" | "pollMs" | "log">): Promise<GateLook> {
  const { gh, repo, target, appId, config, checklist, gates, clock } = options;
  const pr = await getPullRequest(gh, repo, target.number);
  const headSha = target.headSha ?? pr.headSha;
  let found: LedgerCheckRun;
  try {
    found = await findLedgerCheckRun(gh, repo, { ref: headSha, appId, pr: pr.number });
  } catch (error) {
    if (error instanceof LedgerCorruptError) {
      throw new Error(
        `The Gatehouse check run on ${headSha.slice(0, 7)} of PR #${pr.number} holds a ${error.message}. ` +
          "Gatehouse never reads a corrupt ledger as empty: re-run the Gatehouse check from the PR's Checks tab, or ask the App's administrators.",
        { cause: error },
      );
    }
    throw error;
  }
  const ledger = found.ledger ?? emptyLedger(pr.number);
  const verdict = evaluate({ checklist, config, ledger, pr: { ...pr, headSha }, now: clock.now(), gates });
  return { pr, headSha, checkRun: found.trusted, forged: found.forged, ledger, verdict };
}
