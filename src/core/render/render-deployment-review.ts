import type { DeploymentState, EnvironmentGates } from "../evaluate/deployment-gates.js";
import { escapeMarkdown, markdownLink, truncate } from "./escape.js";
import { fitLines } from "./text-budget.js";
import type { Verdict } from "../evaluate/verdict.js";

/** GitHub's limit for the comment of a deployment protection rule review. */
export const DEPLOYMENT_COMMENT_MAX_LENGTH = 1_024;

const ICON: Record<DeploymentState, string> = { approved: "✅", rejected: "⛔", pending: "⏳" };

export interface VerdictReviewInput {
  environment: string;
  state: DeploymentState;
  verdict: Verdict;
  selection: EnvironmentGates;
  pr: { number: number; url: string };
}

/**
 * The comment of a deployment review for a judged release PR, Markdown of at most 1,024
 * characters: the answer, the PR and the verdict's reason, the rule that chose the gates, and
 * for a pending release one line per gate still missing (who must sign, how far they are).
 */
export function renderVerdictReview(input: VerdictReviewInput): string {
  const { environment, state, verdict, selection, pr } = input;
  const prLink = markdownLink(`#${pr.number}`, pr.url) ?? escapeMarkdown(`#${pr.number}`);
  const env = `**${escapeMarkdown(environment, { maxLength: 100 })}**`;
  const reason = escapeMarkdown(verdict.reason, { maxLength: 300 });
  const rule = escapeMarkdown(`(${selection.rule})`, { maxLength: 200 });
  const head =
    state === "approved"
      ? `${ICON.approved} Gatehouse approved the deployment to ${env}: ${prLink} ${reason} ${rule}.`
      : state === "rejected"
        ? `${ICON.rejected} Gatehouse rejected the deployment to ${env}: ${prLink} cannot be approved: ${reason} ${rule}.`
        : `${ICON.pending} Gatehouse is holding the deployment to ${env}: ${prLink} is not approved yet: ${reason} ${rule}.`;
  if (state !== "pending") return fit(head, [], "");

  const missing = verdict.gates
    .filter((g) => g.required && g.status !== "approved")
    .map((g) => `- ${escapeMarkdown(g.gate.title, { maxLength: 80 })}: ${escapeMarkdown(g.reason, { maxLength: 200 })}`);
  const footer = "Owners sign off in the PR's checklist comment; the deployment continues by itself once the last required sign-off lands.";
  return fit(head, missing, footer);
}

/** The comment for a deployment Gatehouse refuses before any verdict: no PR, bad config, forged check. */
export function renderRefusal(environment: string, reason: string, details: string[] = []): string {
  const env = `**${escapeMarkdown(environment, { maxLength: 100 })}**`;
  const head = `${ICON.rejected} Gatehouse rejected the deployment to ${env}: ${escapeMarkdown(reason, { maxLength: 400 })}`;
  return fit(
    head,
    details.map((d) => `- ${escapeMarkdown(d, { maxLength: 300 })}`),
    "",
  );
}

/** Head, as many detail lines as fit, then the footer; never longer than GitHub allows. */
function fit(head: string, lines: string[], footer: string): string {
  const fixed = [head, footer].filter(Boolean).join("\n\n");
  if (fixed.length >= DEPLOYMENT_COMMENT_MAX_LENGTH || lines.length === 0) return truncate(fixed, DEPLOYMENT_COMMENT_MAX_LENGTH);
  // Two separators: between head and the list, and between the list and the footer.
  const budget = DEPLOYMENT_COMMENT_MAX_LENGTH - fixed.length - 2;
  const list = fitLines(lines, budget, (n) => `- …and ${n} more; see the checklist`);
  return [head, list, footer].filter(Boolean).join("\n\n");
}
