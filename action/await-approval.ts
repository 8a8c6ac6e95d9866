import type { Checklist } from "../src/core/config/checklist-schema.js";
import type { RepoConfig } from "../src/core/config/config-schema.js";
import { evaluate } from "../src/core/evaluate/evaluate.js";
import { LedgerCorruptError } from "../src/core/ledger/ledger-codec.js";
import { emptyLedger, type Ledger } from "../src/core/ledger/ledger.js";
import type { Verdict } from "../src/core/evaluate/verdict.js";
import { bindCommit, short } from "../src/core/evaluate/commit-binding.js";
import type { GitHubClient, RepoRef } from "../src/github/client.js";
import { httpStatus } from "../src/github/http-error.js";
import { findLedgerCheckRun, type CheckRun, type LedgerCheckRun } from "../src/github/ledger-check-run.js";
import { getReleasePullRequest, type ReleasePullRequest } from "../src/github/pull-request-lookup.js";
import type { ReleaseTarget } from "./resolve-pull-request.js";

/** Time, injectable so tests never wait in real time. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** Whether the PR's approval covers the commit the job deploys. */
export interface DeployedCommit {
  /** The commit the job deploys; "" when the event names none. */
  sha: string;
  bound: boolean;
  /** False while a later look may still bind it (the App has not checked a merge group yet). */
  settled: boolean;
  /** For an unbound commit: which commit was approved and which is deployed, in a sentence. */
  reason?: string;
}

/** One look at the release PR's gate. */
export interface GateLook {
  pr: ReleasePullRequest;
  /** The head SHA whose check run was read. */
  headSha: string;
  /** The App's own check run; undefined when the App has not reported on this SHA. */
  checkRun?: CheckRun;
  /** Same-name check runs from other apps, never read. */
  forged: CheckRun[];
  /** The trusted run's ledger, or an empty one while it has none (everything pending). */
  ledger: Ledger;
  verdict: Verdict;
  deployed: DeployedCommit;
}

/** Approved means approved at the deployed commit: the verdict and the commit both hold. */
export function lookApproved(look: GateLook): boolean {
  return look.verdict.status === "approved" && look.deployed.bound;
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
      const { deployed, verdict } = last;
      // A commit the approval can never cover ends the wait; a merge group not yet checked does not.
      const commitRefused = !deployed.bound && deployed.settled;
      if (commitRefused || verdict.status === "error" || (verdict.status === "approved" && deployed.bound))
        return { look: last, timedOut: false, looks };
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
    if (last && lastError === undefined) {
      const why = last.verdict.status === "approved" ? (last.deployed.reason ?? last.verdict.reason) : last.verdict.reason;
      log(`Look ${looks}: ${why}. Looking again in ${Math.ceil(pause / 1000)}s.`);
    }
    await clock.sleep(pause);
  }
}

/** Reads the PR, the App's check run on its head and the ledger in it, and evaluates now. */
export async function lookAtGate(options: Omit<AwaitApprovalOptions, "waitMs" | "pollMs" | "log">): Promise<GateLook> {
  const { gh, repo, target, appId, config, checklist, gates, clock } = options;
  const pr = await getReleasePullRequest(gh, repo, target.number);
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
  const deployed = target.mergeGroup
    ? await mergeGroupCommit(gh, repo, appId, pr, target.deployed)
    : bindDeployed(pr, headSha, verdict.status, target.deployed);
  return { pr, headSha, checkRun: found.trusted, forged: found.forged, ledger, verdict, deployed };
}

/** The deployed commit must be the head the ledger was read on, or the commit that head merged as. */
function bindDeployed(pr: ReleasePullRequest, headSha: string, status: Verdict["status"], sha: string | undefined): DeployedCommit {
  if (!sha) {
    return {
      sha: "",
      bound: false,
      settled: true,
      reason:
        "The event names no commit, so Gatehouse cannot tell what this job deploys. Set the 'sha' input to the commit the job deploys.",
    };
  }
  const binding = bindCommit(pr, sha, headSha);
  if (binding.bound) return { sha, bound: true, settled: true };
  const merge = pr.merged && pr.mergeCommitSha && headSha === pr.headSha ? pr.mergeCommitSha : undefined;
  const approved = status === "approved" ? `approved PR #${pr.number} at ${short(headSha)}` : `gates PR #${pr.number} at ${short(headSha)}`;
  return {
    sha,
    bound: false,
    settled: true,
    reason:
      `Gatehouse ${approved}${merge ? ` (merged as ${short(merge)})` : ""}, but this job deploys ${short(sha)}. ` +
      `An approval holds only for the commit it was given at: deploy ${short(merge ?? headSha)}, or gate the PR that brought ${short(sha)} ` +
      "(leave 'pull-request' unset, or set 'sha' to the commit you deploy).",
  };
}

/**
 * A merge group's commit carries every PR queued ahead of this one. The App checks them all and
 * reports on the group's commit; only its newest "Gatehouse" run there, by the App, can pass it.
 */
async function mergeGroupCommit(
  gh: GitHubClient,
  repo: RepoRef,
  appId: number,
  pr: ReleasePullRequest,
  sha: string | undefined,
): Promise<DeployedCommit> {
  if (!sha) return bindDeployed(pr, pr.headSha, "pending", undefined);
  const { trusted } = await findLedgerCheckRun(gh, repo, { ref: sha, appId });
  if (trusted?.status === "completed" && trusted.conclusion === "success") return { sha, bound: true, settled: true };
  const group = `merge group commit ${short(sha)}, which also carries the PRs queued ahead of #${pr.number}`;
  if (trusted?.status !== "completed") {
    return { sha, bound: false, settled: false, reason: `The Gatehouse App (id ${appId}) has not yet checked the ${group}.` };
  }
  const title = trusted.output.title ? `: ${trusted.output.title}` : "";
  return {
    sha,
    bound: false,
    settled: true,
    reason: `The Gatehouse App's check on the ${group}, concluded ${trusted.conclusion ?? "nothing"}${title}.`,
  };
}
