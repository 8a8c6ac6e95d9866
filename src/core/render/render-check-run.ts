import type { Checklist } from "../config/checklist-schema.js";
import { codeId, escapeMarkdown } from "./escape.js";
import { memoByIdentity } from "../identity-memo.js";
import { formatSha } from "./event-text.js";
import { GATE_TABLE_HEADER, gateTableRows } from "./gate-table.js";
import type { Ledger } from "../ledger/ledger.js";
import { encodeLedger } from "../ledger/ledger-codec.js";
import { LEDGER_TABLE_HEADER, ledgerTableRows } from "./ledger-table.js";
import { formatProblem, type Problem } from "../config/problem.js";
import { ITEM_LABEL, VERDICT_LABEL } from "./status-labels.js";
import { CHECK_RUN_FIELD_MAX_LENGTH, fitLines, fitTable } from "./text-budget.js";
import type { GateVerdict, Verdict } from "../evaluate/verdict.js";

/** A check run's `output` fields. Each is at most 65,535 characters. */
export interface CheckRunOutput {
  title: string;
  summary: string;
  text: string;
}

export interface RenderCheckRunInput {
  verdict: Verdict;
  ledger: Ledger;
  checklist: Checklist;
  /** Config problems; when present the run reports them instead of the verdict. */
  problems?: Problem[];
}

/** Ledger rows shown to people; the block below them always holds every event. */
const LEDGER_ROWS_SHOWN = 200;
const LINE_BREAK = "\n\n";

/**
 * Renders the aggregate check run: a title ("2 of 5 gates approved", "All 5 required gates
 * approved", "Configuration error"), a summary with the gates table, and a text with the
 * unsigned items, the ledger as a table (latest first) and, last, the ledger block from
 * `encodeLedger`. The block is never cut; the human-readable part shrinks to fit.
 * @throws LedgerCapacityError (from encodeLedger) when the ledger cannot fit; callers fail closed.
 */
export function renderCheckRun(input: RenderCheckRunInput): CheckRunOutput {
  if (input.problems && input.problems.length > 0) return renderProblemsCheckRun({ problems: input.problems, ledger: input.ledger });
  const { verdict } = input;
  return {
    title: checkRunTitle(verdict),
    summary: renderVerdictSummary(verdict, input.checklist),
    text: withLedger(input.ledger, renderUnsignedItems(verdict)),
  };
}

/**
 * The check run for a configuration that cannot be used: title "Configuration error", the problems
 * as the summary, and the ledger (when there is one) kept in the text, so fixing the config loses
 * no sign-off.
 * @throws LedgerCapacityError (from encodeLedger) when the ledger cannot fit.
 */
export function renderProblemsCheckRun(input: { problems: Problem[]; ledger?: Ledger }): CheckRunOutput {
  const n = input.problems.length;
  return {
    title: `Configuration error: ${n} ${n === 1 ? "problem" : "problems"}`,
    summary: renderProblems(input.problems),
    text: input.ledger ? withLedger(input.ledger, []) : "",
  };
}

/**
 * Config problems as Markdown: what happened, one `file:line:col: message` per problem, and what
 * to do. Gatehouse fails closed, so the summary says no gate can pass until the config is fixed.
 */
export function renderProblems(problems: Problem[], maxLength: number = CHECK_RUN_FIELD_MAX_LENGTH): string {
  const head = [
    `**${VERDICT_LABEL.error}** · Gatehouse cannot use this repository's configuration, so no gate can be approved until it is fixed.`,
    "",
  ];
  const tail = ["", "Fix the files above and push; `npx gatehouse validate` reports the same problems locally."];
  const budget = maxLength - [...head, ...tail].join("\n").length - 2;
  const list = fitLines(
    problems.map((p) => `- ${escapeMarkdown(formatProblem(p), { maxLength: 1000 })}`),
    budget,
    (n) => `- _…and ${n} more problems_`,
  );
  return [...head, list, ...tail].join("\n");
}

/** "2 of 5 gates approved", "All 5 required gates approved" or "Configuration error". */
export function checkRunTitle(verdict: Verdict): string {
  if (verdict.status === "error") return "Configuration error";
  if (verdict.requiredGates === 0) return "No required gates";
  const gates = verdict.requiredGates === 1 ? "gate" : "gates";
  return verdict.status === "approved"
    ? `All ${verdict.requiredGates} required ${gates} approved`
    : `${verdict.approvedGates} of ${verdict.requiredGates} ${gates} approved`;
}

function renderVerdictSummary(verdict: Verdict, checklist: Checklist): string {
  const phase = verdict.phase ? ` · phase **${escapeMarkdown(verdict.phase.name, { maxLength: 100 })}**` : "";
  const head = [
    `**${VERDICT_LABEL[verdict.status]}** · ${escapeMarkdown(verdict.reason, { maxLength: 2000 })} · at ${formatSha(verdict.headSha)}${phase}`,
    "",
    `Checklist: ${escapeMarkdown(checklist.title, { maxLength: 200 })} (${codeId(checklist.id)})`,
    "",
  ];
  const tail = [
    "",
    "Owners sign off by ticking boxes in the PR's Gatehouse comment, by commenting `/signoff gate.item`, " +
      "or with the **Sign off my gates** button above.",
  ];
  const budget = CHECK_RUN_FIELD_MAX_LENGTH - [...head, ...tail].join("\n").length - 1;
  const table = fitTable(GATE_TABLE_HEADER, gateTableRows(verdict), budget, (n) => `_…and ${n} more gates._`);
  return [...head, table, ...tail].join("\n");
}

/** What pending gates still need, with the ids owners type in `/signoff`. */
function renderUnsignedItems(verdict: Verdict): string[] {
  const lines = verdict.gates.flatMap(unsignedLines);
  return lines.length === 0 ? [] : ["### Still to sign", "", ...lines];
}

/** Kept by gate verdict, as gate table rows are (see gate-table.ts): a tick judges one gate again. */
const unsignedLines = memoByIdentity(formatUnsigned);

function formatUnsigned(gate: GateVerdict): string[] {
  const open = gate.status === "pending" ? gate.items.filter((i) => i.status !== "signed") : [];
  if (open.length === 0) return [];
  const lines = [`- **${escapeMarkdown(gate.gate.title, { maxLength: 120 })}**`];
  for (const item of open) {
    const why = item.status === "pending" ? "" : ` — ${escapeMarkdown(item.reason, { maxLength: 200 })}`;
    lines.push(
      `  - ${ITEM_LABEL[item.status]} ${codeId(gate.gate.id, item.item.id)} ${escapeMarkdown(item.item.title, { maxLength: 160 })}` +
        `${item.required ? "" : " (optional)"}${why}`,
    );
  }
  return lines;
}

/**
 * Human-readable sections followed by the ledger block. The block is encoded first and always
 * kept whole; the unsigned items get up to 40% of what is left, the ledger table the rest.
 */
function withLedger(ledger: Ledger, items: string[]): string {
  const block = encodeLedger(ledger);
  const budget = CHECK_RUN_FIELD_MAX_LENGTH - block.length - LINE_BREAK.length * 2;
  const itemsText = fitLines(items, Math.floor(budget * 0.4), (n) => `- _…and ${n} more lines; see the PR's checklist comment._`);

  const rows = ledgerTableRows(ledger);
  const count = `${ledger.events.length} ${ledger.events.length === 1 ? "event" : "events"}`;
  const ledgerText =
    rows.length === 0
      ? fitLines(["### Ledger", "", "_No sign-offs yet._"], budget - itemsText.length, () => "")
      : fitTable(
          [`### Ledger (${count}, latest first)`, "", ...LEDGER_TABLE_HEADER],
          rows.slice(0, LEDGER_ROWS_SHOWN),
          budget - itemsText.length,
          (n) => `_…${n} earlier ${n === 1 ? "event is" : "events are"} not shown here; the ledger block holds all of them._`,
          Math.max(0, rows.length - LEDGER_ROWS_SHOWN),
        );
  return [itemsText, ledgerText, block].filter((s) => s !== "").join(LINE_BREAK);
}
