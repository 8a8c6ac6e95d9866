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

/**
 * What GitHub's three-dot compare of the signed commit (base) with the new head says. Only a
 * fast-forward lists the files that changed since base: for anything else GitHub lists the files
 * since the merge base, which can hide changes (a force-push back to a reverted commit lists none).
 */
export type Comparison =
  /** status "ahead" (or "identical"), behind_by 0. `complete` is false when GitHub's list was cut off. */
  | { kind: "fast-forward"; files: string[]; complete: boolean }
  /** status "behind" or "diverged": the new head does not contain base (a force-push). */
  | { kind: "rewrite"; aheadBy: number; behindBy: number }
  /** GitHub could not say (base is gone, an unexpected answer). */
  | { kind: "unknown"; why: string };

export interface Push {
  checklist: Checklist;
  mode: RepoConfig["invalidate_on_push"];
  /** What a push that is not a fast-forward with a complete file list invalidates. */
  rewriteMode: RepoConfig["invalidate_on_rewrite"];
  /** The previous head SHA. */
  fromSha: string;
  /** The new head SHA; the invalidation events are recorded on it. */
  toSha: string;
  comparison: Comparison;
  /** ISO-8601 time of the push. */
  at: string;
  /** Who (or which app) records the invalidation. */
  actor: string;
}

/** Files kept per invalidation event, so a huge push cannot fill the ledger. */
const MAX_FILES = 10;
/** Files named in a reason; the rest are counted. */
const FILES_IN_REASON = 3;

/** How a comparison judges one gate: undefined when the gate keeps its sign-offs. */
type Judge = (gate: Gate) => { why: string; files: string[] } | undefined;

/**
 * Carries a release PR's ledger over to a new head after a push. Appends one `invalidate` event
 * per gate that has standing sign-offs and is touched by the push:
 * - a fast-forward with a complete file list follows `mode`: gates whose `paths` match a changed
 *   file ("paths"; gates without `paths` are never touched), every gate ("all"), or none;
 * - a rewrite (the new head does not contain the old one), an unknown comparison, or a cut-off
 *   file list under "paths" follows `rewriteMode`: every gate ("all") or none. The reason says why.
 * Sign-offs already given on `toSha` are not counted as standing: they were given on this very
 * commit, and a redelivered push appends nothing. Mode "none" with a fast-forward, and
 * fromSha === toSha, append nothing. Never removes or rewrites events: the ledger stays append-only.
 */
export function carryOver(ledger: Ledger, push: Push): { ledger: Ledger; invalidated: Invalidation[] } {
  if (push.fromSha === push.toSha) return { ledger, invalidated: [] };
  const judge = judgeComparison(push, push.fromSha);
  if (judge === undefined) return { ledger, invalidated: [] };
  const state = replayLedger(push.checklist, ledger.events);
  const invalidated: Invalidation[] = [];
  const events: LedgerEvent[] = [];

  for (const gate of push.checklist.gates) {
    const items = [...(state.get(gate.id)?.values() ?? [])];
    // A sign-off given on the new head already saw this push; this also makes a redelivered push a no-op.
    if (!items.some((item) => item.signoff !== undefined && item.signoff.sha !== push.toSha)) continue;
    const touched = judge(gate);
    if (touched === undefined) continue;
    const files = touched.files.slice(0, MAX_FILES);
    const reason = `invalidated by ${pushKind(push.comparison)} ${short(push.toSha)}${touched.why}`;
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

/**
 * Sign-offs given on a commit that is no longer the head (a review on an older commit, the
 * button of an older head's check run) are recorded at the commit the owner saw. This decides,
 * with the carry-over rules from that commit to the head, whether each still counts: for each
 * one that does not, it returns `invalidate` events for exactly the items it signed, so nobody
 * else's sign-off is touched.
 */
export function bindSignoffs(
  signoffs: readonly LedgerEvent[],
  input: Omit<Push, "fromSha"> & { seenSha: string },
): { events: LedgerEvent[]; invalidated: Invalidation[] } {
  const stale = signoffs.filter((e) => e.kind === "signoff" && e.sha !== input.toSha);
  if (stale.length === 0) return { events: [], invalidated: [] };
  const judge = judgeComparison(input, input.seenSha);
  if (judge === undefined) return { events: [], invalidated: [] };
  const events: LedgerEvent[] = [];
  const invalidated: Invalidation[] = [];
  for (const signoff of stale) {
    const gate = input.checklist.gates.find((g) => g.id === signoff.gate);
    const touched = gate && judge(gate);
    if (!gate || touched === undefined) continue;
    const files = touched.files.slice(0, MAX_FILES);
    const reason = `invalidated: signed at ${short(signoff.sha)}, but the head is now ${short(input.toSha)}${touched.why}`;
    invalidated.push({ gate: gate.id, files, reason });
    const items =
      signoff.item !== undefined
        ? [signoff.item]
        : gate.items.filter((i) => i.evidence?.link !== true && i.evidence?.metric === undefined).map((i) => i.id);
    for (const item of items) {
      events.push({
        kind: "invalidate",
        actor: input.actor,
        role: gate.owner,
        gate: gate.id,
        item,
        sha: input.toSha,
        at: input.at,
        method: "push",
        note: reason,
        files,
      });
    }
  }
  return { events, invalidated };
}

/**
 * The PR's new base branch: the approvals were given for merging into the old one. Appends one
 * `invalidate` event per gate with standing sign-offs when `mode` is "all".
 */
export function retarget(
  ledger: Ledger,
  input: {
    checklist: Checklist;
    mode: RepoConfig["invalidate_on_retarget"];
    from: string;
    to: string;
    sha: string;
    at: string;
    actor: string;
  },
): { ledger: Ledger; invalidated: Invalidation[] } {
  if (input.mode === "none" || input.from === input.to) return { ledger, invalidated: [] };
  const state = replayLedger(input.checklist, ledger.events);
  const reason = `invalidated by retarget: the base branch changed from ${input.from} to ${input.to} (invalidate_on_retarget: all)`;
  const invalidated: Invalidation[] = [];
  const events: LedgerEvent[] = [];
  for (const gate of input.checklist.gates) {
    if (![...(state.get(gate.id)?.values() ?? [])].some((item) => item.signoff !== undefined)) continue;
    invalidated.push({ gate: gate.id, files: [], reason });
    events.push({
      kind: "invalidate",
      actor: input.actor,
      role: gate.owner,
      gate: gate.id,
      sha: input.sha,
      at: input.at,
      method: "push",
      note: reason,
    });
  }
  return { ledger: events.length > 0 ? appendEvents(ledger, events) : ledger, invalidated };
}

/** The rule a comparison from `base` calls for, or undefined when nothing can be touched. */
function judgeComparison(push: Pick<Push, "mode" | "rewriteMode" | "comparison">, base: string): Judge | undefined {
  const { comparison } = push;
  const rewrite = (why: string): Judge | undefined =>
    push.rewriteMode === "none" ? undefined : () => ({ why: `: ${why} (invalidate_on_rewrite: all)`, files: [] });
  switch (comparison.kind) {
    case "rewrite": {
      const removed = comparison.behindBy === 1 ? "1 commit" : `${comparison.behindBy} commits`;
      const added = comparison.aheadBy > 0 ? ` and added ${comparison.aheadBy}` : "";
      return rewrite(
        `the new head does not contain ${short(base)}; history was rewritten (removed ${removed}${added}), so the changed files cannot be trusted`,
      );
    }
    case "unknown":
      return rewrite(`GitHub could not compare ${short(base)} with the new head (${comparison.why})`);
    case "fast-forward": {
      if (push.mode === "none") return undefined;
      const files = comparison.files;
      if (push.mode === "all") {
        if (!comparison.complete) return () => ({ why: `: ${files.length} or more files changed (invalidate_on_push: all)`, files });
        if (files.length === 0) return () => ({ why: " (invalidate_on_push: all)", files });
        const count = files.length === 1 ? "1 file" : `${files.length} files`;
        return () => ({ why: `: ${count} changed (${listFiles(files)})`, files });
      }
      if (!comparison.complete)
        return rewrite(`${files.length} or more files changed, more than GitHub lists, so the gates' paths cannot be checked`);
      return (gate) => {
        const globs = gate.paths ?? [];
        const matching = files.filter((file) => matchesAny(globs, file));
        if (matching.length === 0) return undefined;
        const matched = globs.filter((glob) => matching.some((file) => matchesAny([glob], file)));
        return { why: `: ${matched.join(", ")} changed (${listFiles(matching)})`, files: matching };
      };
    }
  }
}

function pushKind(comparison: Comparison): string {
  return comparison.kind === "rewrite" ? "force-push" : "push";
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

function listFiles(files: string[]): string {
  const shown = files.slice(0, FILES_IN_REASON).join(", ");
  const rest = files.length - FILES_IN_REASON;
  return rest > 0 ? `${shown} and ${rest} more` : shown;
}
