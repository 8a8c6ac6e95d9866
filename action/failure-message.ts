import { CHECK_NAME, type CheckRun } from "../src/github/ledger-check-run.js";
import type { ApprovalResult } from "./await-approval.js";
import { pendingGates } from "./gate-outputs.js";

/**
 * Why the release may not ship, as the step's failure message: the pending gates with their
 * owners, the PR to sign off in, and any forged check runs that were ignored.
 */
export function failureMessage(result: ApprovalResult, options: { appId: number; waitMinutes: number }): string {
  const { pr, headSha, checkRun, forged, verdict } = result.look;
  const where = `PR #${pr.number} (${pr.htmlUrl})`;
  const lines: string[] = [];

  // The commit comes first: no sign-off can make an approval cover another commit.
  if (!result.look.deployed.bound && result.look.deployed.reason) lines.push(result.look.deployed.reason);
  if (verdict.status === "approved") {
    // Approved, but not for this commit: the line above says why.
  } else if (verdict.status === "error") {
    lines.push(`Gatehouse cannot decide on ${where}: ${verdict.reason}.`);
  } else if (!checkRun) {
    lines.push(
      `No ${CHECK_NAME} check run from the Gatehouse App (id ${options.appId}) on ${headSha.slice(0, 7)}, the head of ${where}. ` +
        `The App reports on release PRs only: check that the PR matches \`release\` in .github/gatehouse.yml, that the App is installed on the repository, and that 'app-id' is the App's id.`,
    );
  } else {
    lines.push(`${where} is not approved: ${verdict.reason}.`);
  }
  if (result.timedOut) lines.push(`Still not approved after waiting ${minutes(options.waitMinutes)}.`);
  if (forged.length > 0 && !checkRun) lines.push(forgeryNotice(forged, options.appId));

  const pending = pendingGates(verdict);
  if (pending.length > 0) {
    lines.push("Pending gates:");
    for (const gate of pending) lines.push(`- ${gate.title} (${gate.gate}): ${gate.reason}`);
    lines.push(`Owners sign off in ${pr.htmlUrl}`);
  }
  return lines.join("\n");
}

/** One line about check runs of the gate's name that came from another app. */
export function forgeryNotice(forged: CheckRun[], appId: number): string {
  const sources = [...new Set(forged.map(describeApp))].join(", ");
  const count = forged.length === 1 ? `1 check run named "${CHECK_NAME}"` : `${forged.length} check runs named "${CHECK_NAME}"`;
  return (
    `Ignored ${count} created by ${sources}, not by the Gatehouse App (id ${appId}): ` +
    "a check run of the gate's name from another app is a forgery attempt and never counts."
  );
}

function describeApp(run: CheckRun): string {
  return run.app ? `app '${run.app.slug ?? run.app.name}' (id ${run.app.id})` : "an unknown app";
}

function minutes(n: number): string {
  return n === 1 ? "1 minute" : `${n} minutes`;
}
