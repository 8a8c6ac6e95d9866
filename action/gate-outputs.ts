import type { SignOffMethod } from "../src/core/ledger/ledger.js";
import type { Verdict } from "../src/core/evaluate/verdict.js";

/** One entry of the `pending-gates` output. */
export interface PendingGate {
  gate: string;
  title: string;
  owners: string[];
  reason: string;
  /** Required items not signed yet (pending, expired, invalidated or lacking evidence). */
  items: string[];
}

/** One entry of the `signoffs` output: a sign-off that counts for this release. */
export interface CountedSignoff {
  gate: string;
  item: string;
  actor: string;
  role: string;
  at: string;
  sha: string;
  method: SignOffMethod;
  note?: string;
  url?: string;
  metrics?: Record<string, number>;
}

/** Required gates that are not approved, for the `pending-gates` output and the failure message. */
export function pendingGates(verdict: Verdict): PendingGate[] {
  return verdict.gates
    .filter((gate) => gate.required && gate.status !== "approved")
    .map((gate) => ({
      gate: gate.gate.id,
      title: gate.gate.title,
      owners: gate.owners,
      reason: gate.reason,
      items: gate.items.filter((item) => item.required && item.status !== "signed").map((item) => item.item.id),
    }));
}

/** Who signed what, when and at which SHA: every signed item, required or optional. */
export function countedSignoffs(verdict: Verdict): CountedSignoff[] {
  return verdict.gates.flatMap((gate) =>
    gate.items.flatMap((item) => {
      const event = item.signoff;
      if (item.status !== "signed" || !event) return [];
      return [
        {
          gate: gate.gate.id,
          item: item.item.id,
          actor: event.actor,
          role: event.role,
          at: event.at,
          sha: event.sha,
          method: event.method,
          ...(event.note !== undefined ? { note: event.note } : {}),
          ...(event.url !== undefined ? { url: event.url } : {}),
          ...(event.metrics !== undefined ? { metrics: event.metrics } : {}),
        },
      ];
    }),
  );
}
