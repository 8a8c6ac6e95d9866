import { codeId, escapeMarkdown, markdownLink } from "./escape.js";
import { memoByIdentity } from "../identity-memo.js";
import { formatActor, formatMetrics, formatSha, formatTime } from "./event-text.js";
import { ALL_GATES, type Ledger, type LedgerEvent, type LedgerEventKind } from "../ledger/ledger.js";

const EVENT_LABEL: Record<LedgerEventKind, string> = {
  signoff: "✅ signed",
  revoke: "↩️ revoked",
  invalidate: "♻️ invalidated",
  pushed: "⬆️ pushed",
  unlabel: "🏷️ release label removed",
  relabel: "🏷️ label removal reverted",
  expire: "⌛ expired",
  reevaluate: "🔄 re-evaluated",
};

/** The human-readable ledger table (check run text, job summary). Every cell is escaped. */
export const LEDGER_TABLE_HEADER = [
  "| When | Event | Gate / item | By | Method | Commit | Details |",
  "| --- | --- | --- | --- | --- | --- | --- |",
];

/** One row per event, latest first (the ledger itself stays in append order). */
export function ledgerTableRows(ledger: Ledger): string[] {
  return [...ledger.events].reverse().map(ledgerTableRow);
}

/** Rows by event: a row depends on its event alone, so each tick formats its new events, not the whole history again. */
const ledgerTableRow = memoByIdentity(formatRow);

function formatRow(event: LedgerEvent): string {
  const target =
    event.gate === ""
      ? "(whole PR)"
      : event.gate === ALL_GATES
        ? "all gates"
        : event.item === undefined
          ? `${codeId(event.gate)} (whole gate)`
          : codeId(event.gate, event.item);
  const details = [
    event.url ? (markdownLink("evidence", event.url) ?? escapeMarkdown(event.url, { maxLength: 100 })) : undefined,
    formatMetrics(event.metrics),
    event.note ? escapeMarkdown(event.note, { maxLength: 160 }) : undefined,
    event.files && event.files.length > 0
      ? escapeMarkdown(`files: ${event.files.slice(0, 3).join(", ")}${event.files.length > 3 ? ` +${event.files.length - 3}` : ""}`, {
          maxLength: 200,
        })
      : undefined,
  ].filter((x): x is string => Boolean(x));
  const cells = [
    formatTime(event.at),
    EVENT_LABEL[event.kind],
    target,
    event.actorId === undefined ? formatActor(event.actor) : `${formatActor(event.actor)} (id ${event.actorId})`,
    escapeMarkdown(event.method),
    formatSha(event.sha),
    details.length > 0 ? details.join(" · ") : "–",
  ];
  return `| ${cells.join(" | ")} |`;
}
