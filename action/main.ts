import * as core from "@actions/core";
import { formatProblem, ProblemError } from "../src/core/config/problem.js";
import { renderJobSummary } from "../src/core/render/render-summary.js";
import type { GitHubClient } from "../src/github/client.js";
import { loadRepoConfig } from "../src/github/config-files.js";
import { escapeMarkdown } from "../src/core/render/escape.js";
import { errorMessage } from "../src/github/http-error.js";
import { awaitApproval, lookApproved, type ApprovalResult, type Clock } from "./await-approval.js";
import { failureMessage, forgeryNotice } from "./failure-message.js";
import { countedSignoffs, pendingGates } from "./gate-outputs.js";
import { createActionClient } from "./github-client.js";
import { githubFailureMessage } from "./github-failure.js";
import { readInputs } from "./inputs.js";
import { resolvePullRequest } from "./resolve-pull-request.js";
import { RateLimitWaits, RETRY_LIMITS, type RetryLimits } from "./retry-limits.js";
import { readRunnerContext } from "./runner-context.js";

/** What the Action needs from the outside world, replaceable in tests. */
export interface RunDependencies {
  /** Builds the API client; the default honours the runner's proxy settings. */
  createClient: (token: string, apiUrl: string, waits: RateLimitWaits) => GitHubClient;
  /** Bounds on waiting out GitHub's errors and rate limits; tests shrink only the time scale. */
  retryLimits: Readonly<RetryLimits>;
  clock: Clock;
}

/** The `result` output: approved, not approved (pending gates), or could not decide. */
export type ActionResult = "approved" | "pending" | "error";

const realClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const defaultDependencies: RunDependencies = {
  createClient: (token, apiUrl, waits) => createActionClient({ token, apiUrl, waits, log: (message) => core.info(message) }),
  retryLimits: RETRY_LIMITS,
  clock: realClock,
};

/**
 * The Action: finds the release PR, reads the Gatehouse App's check run on its head, evaluates
 * the ledger now (waiting if asked) and passes only when every required gate is approved.
 * Never throws: every failure ends in `core.setFailed`.
 */
export async function run(dependencies: Partial<RunDependencies> = {}): Promise<void> {
  const { createClient, retryLimits, clock } = { ...defaultDependencies, ...dependencies };
  const waits = new RateLimitWaits(retryLimits);
  try {
    const inputs = readInputs((name) => core.getInput(name));
    const ctx = readRunnerContext(process.env);
    const gh = createClient(inputs.token, ctx.apiUrl, waits);

    const target = await resolvePullRequest(gh, ctx, inputs);
    core.info(`Release PR: #${target.number}, found from ${target.via}; commit deployed: ${target.deployed ?? "unknown"}.`);
    core.setOutput("pull-request", String(target.number));

    // The default branch's config, never the PR's own: a PR must not be able to weaken its gates.
    const { config, checklist, source } = await loadRepoConfig(gh, ctx.repo);
    core.info(
      `Config: ${source.map((s) => s.file).join(" ← ")}; checklist '${checklist.id}'${config.phase ? `, phase '${config.phase}'` : ""}.`,
    );

    const result = await awaitApproval({
      gh,
      repo: ctx.repo,
      target,
      appId: inputs.appId,
      config,
      checklist,
      gates: inputs.gates,
      waitMs: inputs.waitMinutes * 60_000,
      pollMs: inputs.pollSeconds * 1000,
      clock,
      log: (message) => core.info(message),
    });
    await report(result, inputs);
  } catch (error) {
    // Could not decide: never a pass, and never mistaken for a list of pending gates.
    core.setOutput("approved", "false");
    core.setOutput("result", "error" satisfies ActionResult);
    core.setFailed(describeError(error, { limits: retryLimits, rateLimitRefusal: waits.refusal }));
  }
}

async function report(result: ApprovalResult, inputs: { appId: number; waitMinutes: number }): Promise<void> {
  const { pr, headSha, forged, ledger, verdict, deployed } = result.look;
  const approved = lookApproved(result.look);
  const pending = pendingGates(verdict);
  const outcome: ActionResult = approved ? "approved" : verdict.status === "error" ? "error" : "pending";

  core.setOutput("approved", String(approved));
  core.setOutput("result", outcome);
  core.setOutput("pull-request", String(pr.number));
  core.setOutput("head-sha", headSha);
  core.setOutput("sha", deployed.sha);
  core.setOutput("pending-gates", JSON.stringify(pending));
  core.setOutput("signoffs", JSON.stringify(countedSignoffs(verdict)));

  // The App's run is trusted whatever else exists, but an imitation is worth someone's attention.
  if (forged.length > 0) core.warning(forgeryNotice(forged, inputs.appId), { title: "Gatehouse: forged check run ignored" });

  const summary = renderJobSummary({ verdict, ledger, prUrl: pr.htmlUrl, prNumber: pr.number });
  await writeJobSummary(deployed.bound || !deployed.reason ? summary : notTheApprovedCommit(deployed.reason, summary));

  if (approved) {
    core.info(
      `PR #${pr.number} is approved at ${headSha.slice(0, 7)}, which covers ${deployed.sha.slice(0, 7)}, the commit deployed: ${verdict.reason}.`,
    );
    return;
  }
  if (!deployed.bound && deployed.reason) core.error(deployed.reason, { title: "Gatehouse: not the approved commit" });
  for (const gate of pending) {
    core.error(`${gate.title} (${gate.gate}): ${gate.reason}. Sign off in ${pr.htmlUrl}`, {
      title: `Gatehouse: gate '${gate.gate}' pending`,
    });
  }
  core.setFailed(failureMessage(result, inputs));
}

/** The job's answer leads; the PR's own verdict follows one level down, so "Approved" never reads as the job's. */
function notTheApprovedCommit(reason: string, summary: string): string {
  return `## Gatehouse: ⛔ Not the approved commit\n\n${escapeMarkdown(reason)}\n\n${summary.replace(/^## Gatehouse: /, "### The PR's verdict at its head: ")}`;
}

/** A missing summary file (running outside Actions) must not hide the verdict. */
async function writeJobSummary(markdown: string): Promise<void> {
  try {
    await core.summary.addRaw(markdown, true).write();
  } catch (error) {
    core.summary.emptyBuffer();
    core.warning(`Could not write the job summary: ${errorMessage(error)}`);
  }
}

function describeError(error: unknown, retries: Parameters<typeof githubFailureMessage>[1]): string {
  const github = githubFailureMessage(error, retries);
  if (github !== undefined) return github;
  if (error instanceof ProblemError) {
    for (const problem of error.problems) core.error(formatProblem(problem), { title: "Gatehouse config" });
    return `The Gatehouse config is invalid, so the release cannot be gated (fail closed):\n${error.problems.map(formatProblem).join("\n")}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
