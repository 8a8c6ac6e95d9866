import type { Checklist } from "../config/checklist-schema.js";
import type { RepoConfig } from "../config/config-schema.js";
import { escapeMarkdown, escapeTableCell, markdownLink, safeHref } from "../render/escape.js";
import { evaluate } from "../evaluate/evaluate.js";
import type { Ledger, LedgerEvent } from "../ledger/ledger.js";

/**
 * The audit evidence export: for each merged release PR, who approved what, when and at which
 * commit, and where the process was not followed. Pure: the GitHub reads live in
 * src/github/audit-source.ts, and `generatedAt` is passed in.
 */

/** A merged pull request, as the audit reports it. */
export interface AuditPullRequest {
  number: number;
  title: string;
  url: string;
  author: string;
  mergedBy: string | null;
  mergedAt: string;
  mergeSha: string | null;
  /** The PR's last head: the commit the App's ledger lives on. */
  headSha: string;
  baseRef: string;
  labels: string[];
}

/** The ledger as found on the PR's head: only a check run created by the audited App counts. */
export type LedgerEvidence =
  | { status: "trusted"; checkRunId: number; ledger: Ledger | undefined }
  | { status: "missing" }
  | { status: "corrupt"; checkRunId: number; error: string };

/** A check run with the ledger's name that another app (or a workflow) created. */
export interface ForeignCheckRun {
  id: number;
  app: string;
  appId: number | null;
}

export interface AuditEvidence {
  pr: AuditPullRequest;
  ledger: LedgerEvidence;
  forged: ForeignCheckRun[];
}

export type DeviationKind =
  | "merged_unapproved"
  | "signoff_invalidated"
  | "signoff_expired"
  | "forged_check"
  /** A maintainer or release manager removed the release label: the PR stopped being gated. */
  | "release_label_removed"
  /** Someone else removed it and Gatehouse put it back. */
  | "release_label_restored"
  /** A sign-off withdrawn when the release was about to turn green: its signer no longer qualified. */
  | "signoff_withdrawn";

export interface Deviation {
  kind: DeviationKind;
  gate?: string;
  item?: string;
  sha?: string;
  at?: string;
  /** Plain text; formatters escape it. */
  detail: string;
}

export interface AuditRecord {
  pr: AuditPullRequest;
  ledger: LedgerEvidence["status"];
  checkRunId: number | null;
  /** The verdict when the PR merged: the ledger up to merged_at, judged at merged_at. */
  approvedAtMerge: boolean;
  verdictAtMerge: string;
  /** Every ledger event, in ledger order (also those after the merge). */
  events: LedgerEvent[];
  deviations: Deviation[];
}

export interface AuditReport {
  repo: string;
  appId: number;
  checklist: string;
  since: string | null;
  until: string | null;
  generatedAt: string;
  /** Closed PRs read to find the merged release PRs in range. */
  pullRequestsScanned: number;
  records: AuditRecord[];
}

export interface AuditRules {
  checklist: Checklist;
  config: RepoConfig;
  appId: number;
}

/**
 * Judges one merged release PR for the audit: replays its ledger up to the moment it merged and
 * lists deviations: merged while not approved (including without a trusted ledger), sign-offs
 * invalidated by pushes, sign-offs expired at merge time, and same-name checks from other apps.
 */
export function auditRecord(evidence: AuditEvidence, rules: AuditRules): AuditRecord {
  const { pr, ledger } = evidence;
  const short = pr.headSha.slice(0, 7);
  const events = ledger.status === "trusted" ? (ledger.ledger?.events ?? []) : [];
  const deviations: Deviation[] = [];

  let approvedAtMerge = false;
  let verdictAtMerge: string;
  if (ledger.status === "missing") {
    verdictAtMerge = `no Gatehouse check run from app ${rules.appId} on head ${short}, so no sign-off is on record`;
  } else if (ledger.status === "corrupt") {
    verdictAtMerge = `the ledger in check run ${ledger.checkRunId} on ${short} cannot be read: ${ledger.error}`;
  } else {
    const mergedAt = new Date(pr.mergedAt);
    // Events after the merge are reported but did not approve the merge.
    const before = events.filter((e) => !(Date.parse(e.at) > mergedAt.getTime()));
    const verdict = evaluate({
      checklist: rules.checklist,
      config: rules.config,
      ledger: { version: 1, pr: pr.number, events: before },
      pr: { number: pr.number, author: pr.author, headSha: pr.headSha, labels: pr.labels, baseRef: pr.baseRef },
      now: mergedAt,
    });
    approvedAtMerge = verdict.status === "approved";
    verdictAtMerge = verdict.reason;
    for (const gate of verdict.gates) {
      for (const item of gate.items.filter((i) => i.status === "expired")) {
        deviations.push({
          kind: "signoff_expired",
          gate: gate.gate.id,
          item: item.item.id,
          ...(item.signoff ? { sha: item.signoff.sha, at: item.signoff.at } : {}),
          detail: `${item.required ? "required" : "optional"} item's sign-off${item.signoff ? ` by @${item.signoff.actor}` : ""} had ${item.reason} when the PR merged`,
        });
      }
    }
  }
  if (!approvedAtMerge)
    deviations.unshift({
      kind: "merged_unapproved",
      sha: pr.mergeSha ?? pr.headSha,
      at: pr.mergedAt,
      detail: `merged while not approved: ${verdictAtMerge}`,
    });

  for (const event of events.filter((e) => e.kind === "invalidate")) {
    const files = event.files?.length ? ` (files: ${event.files.join(", ")})` : "";
    deviations.push({
      kind: "signoff_invalidated",
      gate: event.gate,
      ...(event.item ? { item: event.item } : {}),
      sha: event.sha,
      at: event.at,
      detail: `${event.note ?? `sign-offs invalidated by @${event.actor}`}${files}`,
    });
  }
  deviations.push(...labelAndRecheckDeviations(events));
  for (const run of evidence.forged) {
    deviations.push({
      kind: "forged_check",
      sha: pr.headSha,
      detail: `check run ${run.id} named "Gatehouse" on ${short} was created by ${run.app}${run.appId !== null ? ` (app ${run.appId})` : ""}, not app ${rules.appId}; it was not read`,
    });
  }

  return {
    pr,
    ledger: ledger.status,
    checkRunId: ledger.status === "missing" ? null : ledger.checkRunId,
    approvedAtMerge,
    verdictAtMerge,
    events,
    deviations,
  };
}

/** Label removals (allowed or reverted) and sign-offs withdrawn on re-check, in ledger order. */
function labelAndRecheckDeviations(events: readonly LedgerEvent[]): Deviation[] {
  const deviations: Deviation[] = [];
  for (const e of events) {
    const who = `@${e.actor}${e.actorId !== undefined ? ` (id ${e.actorId})` : ""}`;
    if (e.kind === "unlabel") {
      deviations.push({
        kind: "release_label_removed",
        sha: e.sha,
        at: e.at,
        detail: `${who}, ${e.role}, ${e.note ?? "removed the release label"}`,
      });
    } else if (e.kind === "relabel") {
      deviations.push({
        kind: "release_label_restored",
        sha: e.sha,
        at: e.at,
        detail: `${who} ${e.note ?? "removed the release label; Gatehouse put it back"}`,
      });
    } else if (e.kind === "revoke" && e.method === "recheck") {
      deviations.push({
        kind: "signoff_withdrawn",
        gate: e.gate,
        ...(e.item ? { item: e.item } : {}),
        sha: e.sha,
        at: e.at,
        detail: e.note ?? "sign-off withdrawn on re-check",
      });
    }
  }
  return deviations;
}

/** Records oldest merge first, so the report reads as a history. */
export function sortRecords(records: AuditRecord[]): AuditRecord[] {
  return [...records].sort((a, b) => a.pr.mergedAt.localeCompare(b.pr.mergedAt) || a.pr.number - b.pr.number);
}

export function formatAuditJson(report: AuditReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export const AUDIT_CSV_COLUMNS = [
  "pr",
  "title",
  "author",
  "merged_by",
  "merged_at",
  "merge_sha",
  "head_sha",
  "approved_at_merge",
  "record",
  "kind",
  "actor",
  "role",
  "gate",
  "item",
  "sha",
  "at",
  "method",
  "evidence",
  "note",
] as const;

type CsvRow = Partial<Record<(typeof AUDIT_CSV_COLUMNS)[number], string>>;

/**
 * One CSV (RFC 4180, CRLF) for spreadsheets: per PR a `pr` row (ledger status and the verdict at
 * merge), then one `event` row per ledger event and one `deviation` row per deviation.
 */
export function formatAuditCsv(report: AuditReport): string {
  const rows: CsvRow[] = [];
  for (const record of report.records) {
    const { pr } = record;
    const common: CsvRow = {
      pr: String(pr.number),
      title: pr.title,
      author: pr.author,
      merged_by: pr.mergedBy ?? "",
      merged_at: pr.mergedAt,
      merge_sha: pr.mergeSha ?? "",
      head_sha: pr.headSha,
      approved_at_merge: record.approvedAtMerge ? "yes" : "no",
    };
    rows.push({ ...common, record: "pr", kind: record.ledger, note: record.verdictAtMerge });
    for (const e of record.events) {
      rows.push({
        ...common,
        record: "event",
        kind: e.kind,
        actor: e.actor,
        role: e.role,
        gate: e.gate,
        item: e.item ?? "",
        sha: e.sha,
        at: e.at,
        method: e.method,
        evidence: evidenceText(e),
        note: [e.note, e.files?.length ? `files: ${e.files.join(", ")}` : undefined].filter(Boolean).join("; "),
      });
    }
    for (const d of record.deviations) {
      rows.push({
        ...common,
        record: "deviation",
        kind: d.kind,
        gate: d.gate ?? "",
        item: d.item ?? "",
        sha: d.sha ?? "",
        at: d.at ?? "",
        note: d.detail,
      });
    }
  }
  const lines = [AUDIT_CSV_COLUMNS.join(","), ...rows.map((row) => AUDIT_CSV_COLUMNS.map((c) => csvField(row[c] ?? "")).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}

/**
 * A CSV field: quoted when it holds a comma, quote or line break (quotes doubled). Text a
 * spreadsheet would run as a formula (= + - @, tab, CR first) gets a leading apostrophe.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * Markdown for a change-management record: a summary table of the PRs, then per PR its facts,
 * its ledger and its deviations. Every user and config string is escaped.
 */
export function formatAuditMarkdown(report: AuditReport): string {
  const range = `${report.since ? day(report.since) : "the beginning"} to ${report.until ? day(report.until) : "now"}`;
  const deviating = report.records.filter((r) => r.deviations.length > 0).length;
  const out: string[] = [
    `# Gatehouse audit: ${escapeMarkdown(report.repo)}`,
    "",
    `Release PRs merged from ${range}; ledgers read only from check runs of app ${report.appId}; checklist ${escapeMarkdown(report.checklist)}; generated ${escapeMarkdown(report.generatedAt)}.`,
    "",
    `**${report.records.length}** release PRs (${report.pullRequestsScanned} closed PRs scanned), **${deviating}** with deviations.`,
    "",
  ];
  if (report.records.length > 0) {
    out.push(
      "| PR | Title | Author | Merged by | Merged at | Merge commit | Approved at merge | Deviations |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const r of report.records) {
      const cells = [
        prLink(r.pr),
        escapeTableCell(r.pr.title, { maxLength: 120 }),
        escapeTableCell(`@${r.pr.author}`),
        r.pr.mergedBy ? escapeTableCell(`@${r.pr.mergedBy}`) : "–",
        escapeTableCell(r.pr.mergedAt),
        sha(r.pr.mergeSha),
        r.approvedAtMerge ? "yes" : "**no**",
        String(r.deviations.length),
      ];
      out.push(`| ${cells.join(" | ")} |`);
    }
    out.push("");
  }
  for (const r of report.records) out.push(...recordSection(r));
  return `${out.join("\n")}\n`;
}

function recordSection(r: AuditRecord): string[] {
  const { pr } = r;
  const out = [
    `## ${prLink(pr)} ${escapeMarkdown(pr.title, { maxLength: 200 })}`,
    "",
    `- Author: ${escapeMarkdown(`@${pr.author}`)}; merged by ${pr.mergedBy ? escapeMarkdown(`@${pr.mergedBy}`) : "unknown"} at ${escapeMarkdown(pr.mergedAt)}`,
    `- Merge commit ${sha(pr.mergeSha)}; head ${sha(pr.headSha)}; base ${escapeMarkdown(pr.baseRef)}`,
    `- Ledger: ${r.ledger}${r.checkRunId !== null ? ` (check run ${r.checkRunId})` : ""}; at merge: ${r.approvedAtMerge ? "approved" : "**not approved**"}: ${escapeMarkdown(r.verdictAtMerge)}`,
    "",
  ];
  if (r.events.length > 0) {
    out.push(
      "| When | Event | Actor | Role | Gate | Item | Commit | Method | Evidence | Note |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const e of r.events) {
      const cells = [
        escapeTableCell(e.at),
        e.kind,
        escapeTableCell(`@${e.actor}${e.actorId !== undefined ? ` (id ${e.actorId})` : ""}`),
        escapeTableCell(e.role),
        escapeTableCell(e.gate),
        escapeTableCell(e.gate === "" ? "whole PR" : (e.item ?? "whole gate")),
        sha(e.sha),
        escapeTableCell(e.method),
        evidenceCell(e),
        escapeTableCell([e.note, e.files?.length ? `files: ${e.files.join(", ")}` : undefined].filter(Boolean).join("; "), {
          maxLength: 300,
        }),
      ];
      out.push(`| ${cells.join(" | ")} |`);
    }
    out.push("");
  } else {
    out.push("No ledger events.", "");
  }
  if (r.deviations.length > 0) {
    out.push("**Deviations**", "");
    for (const d of r.deviations) {
      const where = [d.gate && d.item ? `${d.gate}.${d.item}` : d.gate, d.sha ? d.sha.slice(0, 7) : undefined, d.at]
        .filter(Boolean)
        .join(", ");
      out.push(`- \`${d.kind}\`${where ? ` (${escapeMarkdown(where)})` : ""}: ${escapeMarkdown(d.detail, { maxLength: 1000 })}`);
    }
    out.push("");
  }
  return out;
}

function evidenceText(e: LedgerEvent): string {
  const metrics = Object.entries(e.metrics ?? {}).map(([k, v]) => `${k}=${v}`);
  return [e.url, ...metrics].filter(Boolean).join("; ");
}

/** A link (when the URL is http(s)) plus metrics, for a Markdown table cell. */
function evidenceCell(e: LedgerEvent): string {
  const metrics = Object.entries(e.metrics ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  // A "|" in the URL would end the table cell; percent-encoded it reaches the same address.
  const link = e.url ? (markdownLink("link", e.url)?.replace(/\|/g, "%7C") ?? escapeTableCell(e.url, { maxLength: 200 })) : undefined;
  const parts = [link, metrics ? escapeTableCell(metrics, { maxLength: 200 }) : undefined].filter(Boolean);
  return parts.length > 0 ? parts.join("; ") : "–";
}

function prLink(pr: AuditPullRequest): string {
  const href = safeHref(pr.url);
  return href ? `[#${pr.number}](<${href}>)` : `#${pr.number}`;
}

function sha(value: string | null): string {
  if (value === null) return "–";
  return /^[0-9a-f]{7,64}$/i.test(value) ? `\`${value}\`` : escapeTableCell(value, { maxLength: 80 });
}

/** A whole-day bound (start or end of a UTC day) shows as the date alone. */
function day(iso: string): string {
  return escapeMarkdown(/T(00:00:00\.000|23:59:59\.999)Z$/.test(iso) ? iso.slice(0, 10) : iso);
}
