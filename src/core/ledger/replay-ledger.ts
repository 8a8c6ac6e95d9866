import type { Checklist } from "../config/checklist-schema.js";
import type { LedgerEvent } from "./ledger.js";

/** Where one item stands after replaying the ledger. */
export interface ItemState {
  /** The sign-off that currently stands (not revoked or invalidated since). */
  signoff?: LedgerEvent;
  /** Why nothing stands, when something once did or was tried; reset by a counting sign-off. */
  lapse?:
    | { kind: "revoked" | "invalidated"; by: LedgerEvent; signoff?: LedgerEvent }
    | { kind: "ignored"; signoff: LedgerEvent; why: string };
}

/** gate id → item id → state, for every gate and item of the checklist. */
export type LedgerState = Map<string, Map<string, ItemState>>;

/**
 * Replays the ledger's events in order against the checklist:
 * - `signoff` with an item signs that item; without one it signs every item of the gate that needs no evidence;
 * - `revoke` clears the item, or the whole gate;
 * - `invalidate` clears the standing sign-offs of the item, or of the whole gate.
 * Events about gates or items the checklist no longer has are skipped, as are events about the PR
 * as a whole (pushed, unlabel, relabel).
 * @param ignore returns why a sign-off does not count (e.g. the PR author made it), or undefined when it counts.
 * @param only replays just these gates (the others keep their empty state): what evaluateAppended re-judges.
 */
export function replayLedger(
  checklist: Checklist,
  events: readonly LedgerEvent[],
  ignore: (signoff: LedgerEvent) => string | undefined = () => undefined,
  only?: ReadonlySet<string>,
): LedgerState {
  const state: LedgerState = new Map(
    checklist.gates.map((gate) => [gate.id, new Map(gate.items.map((item) => [item.id, {} as ItemState]))]),
  );
  for (const event of events) {
    if (only !== undefined && !only.has(event.gate)) continue;
    const gate = checklist.gates.find((g) => g.id === event.gate);
    const items = state.get(event.gate);
    if (gate === undefined || items === undefined) continue;
    const targets =
      event.item !== undefined
        ? gate.items.filter((i) => i.id === event.item)
        : event.kind === "signoff"
          ? gate.items.filter((i) => i.evidence?.link !== true && i.evidence?.metric === undefined)
          : gate.items;
    for (const target of targets) {
      const current = items.get(target.id) as ItemState;
      items.set(target.id, apply(current, event, ignore));
    }
  }
  return state;
}

function apply(current: ItemState, event: LedgerEvent, ignore: (e: LedgerEvent) => string | undefined): ItemState {
  switch (event.kind) {
    case "signoff": {
      const why = ignore(event);
      if (why === undefined) return { signoff: event };
      return current.signoff !== undefined ? current : { lapse: { kind: "ignored", signoff: event, why } };
    }
    case "revoke":
      return { lapse: { kind: "revoked", by: event, signoff: current.signoff } };
    case "invalidate":
      // Only a sign-off that stood can be invalidated; an item nobody signed stays plainly pending.
      if (current.signoff === undefined) return current;
      return { lapse: { kind: "invalidated", by: event, signoff: current.signoff } };
    case "pushed":
    case "unlabel":
    case "relabel":
    case "expire":
    case "reevaluate":
      // Records of what the App saw; evaluation judges expiry and config itself.
      return current;
  }
}
