import { escapeMarkdown } from "./escape.js";

/** "2026-11-25" from an ISO timestamp; anything else is escaped as given. */
export function formatDay(at: string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? escapeMarkdown(at, { maxLength: 40 }) : date.toISOString().slice(0, 10);
}

/** "2026-11-25 14:03 UTC" from an ISO timestamp; anything else is escaped as given. */
export function formatTime(at: string): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return escapeMarkdown(at, { maxLength: 40 });
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The first 7 characters of a commit SHA as inline code, or the escaped text if it is not a SHA. */
export function formatSha(sha: string): string {
  return /^[0-9a-f]{7,64}$/i.test(sha) ? `\`${sha.slice(0, 7)}\`` : escapeMarkdown(sha, { maxLength: 40 });
}

/** A GitHub login as "@alice", escaped so it shows the name without notifying the person. */
export function formatActor(login: string): string {
  return escapeMarkdown(`@${login.replace(/^@/, "")}`, { maxLength: 60 });
}

/** Metric evidence as "uptime_percent=99.95, roi_ratio=4", escaped. */
export function formatMetrics(metrics: Record<string, number> | undefined): string | undefined {
  const entries = Object.entries(metrics ?? {});
  return entries.length === 0 ? undefined : escapeMarkdown(entries.map(([k, v]) => `${k}=${v}`).join(", "), { maxLength: 200 });
}
