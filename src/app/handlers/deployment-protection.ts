import { LRUCache } from "lru-cache";
import type { Context } from "probot";
import { deploymentState, environmentGates, type DeploymentState, type EnvironmentGates } from "../../core/evaluate/deployment-gates.js";
import { evaluate } from "../../core/evaluate/evaluate.js";
import { LedgerCorruptError } from "../../core/ledger/ledger-codec.js";
import { emptyLedger } from "../../core/ledger/ledger.js";
import { formatProblem, ProblemError } from "../../core/config/problem.js";
import { matchRelease } from "../../core/evaluate/release-match.js";
import { renderRefusal, renderVerdictReview } from "../../core/render/render-deployment-review.js";
import type { Verdict } from "../../core/evaluate/verdict.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { bindCommit, short } from "../../core/evaluate/commit-binding.js";
import {
  pendingEnvironments,
  reviewDeployment,
  runIdFromCallbackUrl,
  waitingRunIds,
  workflowRunHeadSha,
  type DeploymentReview,
} from "../../github/deployment-reviews.js";
import { errorMessage } from "../../github/http-error.js";
import { findLedgerCheckRun } from "../../github/ledger-check-run.js";
import { commitPullRequests, getReleasePullRequest, type ReleasePullRequest } from "../../github/pull-request-lookup.js";
import { prKey } from "../runtime/pr-state.js";
import type { Runtime, SyncedRelease } from "../runtime/runtime.js";

/** GitHub accepts at most 10 status reports per deployment; one stays in reserve. */
export const MAX_STATUS_REPORTS = 9;

type RequestedContext = Context<"deployment_protection_rule.requested">;

export interface DeploymentLog {
  info(message: string): void;
  warn(message: string): void;
}

/** A run this process saw waiting at an environment for a release PR. */
interface Waiting {
  runId: number;
  environment: string;
  /** The PR head whose sign-offs this run waits for; sign-offs at any other head never approve it. */
  approvedAt: string;
  /** The commit the run deploys, for the rejection when the PR moves on. */
  sha: string;
  reports: number;
  lastComment?: string;
}

/** Why a deployment is refused before any verdict: the comment names it. */
class Refusal extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/**
 * The custom deployment protection rule. `onRequested` answers GitHub's
 * `deployment_protection_rule.requested`: approved or rejected at once, or a status report while
 * the release PR is still pending. `onSynced` runs after every release-PR sync and approves the
 * runs left waiting as soon as the last required sign-off lands; nothing polls.
 */
export function deploymentProtection(rt: Runtime, log: DeploymentLog = { info() {}, warn() {} }) {
  const waiting = new LRUCache<string, Map<string, Waiting>>({ max: MAX_REMEMBERED });
  /** Per PR: the head and the gate selections last seen approved, so a lookup runs only when one becomes approved. */
  const approvedSeen = new LRUCache<string, { headSha: string; keys: Set<string> }>({ max: MAX_REMEMBERED });

  const review = async (gh: GitHubClient, repo: RepoRef, runId: number, answer: DeploymentReview) => {
    try {
      await reviewDeployment(gh, repo, runId, answer);
      if (answer.state) rt.metrics.deployment(answer.state);
      return true;
    } catch (error) {
      // The run may have been cancelled, re-run, or decided meanwhile; the sync must not fail for it.
      log.warn(`deployment review of run ${runId} (${answer.environment}) failed: ${errorMessage(error)}`);
      return false;
    }
  };

  async function onRequested(_rt: Runtime, context: RequestedContext): Promise<void> {
    const { payload } = context;
    const gh = context.octokit;
    const repo = context.repo();
    const environment = payload.environment ?? payload.deployment?.environment;
    const runId = runIdFromCallbackUrl(payload.deployment_callback_url, repo);
    if (!environment || runId === undefined) {
      context.log.warn(
        `deployment_protection_rule without an environment or a callback URL for ${repo.owner}/${repo.repo}; nothing to answer`,
      );
      return;
    }

    let answer: { state: DeploymentState; comment: string; pr?: number; approvedAt?: string; sha?: string };
    try {
      answer = await judgeDeployment(rt, gh, repo, environment, runId, payload);
    } catch (error) {
      answer = { state: "rejected", comment: refusalComment(environment, error) };
    }

    if (answer.state !== "pending") {
      await reviewDeployment(gh, repo, runId, { environment, state: answer.state, comment: answer.comment });
      rt.metrics.deployment(answer.state);
      context.log.info({ decision: answer.state, environment }, `deployment ${answer.state}`);
      return;
    }
    const key = prKey(repo, answer.pr!);
    const entries = waiting.get(key) ?? new Map<string, Waiting>();
    const entry = entries.get(`${runId}:${environment}`) ?? {
      runId,
      environment,
      approvedAt: answer.approvedAt!,
      sha: answer.sha!,
      reports: 0,
    };
    entries.set(`${runId}:${environment}`, entry);
    waiting.set(key, entries);
    rt.metrics.deployment("held");
    context.log.info({ decision: "held", environment }, "deployment held until the release PR is approved");
    if (entry.reports >= MAX_STATUS_REPORTS) return;
    await reviewDeployment(gh, repo, runId, { environment, comment: answer.comment });
    entry.reports += 1;
    entry.lastComment = answer.comment;
  }

  async function onSynced(release: SyncedRelease): Promise<void> {
    try {
      await releaseWaiting(release);
    } catch (error) {
      log.warn(`could not update waiting deployments of #${release.pr.number}: ${errorMessage(error)}`);
    }
  }

  async function releaseWaiting(release: SyncedRelease): Promise<void> {
    const { gh, repo, pr, config, checklist, ledger } = release;
    const key = prKey(repo, pr.number);
    // Every required gate ("*") is what the sync just judged and wrote: no need to evaluate it again.
    const verdicts = new Map<string, Verdict>([["*", release.verdict]]);
    const judge = (environment: string) => {
      const selection = environmentGates(config, environment);
      let verdict = verdicts.get(selection.key);
      if (!verdict) {
        verdict = evaluate({ checklist, config, ledger, pr, now: rt.now(), ...(selection.gates ? { gates: selection.gates } : {}) });
        verdicts.set(selection.key, verdict);
      }
      return { selection, verdict, state: deploymentState(verdict) };
    };
    const comment = (environment: string, j: ReturnType<typeof judge>) =>
      renderVerdictReview({ environment, ...j, pr: { number: pr.number, url: pr.htmlUrl } });

    // Runs this process saw waiting: answer the decided ones, report progress on the others.
    const handled = new Set<string>();
    for (const [slot, entry] of waiting.get(key) ?? []) {
      if (entry.approvedAt !== pr.headSha) {
        // The PR moved on: its new sign-offs are for another commit, and the old head's never came.
        const reason =
          `#${pr.number} moved from ${short(entry.approvedAt)} to ${short(pr.headSha)} while this run waited. ` +
          `Sign-offs hold for one commit, so none approve ${short(entry.sha)}, the commit this run deploys. Start a new deployment of ${short(pr.headSha)} once it is approved.`;
        await review(gh, repo, entry.runId, {
          environment: entry.environment,
          state: "rejected",
          comment: renderRefusal(entry.environment, reason),
        });
        waiting.get(key)?.delete(slot);
        handled.add(slot);
        continue;
      }
      const judged = judge(entry.environment);
      const text = comment(entry.environment, judged);
      if (judged.state === "pending") {
        if (text !== entry.lastComment && entry.reports < MAX_STATUS_REPORTS) {
          if (await review(gh, repo, entry.runId, { environment: entry.environment, comment: text })) {
            entry.reports += 1;
            entry.lastComment = text;
          }
        }
        continue;
      }
      await review(gh, repo, entry.runId, { environment: entry.environment, state: judged.state, comment: text });
      waiting.get(key)?.delete(slot);
      handled.add(slot);
    }
    if (waiting.get(key)?.size === 0) waiting.delete(key);

    // Runs this process never saw (say, after a restart) are looked up when a selection turns approved.
    const environments = [...Object.keys(config.environments), UNLISTED_ENVIRONMENT];
    const approvedNow = new Set(
      environments
        .map(judge)
        .filter((j) => j.state === "approved")
        .map((j) => j.selection.key),
    );
    const seen = approvedSeen.get(key);
    const turnedApproved = [...approvedNow].some((k) => seen?.headSha !== pr.headSha || !seen.keys.has(k));
    if (turnedApproved) {
      for (const runId of await waitingRunIds(gh, repo, pr.headSha)) {
        for (const environment of await pendingEnvironments(gh, repo, runId)) {
          const judged = judge(environment);
          if (handled.has(`${runId}:${environment}`) || judged.state !== "approved") continue;
          await review(gh, repo, runId, { environment, state: "approved", comment: comment(environment, judged) });
        }
      }
    }
    approvedSeen.set(key, { headSha: pr.headSha, keys: approvedNow });
  }

  return { onRequested, onSynced };
}

/**
 * Resolves the deployment to its release PR and judges it for the environment's gates, reading
 * the ledger only from this App's own check run. Throws Refusal, ProblemError or
 * LedgerCorruptError when no trustworthy verdict exists; the caller rejects.
 */
async function judgeDeployment(
  rt: Runtime,
  gh: GitHubClient,
  repo: RepoRef,
  environment: string,
  runId: number,
  payload: RequestedContext["payload"],
): Promise<{ state: DeploymentState; comment: string; pr: number; approvedAt: string; sha: string }> {
  const sha = payload.deployment?.sha;
  if (!sha) throw new Refusal("the request names no commit (deployment.sha is missing), so there is no release to check.");
  const number = await releasePullRequest(gh, repo, sha, payload.pull_requests ?? []);
  const pr = await getReleasePullRequest(gh, repo, number);
  if (pr.state === "closed" && !pr.merged) {
    throw new Refusal(`pull request #${pr.number} was closed without merging; its sign-offs approve nothing.`);
  }
  await requireApprovedCommit(gh, repo, pr, sha, runId, payload.event);

  const { config, checklist } = await rt.configs.load(gh, repo);
  const release = matchRelease(config, pr);
  if (!release.release) throw new Refusal(`#${pr.number} is ${release.reason}. Only a release PR's sign-offs can approve a deployment.`);

  const found = await findLedgerCheckRun(gh, repo, { ref: pr.headSha, appId: rt.appId, pr: pr.number });
  if (!found.trusted && found.forged.length > 0) {
    const apps = [...new Set(found.forged.map((run) => run.app?.slug ?? "an unknown app"))].join(", ");
    throw new Refusal(
      `the only "Gatehouse" check on ${pr.headSha.slice(0, 7)} (#${pr.number}) was created by ${apps}, not by this App. It is not trusted and approves nothing.`,
    );
  }
  const selection: EnvironmentGates = environmentGates(config, environment);
  const verdict = evaluate({
    checklist,
    config,
    ledger: found.ledger ?? emptyLedger(pr.number),
    pr,
    now: rt.now(),
    ...(selection.gates ? { gates: selection.gates } : {}),
  });
  const state = deploymentState(verdict);
  return {
    state,
    pr: pr.number,
    approvedAt: pr.headSha,
    sha,
    comment: renderVerdictReview({ environment, state, verdict, selection, pr: { number: pr.number, url: pr.htmlUrl } }),
  };
}

/**
 * The deployed commit must be one the PR's current sign-offs stand for: its head, the commit it
 * merged as, or (for a run started by a pull_request event, which deploys GitHub's test merge)
 * a run built from its head. A run for an earlier head is refused, never judged by later sign-offs.
 */
async function requireApprovedCommit(
  gh: GitHubClient,
  repo: RepoRef,
  pr: ReleasePullRequest,
  sha: string,
  runId: number,
  event: string | undefined,
) {
  const binding = bindCommit(pr, sha);
  if (binding.bound) return;
  if (event?.startsWith("pull_request") && pr.state === "open") {
    const built = await workflowRunHeadSha(gh, repo, runId);
    if (built.toLowerCase() === pr.headSha.toLowerCase()) return;
    throw new Refusal(
      `this run was started for ${short(built)}, but #${pr.number} is now at ${short(pr.headSha)}. ` +
        `Sign-offs hold for one commit, so those on ${short(pr.headSha)} do not approve a run of ${short(built)}. Deploy from a run of ${short(pr.headSha)}.`,
    );
  }
  throw new Refusal(
    `${binding.reason}, the commit this run deploys. Deploy ${short(pr.mergeCommitSha ?? pr.headSha)} instead, from a new run.`,
  );
}

/**
 * The release PR of a deployment: the run's only pull request (a workflow started by a
 * pull_request event), else the PR whose merge or head commit is the deployed SHA.
 */
async function releasePullRequest(
  gh: GitHubClient,
  repo: RepoRef,
  sha: string,
  pulls: { number: number; head?: { sha?: string } }[],
): Promise<number> {
  if (pulls.length === 1) return pulls[0]!.number;
  if (pulls.length > 1) {
    const heads = pulls.filter((p) => p.head?.sha === sha);
    if (heads.length === 1) return heads[0]!.number;
    throw new Refusal(
      `the run belongs to several pull requests (${pulls.map((p) => `#${p.number}`).join(", ")}); Gatehouse cannot tell which release it deploys.`,
    );
  }
  let match: Awaited<ReturnType<typeof commitPullRequests>>["match"];
  let containing: { number: number; headSha: string }[];
  try {
    ({ match, containing } = await commitPullRequests(gh, repo, sha));
  } catch (error) {
    // The lookup words its ambiguity error for the Action; keep the finding, not the advice.
    throw new Refusal(
      `${errorMessage(error).replace(/ Set the 'pull-request' input.*$/, "")} Gatehouse cannot tell which release it deploys.`,
    );
  }
  if (!match && containing.length > 0) {
    const prs = containing.map((pr) => `#${pr.number} (now at ${short(pr.headSha)})`).join(", ");
    throw new Refusal(
      `commit ${short(sha)} is an earlier commit of ${prs}, not a head anyone signed off. Sign-offs hold for one commit: deploy the PR's head once it is approved, or its merge commit.`,
    );
  }
  if (!match) {
    throw new Refusal(
      `commit ${sha.slice(0, 7)} is neither the merge commit nor the head of a pull request, so no release PR's sign-offs cover it. Deploy the merge commit or the head of an approved release PR.`,
    );
  }
  return match.number;
}

function refusalComment(environment: string, error: unknown): string {
  if (error instanceof Refusal) return renderRefusal(environment, error.message, error.details);
  if (error instanceof ProblemError) {
    return renderRefusal(
      environment,
      "the Gatehouse configuration is invalid, so nothing can be approved. Fix it and re-run the job:",
      error.problems.map(formatProblem),
    );
  }
  if (error instanceof LedgerCorruptError) {
    return renderRefusal(
      environment,
      `the sign-off ledger in this App's check run cannot be read (${error.message}). Nothing can be approved until the release PR is synced again.`,
    );
  }
  return renderRefusal(environment, `Gatehouse could not evaluate the release: ${errorMessage(error)}. Re-run the job to ask again.`);
}

/** Stands for every environment the config does not list (an environment name is never empty). */
const UNLISTED_ENVIRONMENT = "";

/** Bounded maps: the oldest PR is forgotten first (its runs then wait for a lookup). */
const MAX_REMEMBERED = 2_000;
