import type { Checklist, Gate } from "../config/checklist-schema.js";
import type { RepoConfig } from "../config/config-schema.js";
import { matchesAny } from "../config/glob.js";
import { appendEvents, type Ledger, type LedgerEvent } from "./ledger.js";
import { replayLedger } from "./replay-ledger.js";

/** A gate whose sign-offs a push cleared, and why. */
export interface Invalidation {
  gate: string;
  /** The changed files that caused it (at most MAX_FILES). */
  files: string[];
  /** e.g. "invalidated by push abc1234: src/auth/** changed (src/auth/login.ts)". */
  reason: string;
}

export interface Push {
  checklist: Checklist;
  mode: RepoConfig["invalidate_on_push"];
  /** The previous head SHA. */
  fromSha: string;
  /** The new head SHA; the invalidation events are recorded on it. */
  toSha: string;
  changedFiles: string[];
  /** ISO-8601 time of the push. */
  at: string;
  /** Who (or which app) records the invalidation. */
  actor: string;
}

/** Files kept per invalidation event, so a huge push cannot fill the ledger. */
const MAX_FILES = 10;
/** Files named in a reason; the rest are counted. */
const FILES_IN_REASON = 3;

/**
 * Carries a release PR's ledger over to a new head after a push. Appends one `invalidate` event
 * per gate that has standing sign-offs and is touched by the push: its `paths` match a changed
 * file (mode "paths"; gates without `paths` are never touched), or always (mode "all": every push
 * counts, even one whose files are unknown and passed as []).
 * Sign-offs already given on `toSha` are not counted as standing, so a redelivered push appends
 * nothing; nor do mode "none" and fromSha === toSha.
 * Never removes or rewrites events: the ledger stays append-only.
 */
export function carryOver(ledger: Ledger, push: Push): { ledger: Ledger; invalidated: Invalidation[] } {
  if (push.mode === "none" || push.fromSha === push.toSha) {
    return { ledger, invalidated: [] };
  }
  const state = replayLedger(push.checklist, ledger.events);
  const invalidated: Invalidation[] = [];
  const events: LedgerEvent[] = [];

  for (const gate of push.checklist.gates) {
    const items = [...(state.get(gate.id)?.values() ?? [])];
    // A sign-off given on the new head already saw this push; this also makes a redelivered push a no-op.
    if (!items.some((item) => item.signoff !== undefined && item.signoff.sha !== push.toSha)) continue;
    const touched = touchedBy(gate, push);
    if (touched === undefined) continue;
    const files = touched.files.slice(0, MAX_FILES);
    const reason = `invalidated by push ${push.toSha.slice(0, 7)}${touched.why}`;
    invalidated.push({ gate: gate.id, files, reason });
    events.push({
      kind: "invalidate",
      actor: push.actor,
      role: gate.owner,
      gate: gate.id,
      sha: push.toSha,
      at: push.at,
      method: "push",
      note: reason,
      files,
    });
  }
  return { ledger: events.length > 0 ? appendEvents(ledger, events) : ledger, invalidated };
}

function touchedBy(gate: Gate, push: Push): { why: string; files: string[] } | undefined {
  const files = push.changedFiles;
  if (push.mode === "all") {
    if (files.length === 0) return { why: " (invalidate_on_push: all)", files };
    const count = files.length === 1 ? "1 file" : `${files.length} files`;
    return { why: `: ${count} changed (${listFiles(files)})`, files };
  }
  const globs = gate.paths ?? [];
  const matching = files.filter((file) => matchesAny(globs, file));
  if (matching.length === 0) return undefined;
  const matched = globs.filter((glob) => matching.some((file) => matchesAny([glob], file)));
  return { why: `: ${matched.join(", ")} changed (${listFiles(matching)})`, files: matching };
}

function listFiles(files: string[]): string {
  const shown = files.slice(0, FILES_IN_REASON).join(", ");
  const rest = files.length - FILES_IN_REASON;
  return rest > 0 ? `${shown} and ${rest} more` : shown;
}
