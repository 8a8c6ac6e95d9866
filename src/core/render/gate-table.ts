import { codeId, escapeMarkdown, escapeTableCell } from "./escape.js";
import { memoByIdentity } from "../identity-memo.js";
import { formatActor } from "./event-text.js";
import { GATE_LABEL, signedCount } from "./status-labels.js";
import type { GateVerdict, Verdict } from "../evaluate/verdict.js";

/** The gates table shared by the check run summary and the job summary. */
export const GATE_TABLE_HEADER = ["| Gate | Status | Signed | Owners | Reason |", "| --- | --- | --- | --- | --- |"];

/** One table row per gate, in checklist order. Every cell is escaped. */
export function gateTableRows(verdict: Verdict): string[] {
  return verdict.gates.map(gateTableRow);
}

/**
 * Rows by gate verdict: a row depends on its gate's verdict alone, and a tick judges again only the
 * gate it touched (evaluateAppended), so the other rows are not formatted again.
 */
const gateTableRow = memoByIdentity(formatRow);

function formatRow(gate: GateVerdict): string {
  const { signed, total, onlyRequired } = signedCount(gate);
  const signers = [...new Set(gate.items.flatMap((i) => (i.status === "signed" && i.signoff ? [i.signoff.actor] : [])))];
  const shown = signers.slice(0, 3).map(formatActor).join(", ");
  const more = signers.length > 3 ? ` +${signers.length - 3}` : "";
  const signedCell = `${signed} of ${total}${onlyRequired ? " required" : ""}${signers.length > 0 ? ` (${shown}${more})` : ""}`;
  const owners = gate.owners.length > 0 ? gate.owners.map((o) => escapeMarkdown(o, { maxLength: 80 })).join(", ") : "–";
  const cells = [
    `${escapeMarkdown(gate.gate.title, { maxLength: 120 })} ${codeId(gate.gate.id)}`,
    GATE_LABEL[gate.status],
    signedCell,
    owners,
    escapeTableCell(gate.reason, { maxLength: 300 }),
  ];
  return `| ${cells.join(" | ")} |`;
}
