/**
 * The ledger: an append-only list of events about one release PR. The authoritative copy
 * lives in the App's own check run (see ledger-codec.ts); everything else is a view of it.
 */

/**
 * How an event reached the App. `push` marks invalidations and pushes seen on synchronize,
 * `recheck` a sign-off withdrawn because its signer no longer qualifies, `label` a label change.
 */
export type SignOffMethod = "tick" | "command" | "button" | "review" | "push" | "recheck" | "label";

/**
 * `pushed` records who pushed a head (they may not sign, unless `allow_author`);
 * `unlabel` an allowed removal of the release label (the PR stops being gated);
 * `relabel` a removal Gatehouse reverted because the remover may not un-gate the PR.
 * These three concern the PR, not a gate: their `gate` and `role` may be empty.
 */
export type LedgerEventKind = "signoff" | "revoke" | "invalidate" | "pushed" | "unlabel" | "relabel";

/** Kinds that are about the PR as a whole rather than a gate. */
export const PR_EVENT_KINDS: readonly LedgerEventKind[] = ["pushed", "unlabel", "relabel"];

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
}

export interface Ledger {
  /** Format version of the encoded block. */
  version: 1;
  /** The PR the ledger belongs to; a ledger never moves between PRs. */
  pr: number;
  events: LedgerEvent[];
}

export function emptyLedger(pr: number): Ledger {
  return { version: 1, pr, events: [] };
}

export function appendEvents(ledger: Ledger, events: LedgerEvent[]): Ledger {
  return { ...ledger, events: [...ledger.events, ...events] };
}
