import { createHash } from "node:crypto";
import type { Checklist } from "../../core/config/checklist-schema.js";
import type { Ledger } from "../../core/ledger/ledger.js";
import type { Problem } from "../../core/config/problem.js";
import { renderCheckRun, renderProblems } from "../../core/render/render-check-run.js";
import { escapeMarkdown } from "../../core/render/escape.js";
import type { GateVerdict, Verdict } from "../../core/evaluate/verdict.js";
import type { CheckAnnotation, CheckRunContent, OwnCheckRun } from "../../github/check-runs.js";
import { CHECK_NAME } from "../../github/ledger-check-run.js";
import type { RepoRef } from "../../github/client.js";

/** GitHub's limits: ≤ 3 actions, label ≤ 20, description ≤ 40, identifier ≤ 20 characters. */
export const SIGN_OFF_ACTION = {
  label: "Sign off my gates",
  description: "Sign every pending item you own",
  identifier: "signoff-mine",
} as const;

/** The aggregate check: success only when the verdict is approved; completed either way so it never goes stale. */
export function aggregateCheckRun(input: { verdict: Verdict; ledger: Ledger; checklist: Checklist; detailsUrl?: string }): CheckRunContent {
  const output = renderCheckRun(input);
  const { status } = input.verdict;
  return {
    name: CHECK_NAME,
    conclusion: conclusionOf(status) as CheckRunContent["conclusion"],
    ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    output,
    ...(status === "pending" ? { actions: [SIGN_OFF_ACTION] } : {}),
  };
}

/** One check per gate, for rulesets that require specific gates. */
export function gateCheckRun(gate: GateVerdict, detailsUrl?: string): CheckRunContent {
  const approved = gate.status !== "pending";
  return {
    name: `${CHECK_NAME} / ${gate.gate.id}`,
    conclusion: approved ? "success" : "action_required",
    ...(detailsUrl ? { details_url: detailsUrl } : {}),
    output: {
      title:
        gate.status === "approved"
          ? `${gate.gate.title}: approved`
          : gate.status === "optional"
            ? `${gate.gate.title}: not required`
            : `${gate.gate.title}: pending`,
      summary: escapeMarkdown(gate.reason),
    },
    ...(approved ? {} : { actions: [SIGN_OFF_ACTION] }),
  };
}

/**
 * A failing check for a config that cannot be used. It keeps the current ledger block (when one is
 * known) so that no sign-off is lost while the config is being fixed.
 */
export function configErrorCheckRun(input: {
  problems: Problem[];
  repo: RepoRef;
  ledgerText?: string;
  detailsUrl?: string;
}): CheckRunContent {
  // Files of this repo are named relative to it, so annotations land on them; others keep "owner/repo:".
  const prefix = `${input.repo.owner}/${input.repo.repo}:`;
  const problems = input.problems.map((p) => (p.file.startsWith(prefix) ? { ...p, file: p.file.slice(prefix.length) } : p));
  const rendered = renderProblems(problems);
  const annotations: CheckAnnotation[] = problems
    .filter((p) => !p.file.includes(":") && p.line > 0)
    .map((p) => ({
      path: p.file,
      start_line: p.line,
      end_line: p.line,
      ...(p.col > 0 ? { start_column: p.col, end_column: p.col } : {}),
      annotation_level: "failure",
      message: p.message,
      title: "Gatehouse configuration",
    }));
  return {
    name: CHECK_NAME,
    conclusion: "failure",
    ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    output: {
      title: "Configuration error",
      summary: rendered,
      ...(input.ledgerText ? { text: input.ledgerText } : {}),
      ...(annotations.length ? { annotations } : {}),
    },
  };
}

/**
 * What decides whether a PATCH would change anything visible or stored: the conclusion, then a
 * digest of the rest. A digest rather than the content itself, because every cached PR keeps its
 * fingerprint, and the output (the ledger included) is several KB per PR.
 */
export function checkRunFingerprint(run: CheckRunContent | OwnCheckRun): string {
  const detailsUrl = "detailsUrl" in run ? run.detailsUrl : run.details_url;
  const hash = createHash("sha256");
  // Each field with its length first, so no two different outputs hash the same text.
  for (const field of [detailsUrl, run.output.title, run.output.summary, run.output.text]) {
    if (field === undefined || field === null) hash.update("-;");
    else hash.update(`${field.length};`).update(field);
  }
  return `${run.conclusion ?? ""} ${hash.digest("base64url")}`;
}

/** The conclusion a fingerprint records, if any. */
export function writtenConclusion(fingerprint: string | undefined): string | undefined {
  const conclusion = fingerprint?.slice(0, fingerprint.indexOf(" "));
  return conclusion ? conclusion : undefined;
}

/** The conclusion the aggregate run shows for a verdict status. */
export function conclusionOf(status: Verdict["status"]): string {
  return status === "approved" ? "success" : status === "pending" ? "action_required" : "failure";
}
