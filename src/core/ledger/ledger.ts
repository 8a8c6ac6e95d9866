/**
 * The ledger: an append-only list of events about one release PR. The authoritative copy
 * lives in the App's own check run (see ledger-codec.ts); everything else is a view of it.
 */

/** How a sign-off or revoke reached the App. `push` marks invalidations made on synchronize. */
export type SignOffMethod = "tick" | "command" | "button" | "review" | "push";

export type LedgerEventKind = "signoff" | "revoke" | "invalidate";

export interface LedgerEvent {
  kind: LedgerEventKind;
  /** GitHub login of the person (or the app, for invalidations). */
  actor: string;
  /** The owner role the actor signed as (the gate's owner role). */
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
