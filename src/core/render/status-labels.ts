import type { GateStatus, GateVerdict, ItemStatus, VerdictStatus } from "../evaluate/verdict.js";

/** How each status reads in comments, check runs and job summaries. */
export const VERDICT_LABEL: Record<VerdictStatus, string> = {
  approved: "✅ Approved",
  pending: "⏳ Pending",
  error: "❌ Error",
};

export const GATE_LABEL: Record<GateStatus, string> = {
  approved: "✅ approved",
  pending: "⏳ pending",
  optional: "➖ optional",
};

export const ITEM_LABEL: Record<ItemStatus, string> = {
  signed: "✅ signed",
  pending: "⬜ pending",
  expired: "⌛ expired",
  invalidated: "♻️ invalidated",
  evidence_missing: "⚠️ evidence missing",
  below_threshold: "⚠️ below threshold",
};

/** The emoji alone, for headings. */
export function gateEmoji(status: GateStatus): string {
  return GATE_LABEL[status].split(" ")[0]!;
}

/**
 * Signed items out of the items that count: the required ones for a required gate, all of them
 * for an optional gate (or a required gate without required items). `onlyRequired` is true when
 * some items are left out of the count because they are optional.
 */
export function signedCount(gate: GateVerdict): { signed: number; total: number; onlyRequired: boolean } {
  const required = gate.items.filter((i) => i.required);
  const counted = gate.required && required.length > 0 ? required : gate.items;
  return {
    signed: counted.filter((i) => i.status === "signed").length,
    total: counted.length,
    onlyRequired: counted.length < gate.items.length,
  };
}
