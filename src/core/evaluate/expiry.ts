import { parseDuration } from "../config/duration.js";
import { ALL_GATES, type LedgerEvent } from "../ledger/ledger.js";
import type { ItemStatus, Verdict, VerdictStatus } from "./verdict.js";

/** The actor of events the App records on its own. */
export const SYSTEM_ACTOR = "gatehouse";

/**
 * When the verdict next changes by itself: the earliest moment a sign-off that counts now reaches
 * its item's `expires_after`. Undefined when no counting sign-off expires.
 */
export function nextExpiry(verdict: Verdict): Date | undefined {
  let earliest: number | undefined;
  for (const gate of verdict.gates) {
    for (const item of gate.items) {
      if (item.status !== "signed" || item.signoff === undefined || item.item.expires_after === undefined) continue;
      const duration = parseDuration(item.item.expires_after);
      const at = Date.parse(item.signoff.at) + (duration ?? 0);
      if (Number.isFinite(at) && (earliest === undefined || at < earliest)) earliest = at;
    }
  }
  return earliest === undefined ? undefined : new Date(earliest);
}

/** Item statuses judged on a standing sign-off, which its `expires_after` can still turn to "expired". */
const UNTIL_EXPIRY = new Set<ItemStatus>(["signed", "evidence_missing", "below_threshold"]);

/**
 * Until when (ms since the epoch, exclusive) `evaluate` gives this very verdict again for the same
 * inputs at a later `now`: the earliest expiry of a sign-off that stands, Infinity when none can
 * expire. The clock enters evaluation only through `expires_after`, and an expired item stays
 * expired.
 */
export function verdictStableUntil(verdict: Verdict): number {
  let until = Number.POSITIVE_INFINITY;
  for (const gate of verdict.gates) {
    for (const item of gate.items) {
      if (!UNTIL_EXPIRY.has(item.status) || item.signoff === undefined || item.item.expires_after === undefined) continue;
      const expiry = Date.parse(item.signoff.at) + (parseDuration(item.item.expires_after) ?? 0);
      // A sign-off counts up to its expiry instant included. An unreadable one judged the item
      // expired already; never reuse such a verdict.
      until = Math.min(until, Number.isFinite(expiry) ? expiry + 1 : Number.NEGATIVE_INFINITY);
    }
  }
  return until;
}

/**
 * One `expire` event per item whose sign-off has expired and whose expiry the ledger does not
 * record yet, so the audit shows why the check turned without anyone acting. Idempotent: a second
 * run over the same ledger adds nothing.
 */
export function expiryEvents(verdict: Verdict, events: readonly LedgerEvent[], now: Date): LedgerEvent[] {
  const out: LedgerEvent[] = [];
  for (const gate of verdict.gates) {
    for (const item of gate.items) {
      const signoff = item.signoff;
      if (item.status !== "expired" || signoff === undefined) continue;
      const since = events.lastIndexOf(signoff);
      const recorded = events.slice(since + 1).some((e) => e.kind === "expire" && e.gate === gate.gate.id && e.item === item.item.id);
      if (recorded) continue;
      out.push({
        kind: "expire",
        actor: SYSTEM_ACTOR,
        role: gate.gate.owner,
        gate: gate.gate.id,
        item: item.item.id,
        sha: verdict.headSha,
        at: now.toISOString(),
        method: "system",
        note: `sign-off by @${signoff.actor} of ${signoff.at.slice(0, 10)} ${item.reason}`,
      });
    }
  }
  return out;
}

/** A `reevaluate` event: the default branch's config changed at `configSha` and turned the verdict. */
export function reevaluationEvent(input: { verdict: Verdict; was: string; now: VerdictStatus; configSha: string; at: Date }): LedgerEvent {
  return {
    kind: "reevaluate",
    actor: SYSTEM_ACTOR,
    role: "",
    gate: ALL_GATES,
    sha: input.verdict.headSha,
    at: input.at.toISOString(),
    method: "system",
    note: `re-evaluated after a config change at ${input.configSha.slice(0, 12)}: was ${input.was}, now ${input.now}`,
  };
}
