/**
 * src/core/ledger owns the sign-off history: its events, the codec and archive plan that store it
 * in check runs, replay, and carry-over from one commit to the next.
 *
 * The ledger: an append-only list of events about one release PR. The authoritative copy
 * lives in the App's own check run (see ledger-codec.ts); everything else is a view of it.
 */

/**
 * How an event reached the App. `push` marks invalidations and pushes seen on synchronize,
 * `recheck` a sign-off withdrawn because its signer no longer qualifies, `label` a label change,
 * `system` what the App records on its own (an expiry, a re-evaluation after a config change).
 */
export type SignOffMethod = "tick" | "command" | "button" | "review" | "push" | "recheck" | "label" | "system";

/**
 * `pushed` records who pushed a head (they may not sign, unless `allow_author`);
 * `unlabel` an allowed removal of the release label (the PR stops being gated);
 * `relabel` a removal Gatehouse reverted because the remover may not un-gate the PR.
 * These three concern the PR, not a gate: their `gate` and `role` may be empty.
 * `expire` and `reevaluate` are system events: they change no sign-off, they record why a check
 * that was green turned without anyone acting (a sign-off reached its `expires_after`, or the
 * default branch's config changed), so the audit shows it.
 */
export type LedgerEventKind = "signoff" | "revoke" | "invalidate" | "pushed" | "unlabel" | "relabel" | "expire" | "reevaluate";

/** Kinds that are about the PR as a whole rather than a gate. */
export const PR_EVENT_KINDS: readonly LedgerEventKind[] = ["pushed", "unlabel", "relabel"];

/** The gate of a `reevaluate` event, which concerns every gate. */
export const ALL_GATES = "*";

export interface LedgerEvent {
  kind: LedgerEventKind;
  /** GitHub login of the person (or the app, for invalidations). */
  actor: string;
  /**
   * The actor's numeric GitHub user id, when known. Logins can be renamed and re-registered;
   * ids cannot, so a sign-off counts only while its login still belongs to this id.
   * Ledgers written before ids were recorded have none.
   */
  actorId?: number;
  /** The owner role the actor signed as (the gate's owner role); for `unlabel`/`relabel`, the remover's standing. */
  role: string;
  gate: string;
  /** The item id, or undefined for the whole gate. */
  item?: string;
  /** The PR head SHA the event was given on. */
  sha: string;
  /** ISO-8601 timestamp. */
  at: string;
  method: SignOffMethod;
  /** Free text: a note, a revoke reason, or why an invalidation happened. */
  note?: string;
  /** Evidence URL. */
  url?: string;
  /** Metric evidence, e.g. { uptime_percent: 99.95 }. */
  metrics?: Record<string, number>;
  /** For invalidations: the changed files that matched the gate's paths (truncated). */
  files?: string[];
  /**
   * The comment or review a command came from (`comment:<id>`, `review:<id>`). GitHub may deliver
   * a command again (a redelivery after a failed answer), so a command already recorded is not applied twice.
   */
  source?: string;
}

/**
 * Older events rolled out of the check run's block into an archive check run that only the App
 * writes ("Gatehouse ledger archive"), so a long history never overflows the 65,535-char text.
 */
export interface LedgerArchiveRef {
  checkRunId: number;
  /** sha256 (base64url) of the archive run's block, so a run cannot be swapped for another. */
  digest: string;
  /** How many events the archive run holds. */
  events: number;
}

export interface Ledger {
  /** Format version of the encoded block. */
  version: 1;
  /** The PR the ledger belongs to; a ledger never moves between PRs. */
  pr: number;
  /** Every event, oldest first, including the archived ones (the first `archivedCount` events). */
  events: LedgerEvent[];
  /** The archive runs holding the oldest events, in order; absent when nothing was archived. */
  archive?: LedgerArchiveRef[];
}

/** How many of `ledger.events` live in archive runs rather than in the main block. */
export function archivedCount(ledger: Ledger): number {
  return (ledger.archive ?? []).reduce((n, ref) => n + ref.events, 0);
}

export function emptyLedger(pr: number): Ledger {
  return { version: 1, pr, events: [] };
}

export function appendEvents(ledger: Ledger, events: LedgerEvent[]): Ledger {
  // The same ledger when nothing is appended, so what was judged or encoded for it still holds.
  if (events.length === 0) return ledger;
  return { ...ledger, events: [...ledger.events, ...events] };
}
