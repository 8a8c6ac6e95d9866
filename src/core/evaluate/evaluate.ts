/**
 * src/core/evaluate owns verdicts: which gates a release needs, whether each is approved at a
 * commit (thresholds, expiry, four eyes, commit binding), and the reason shown for each.
 */
import type { Checklist, Gate, Item, Phase } from "../config/checklist-schema.js";
import type { RepoConfig } from "../config/config-schema.js";
import { formatDuration, parseDuration } from "../config/duration.js";
import type { Ledger, LedgerEvent } from "../ledger/ledger.js";
import { sameLogin } from "../config/owner-ref.js";
import { contributionOf } from "./four-eyes.js";
import { replayLedger, type ItemState, type LedgerState } from "../ledger/replay-ledger.js";
import { meetsThreshold, parseThreshold, type Threshold } from "./threshold.js";
import type { GateVerdict, ItemStatus, ItemVerdict, PullRequestFacts, Verdict } from "./verdict.js";

export interface EvaluateInput {
  checklist: Checklist;
  config: RepoConfig;
  ledger: Ledger;
  pr: PullRequestFacts;
  /** The moment to judge expiry at; evaluation never reads the clock. */
  now: Date;
  /** Only these gates count as required (an Action input or a deployment environment). */
  gates?: string[];
}

/** For each gate, the ids of the items this release requires; absent when the gate is not required. */
type Requirements = Map<string, Set<string>>;

/**
 * Judges a release PR: replays the ledger against the checklist and says, with a reason at every
 * level, which items are signed, which gates are approved and whether the release may ship.
 * Pure and deterministic: `now` is a parameter.
 *
 * Status "error" (a `phase` the checklist lacks, an unknown gate in `gates`) still carries gate and
 * item verdicts, judged without the bad selection, so owners can see and sign what exists.
 */
export function evaluate(input: EvaluateInput): Verdict {
  const scope = selectionOf(input);
  const state = replay(input);
  const gates = input.checklist.gates.map((gate) => judge(gate, scope, state, input));
  return summarize(scope, gates, input.pr.headSha);
}

/**
 * `evaluate(input)`, judging again only the gates that events appended since `before` touch.
 * `before.verdict` must be `evaluate` of the same input with `before.ledger` (the same checklist,
 * config, PR facts, gate selection and clock), and `input.ledger` must extend that ledger. A tick
 * appends a sign-off or two to one gate, so the other gates' verdicts, and what was rendered for
 * them, are kept. Anything else (a push, which may bar any signer; a ledger that is not an
 * extension; a verdict in error) is judged in full.
 */
export function evaluateAppended(before: { ledger: Ledger; verdict: Verdict }, input: EvaluateInput): Verdict {
  const added = appendedSince(before.ledger.events, input.ledger.events);
  if (added === undefined || before.verdict.status === "error" || added.some((e) => e.kind === "pushed")) return evaluate(input);
  if (added.length === 0) return before.verdict;
  const touched = new Set(added.map((e) => e.gate));
  const scope = selectionOf(input);
  const state = replay(input, touched);
  const gates = before.verdict.gates.map((kept, i) => {
    const gate = input.checklist.gates[i];
    // A verdict judged on another checklist cannot be patched (the caller broke the contract).
    if (gate === undefined || kept.gate !== gate) throw new Error("evaluateAppended: the verdict before was judged on another checklist");
    return touched.has(gate.id) ? judge(gate, scope, state, input) : kept;
  });
  return summarize(scope, gates, input.pr.headSha);
}

/** The events `after` holds beyond `before`, or undefined when `after` does not start with the very same events. */
function appendedSince(before: readonly LedgerEvent[], after: readonly LedgerEvent[]): readonly LedgerEvent[] | undefined {
  if (after.length < before.length) return undefined;
  for (let i = 0; i < before.length; i++) if (after[i] !== before[i]) return undefined;
  return after.slice(before.length);
}

/** What the config and the caller select: the phase, the gate subset, each gate's required items, and problems with them. */
interface Selection {
  errors: string[];
  phase: Phase | undefined;
  subset: string[] | undefined;
  requirements: Requirements;
}

function selectionOf(input: EvaluateInput): Selection {
  const { checklist, config } = input;
  const errors: string[] = [];

  let phase: Phase | undefined;
  if (config.phase !== undefined) {
    phase = checklist.phases.find((p) => p.id === config.phase);
    if (phase === undefined) errors.push(unknownPhase(checklist, config.phase));
    else errors.push(...phaseProblems(checklist, phase));
  }
  if (errors.length > 0) phase = undefined;

  let subset = input.gates;
  if (subset !== undefined) {
    const unknown = subset.filter((id) => !checklist.gates.some((g) => g.id === id));
    if (unknown.length > 0) {
      errors.push(
        `unknown gate${unknown.length === 1 ? "" : "s"} ${unknown.map(quote).join(", ")} requested; ` +
          `checklist '${checklist.id}' has ${checklist.gates.map((g) => g.id).join(", ")}`,
      );
      subset = undefined;
    }
  }
  return { errors, phase, subset, requirements: requiredItems(checklist, phase, subset) };
}

function replay(input: EvaluateInput, only?: ReadonlySet<string>): LedgerState {
  const { checklist, config, ledger, pr } = input;
  return replayLedger(checklist, ledger.events, (signoff) => whyIgnored(signoff, checklist, config, pr, ledger.events), only);
}

function judge(gate: Gate, scope: Selection, state: LedgerState, input: EvaluateInput): GateVerdict {
  return judgeGate(gate, scope.requirements.get(gate.id), state.get(gate.id) as Map<string, ItemState>, input.config, input.now, scope);
}

function summarize(scope: Selection, gates: GateVerdict[], headSha: string): Verdict {
  const { phase, errors } = scope;
  const required = gates.filter((g) => g.required);
  const approved = required.filter((g) => g.status === "approved");
  const base = { phase, gates, approvedGates: approved.length, requiredGates: required.length, headSha };
  if (errors.length > 0) return { ...base, status: "error", reason: errors.join("; ") };
  if (required.length === 0) {
    return {
      ...base,
      status: "pending",
      reason:
        "no gate is required, so nothing can approve this release; " + "check `phase`, the gates' `required` flags or the gates selected",
    };
  }
  if (approved.length === required.length) {
    const reason = required.length === 1 ? "1 of 1 required gate approved" : `all ${required.length} required gates approved`;
    return { ...base, status: "approved", reason };
  }
  const waiting = required.filter((g) => g.status !== "approved").map((g) => g.gate.id);
  return {
    ...base,
    status: "pending",
    reason: `${approved.length} of ${plural(required.length, "required gate")} approved; waiting for ${waiting.join(", ")}`,
  };
}

/**
 * The items a signer could sign with a plain tick or button in the given gates: not yet counting
 * (pending, expired or invalidated) and needing no link or metric. Used by "Sign off my gates".
 */
export function signableItems(verdict: Verdict, gateIds: string[]): { gate: string; item: string }[] {
  const signable = new Set<ItemStatus>(["pending", "expired", "invalidated"]);
  return verdict.gates
    .filter((g) => gateIds.includes(g.gate.id))
    .flatMap((g) =>
      g.items.filter((i) => signable.has(i.status) && !needsEvidence(i.item)).map((i) => ({ gate: g.gate.id, item: i.item.id })),
    );
}

/** The teams and users configured for a role, e.g. ["@acme/security", "@dana"]; empty when none. */
export function ownersOf(config: RepoConfig, role: string): string[] {
  return Object.hasOwn(config.owners, role) ? (config.owners[role] ?? []) : [];
}

function requiredItems(checklist: Checklist, phase: Phase | undefined, subset: string[] | undefined): Requirements {
  const flagged = (gate: Gate) => new Set(gate.items.filter((i) => i.required).map((i) => i.id));
  const base: Requirements = new Map();
  if (phase === undefined) {
    for (const gate of checklist.gates) if (gate.required) base.set(gate.id, flagged(gate));
  } else {
    for (const gate of checklist.gates) if (phase.requires.gates.includes(gate.id)) base.set(gate.id, flagged(gate));
    for (const ref of phase.requires.items) {
      const [gateId, itemId] = splitItemRef(ref);
      const set = base.get(gateId) ?? new Set<string>();
      set.add(itemId);
      base.set(gateId, set);
    }
  }
  if (subset === undefined) return base;
  // A gate someone asked for is required even if the phase left it out; it then needs its flagged items.
  const selected: Requirements = new Map();
  for (const gate of checklist.gates) {
    if (subset.includes(gate.id)) selected.set(gate.id, base.get(gate.id) ?? flagged(gate));
  }
  return selected;
}

function judgeGate(
  gate: Gate,
  required: Set<string> | undefined,
  state: Map<string, ItemState>,
  config: RepoConfig,
  now: Date,
  selection: { phase: Phase | undefined; subset: string[] | undefined },
): GateVerdict {
  const items = gate.items.map((item) => judgeItem(gate, item, required?.has(item.id) ?? false, state.get(item.id) ?? {}, now));
  const owners = ownersOf(config, gate.owner);
  const invalidation = items
    .filter((i) => i.status === "invalidated")
    .map((i) => (state.get(i.item.id)!.lapse as { by: LedgerEvent }).by)
    .at(-1);
  const verdict = { gate, owners, items, ...(invalidation ? { invalidation } : {}) };

  if (required === undefined) {
    const signed = items.filter((i) => i.status === "signed").length;
    const reason = `${optionalBecause(selection)}; ${signed} of ${plural(items.length, "item")} signed`;
    return { ...verdict, required: false, status: "optional", reason };
  }
  const needed = items.filter((i) => i.required);
  const signed = needed.filter((i) => i.status === "signed");
  const progress = `${signed.length} of ${plural(needed.length, "item")} signed`;
  if (signed.length === needed.length) {
    const signers = [...new Set(signed.map((i) => `@${i.signoff?.actor}`))].join(", ");
    const reason = needed.length === 0 ? "approved: no item is required" : `approved by ${signers}: ${progress}`;
    return { ...verdict, required: true, status: "approved", reason };
  }
  const who = owners.length > 0 ? owners.join(", ") : `owners of role '${gate.owner}' (none configured: add owners.${gate.owner})`;
  const troubles = countTroubles(needed);
  const reason = `waiting for ${who}: ${progress}${troubles ? ` (${troubles})` : ""}`;
  return { ...verdict, required: true, status: "pending", reason };
}

function judgeItem(gate: Gate, item: Item, required: boolean, state: ItemState, now: Date): ItemVerdict {
  const ref = `${gate.id}.${item.id}`;
  const { signoff, lapse } = state;
  const [status, reason] =
    signoff === undefined
      ? notSigned(item, ref, lapse)
      : (expiryProblem(item, signoff, now) ?? evidenceProblem(item, ref, signoff) ?? signedReason(item, signoff));
  const shown = signoff ?? lapse?.signoff;
  return { item, required, status, reason, ...(shown ? { signoff: shown } : {}) };
}

type Judgement = [ItemStatus, string];

function notSigned(item: Item, ref: string, lapse: ItemState["lapse"]): Judgement {
  switch (lapse?.kind) {
    case "invalidated":
      return ["invalidated", lapse.by.note ?? `invalidated ${by(lapse.by)}`];
    case "revoked":
      return ["pending", `revoked ${by(lapse.by)}${lapse.by.note ? `: ${lapse.by.note}` : ""}`];
    case "ignored":
      return ["pending", lapse.why];
    case undefined: {
      const hint = evidenceHint(item, ref);
      return ["pending", hint ? `not signed yet; ${hint}` : "not signed yet"];
    }
  }
}

function expiryProblem(item: Item, signoff: LedgerEvent, now: Date): Judgement | undefined {
  if (item.expires_after === undefined) return undefined;
  const duration = parseDuration(item.expires_after);
  // A checklist that slipped past validation must not make a sign-off valid forever.
  if (duration === undefined) {
    return ["expired", `expires_after '${item.expires_after}' is not a duration like "90d"; fix the checklist`];
  }
  const expiry = Date.parse(signoff.at) + duration;
  // Written as !(<=) so an unreadable timestamp (NaN) counts as expired.
  if (!(now.getTime() <= expiry)) return ["expired", `expired on ${day(expiry)} (valid ${formatDuration(duration)})`];
  return undefined;
}

function evidenceProblem(item: Item, ref: string, signoff: LedgerEvent): Judgement | undefined {
  if (item.evidence?.link === true && !signoff.url) {
    return ["evidence_missing", `needs a link: sign with /signoff ${ref} <URL>`];
  }
  if (item.evidence?.metric === undefined) return undefined;
  const threshold = parseThreshold(item.evidence.metric);
  if (threshold === undefined) {
    return ["evidence_missing", `the checklist's metric '${item.evidence.metric}' is not a threshold; fix the checklist`];
  }
  const { metric } = threshold;
  const value = signoff.metrics?.[metric];
  if (value === undefined) return ["evidence_missing", `needs ${metric}: sign with /signoff ${ref} ${metric}=<value>`];
  if (!meetsThreshold(threshold, value)) {
    return ["below_threshold", `${metric} ${value} ${shortfall(threshold, value)} ${ascii(threshold)}`];
  }
  return undefined;
}

function signedReason(item: Item, signoff: LedgerEvent): Judgement {
  const scope = signoff.item === undefined ? " (whole gate)" : "";
  const duration = item.expires_after !== undefined ? parseDuration(item.expires_after) : undefined;
  const until = duration !== undefined ? `, valid until ${day(Date.parse(signoff.at) + duration)}` : "";
  return ["signed", `signed by @${signoff.actor} on ${day(signoff.at)} at ${short(signoff.sha)}${scope}${until}`];
}

function whyIgnored(
  signoff: LedgerEvent,
  checklist: Checklist,
  config: RepoConfig,
  pr: PullRequestFacts,
  events: readonly LedgerEvent[],
): string | undefined {
  const who = `signed by @${signoff.actor}`;
  if (!config.allow_author && sameLogin(signoff.actor, pr.author)) {
    return `${who}, the PR's author, which does not count: someone else must sign (allow_author is off)`;
  }
  // Four eyes: whoever wrote or pushed the change may not approve it either.
  const contribution = config.allow_author
    ? undefined
    : contributionOf({ login: signoff.actor, ...(signoff.actorId !== undefined ? { id: signoff.actorId } : {}) }, pr, events);
  if (contribution !== undefined) {
    return `${who}, who ${contribution}, which does not count: someone else must sign (allow_author is off)`;
  }
  const gate = checklist.gates.find((g) => g.id === signoff.gate);
  // A gate that changed owner must be signed again by the new owner role.
  if (gate !== undefined && signoff.role !== gate.owner) {
    return `${who} as ${signoff.role}, but the gate now belongs to ${gate.owner}; a ${gate.owner} owner must sign`;
  }
  return undefined;
}

function unknownPhase(checklist: Checklist, id: string): string {
  const known = checklist.phases.map((p) => p.id);
  return known.length > 0
    ? `phase ${quote(id)} is not in checklist '${checklist.id}'; its phases are ${known.join(", ")}`
    : `phase ${quote(id)} is set, but checklist '${checklist.id}' has no phases; remove \`phase\` from the config`;
}

function phaseProblems(checklist: Checklist, phase: Phase): string[] {
  const problems: string[] = [];
  for (const id of phase.requires.gates) {
    if (!checklist.gates.some((g) => g.id === id)) problems.push(`phase '${phase.id}' requires unknown gate ${quote(id)}`);
  }
  for (const ref of phase.requires.items) {
    const [gateId, itemId] = splitItemRef(ref);
    const gate = checklist.gates.find((g) => g.id === gateId);
    if (!gate?.items.some((i) => i.id === itemId)) problems.push(`phase '${phase.id}' requires unknown item ${quote(ref)}`);
  }
  return problems;
}

function optionalBecause(selection: { phase: Phase | undefined; subset: string[] | undefined }): string {
  if (selection.subset !== undefined) return `optional: only ${selection.subset.join(", ") || "no gates"} checked here`;
  if (selection.phase !== undefined) return `optional: phase '${selection.phase.id}' does not require it`;
  return "optional: the checklist does not require it";
}

function countTroubles(items: ItemVerdict[]): string {
  const labels: [ItemStatus, string][] = [
    ["expired", "expired"],
    ["invalidated", "invalidated"],
    ["evidence_missing", "missing evidence"],
    ["below_threshold", "below threshold"],
  ];
  return labels
    .map(([status, label]) => [items.filter((i) => i.status === status).length, label] as const)
    .filter(([count]) => count > 0)
    .map(([count, label]) => `${count} ${label}`)
    .join(", ");
}

function evidenceHint(item: Item, ref: string): string | undefined {
  if (item.evidence?.link === true) return `needs a link: sign with /signoff ${ref} <URL>`;
  const threshold = item.evidence?.metric !== undefined ? parseThreshold(item.evidence.metric) : undefined;
  if (threshold) return `needs ${ascii(threshold)}: sign with /signoff ${ref} ${threshold.metric}=<value>`;
  return undefined;
}

function needsEvidence(item: Item): boolean {
  return item.evidence?.link === true || item.evidence?.metric !== undefined;
}

function shortfall(t: Threshold, value: number): string {
  if (value < t.value) return "is below";
  if (value > t.value) return "is above";
  return "does not meet";
}

/** The threshold as the checklist's author writes it, e.g. "uptime_percent >= 99.9". */
function ascii(t: Threshold): string {
  return `${t.metric} ${t.op} ${t.value}`;
}

function splitItemRef(ref: string): [string, string] {
  const dot = ref.indexOf(".");
  return dot === -1 ? [ref, ""] : [ref.slice(0, dot), ref.slice(dot + 1)];
}

function by(event: LedgerEvent): string {
  return `by @${event.actor} on ${day(event.at)}`;
}

function day(at: string | number): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? "an unknown date" : date.toISOString().slice(0, 10);
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function quote(s: string): string {
  return JSON.stringify(s);
}
