import { codeId, escapeMarkdown, markdownLink } from "./escape.js";
import { formatActor, formatMetrics, formatSha, formatTime } from "./event-text.js";
import { GATE_TABLE_HEADER, gateTableRows } from "./gate-table.js";
import type { Ledger } from "../ledger/ledger.js";
import { LEDGER_TABLE_HEADER, ledgerTableRows } from "./ledger-table.js";
import { VERDICT_LABEL } from "./status-labels.js";
import { fitTable, JOB_SUMMARY_MAX_LENGTH } from "./text-budget.js";
import type { Verdict } from "../evaluate/verdict.js";

export interface RenderJobSummaryInput {
  verdict: Verdict;
  ledger: Ledger;
  prUrl: string;
  prNumber: number;
  /** Defaults to what always fits in GitHub's 1 MiB per-step job summary limit. */
  maxLength?: number;
}

const SIGNOFF_TABLE_HEADER = ["| Gate / item | Signed by | When | Commit | Evidence |", "| --- | --- | --- | --- | --- |"];

/**
 * Markdown for the Action's job summary: the verdict for the PR at its head SHA, the gates table,
 * the sign-offs that count (who, when, on which commit, with what evidence) and the full ledger,
 * latest first. Every user and config string is escaped.
 */
export function renderJobSummary(input: RenderJobSummaryInput): string {
  const { verdict, ledger } = input;
  const max = input.maxLength ?? JOB_SUMMARY_MAX_LENGTH;
  const pr = markdownLink(`#${input.prNumber}`, input.prUrl) ?? escapeMarkdown(`#${input.prNumber}`);
  const phase = verdict.phase ? ` · phase **${escapeMarkdown(verdict.phase.name, { maxLength: 100 })}**` : "";
  const head = [
    `## Gatehouse: ${VERDICT_LABEL[verdict.status]}`,
    "",
    `${escapeMarkdown(verdict.reason, { maxLength: 2000 })} — pull request ${pr} at ${formatSha(verdict.headSha)}${phase}`,
  ].join("\n");

  const signoffs = verdict.gates.flatMap((gate) =>
    gate.items.flatMap((item) => {
      const s = item.status === "signed" ? item.signoff : undefined;
      if (!s) return [];
      const evidence = [s.url ? markdownLink("link", s.url) : undefined, formatMetrics(s.metrics)].filter(Boolean).join(" · ");
      return [
        `| ${codeId(gate.gate.id, item.item.id)} | ${formatActor(s.actor)} | ${formatTime(s.at)} | ${formatSha(s.sha)} | ${evidence || "–"} |`,
      ];
    }),
  );

  // Each section gets what the ones before it left; the ledger comes last and shrinks first.
  const sections: string[] = [head];
  const remaining = () => max - sections.join("\n\n").length - 2;
  sections.push(fitTable(["### Gates", "", ...GATE_TABLE_HEADER], gateTableRows(verdict), remaining(), (n) => `_…and ${n} more gates._`));
  sections.push(
    signoffs.length === 0
      ? "### Sign-offs\n\n_No sign-off counts yet._"
      : fitTable(["### Sign-offs", "", ...SIGNOFF_TABLE_HEADER], signoffs, remaining(), (n) => `_…and ${n} more sign-offs._`),
  );
  if (ledger.events.length > 0) {
    sections.push(
      fitTable(
        [`### Ledger (${ledger.events.length} events, latest first)`, "", ...LEDGER_TABLE_HEADER],
        ledgerTableRows(ledger),
        remaining(),
        (n) => `_…and ${n} earlier events._`,
      ),
    );
  }
  return `${sections.filter((s) => s !== "").join("\n\n")}\n`;
}
