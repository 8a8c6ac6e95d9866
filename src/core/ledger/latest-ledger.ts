import type { Ledger } from "./ledger.js";

/**
 * A PR's ledger is one append-only history across all its heads: every write holds everything
 * the previous one held plus new events. So of two copies found on GitHub (the head's own run,
 * the previous head's run), the newer one is the one written later: the one whose last event is
 * later, and on a tie the one with more events. On a full tie they are the same ledger and `a`
 * (the caller's preference) wins.
 */
export function isNewerLedger(b: Ledger, a: Ledger): boolean {
  const last = (l: Ledger) => (l.events.length === 0 ? -Infinity : Date.parse(l.events[l.events.length - 1]!.at));
  const [ta, tb] = [last(a), last(b)];
  if (tb !== ta) return tb > ta;
  return b.events.length > a.events.length;
}
