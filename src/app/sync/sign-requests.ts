import type { Gate, Item } from "../../core/config/checklist-schema.js";
import { escapeMarkdown } from "../../core/render/escape.js";
import type { LedgerEvent, SignOffMethod } from "../../core/ledger/ledger.js";
import { describeThreshold, meetsThreshold, parseThreshold } from "../../core/evaluate/threshold.js";
import type { GitHubClient } from "../../github/client.js";
import type { TeamMembership } from "../../github/team-membership.js";
import { authorize, type Authorization, type Signer } from "./authorize.js";
import type { Change, ChangeView } from "./sync-types.js";

/** One thing a person asked for: by ticking a box, a command, or the button. */
export interface SignRequest {
  kind: "signoff" | "revoke";
  gate: string;
  item?: string;
  url?: string;
  note?: string;
  metrics?: Record<string, number>;
  method: SignOffMethod;
  /** The comment or review a command came from, recorded so a redelivered command is applied once. */
  source?: string;
}

export interface SignResult {
  request: SignRequest;
  accepted: boolean;
  reason?: string;
}

const ACTIONS: Record<SignOffMethod, string> = {
  tick: "tick",
  command: "command",
  button: "button click",
  review: "review command",
  push: "push",
  recheck: "re-check",
  label: "label change",
  system: "Gatehouse itself",
};

/**
 * Turns requests into ledger events, recorded at the commit the signer saw. Each request is
 * authorised on its own; a rejected one becomes a notice that says why and who can sign, and
 * never an event.
 */
export async function buildSignEvents(
  gh: GitHubClient,
  membership: TeamMembership,
  view: ChangeView,
  signer: Signer,
  requests: SignRequest[],
  now: Date,
  /** The commit the signer saw (a review's commit, a clicked run's head); defaults to the PR's head. */
  seenSha: string = view.pr.headSha,
): Promise<Change & { results: SignResult[] }> {
  const events: LedgerEvent[] = [];
  const notices: string[] = [];
  const results: SignResult[] = [];
  const authorizations = new Map<string, Authorization>();
  if (signer.id !== undefined) membership.rememberUserId(signer.login, signer.id);

  for (const request of requests) {
    const target = request.item ? `${request.gate}.${request.item}` : request.gate;
    const reject = (reason: string) => {
      results.push({ request, accepted: false, reason });
      notices.push(`❌ @${signer.login}'s ${ACTIONS[request.method]} on \`${escapeMarkdown(target)}\` was not counted: ${reason}`);
    };
    const gate = view.checklist.gates.find((g) => g.id === request.gate);
    if (!gate) {
      reject(`there is no gate "${escapeMarkdown(request.gate)}" (gates: ${view.checklist.gates.map((g) => g.id).join(", ")}).`);
      continue;
    }
    const item = request.item === undefined ? undefined : gate.items.find((i) => i.id === request.item);
    if (request.item !== undefined && !item) {
      reject(`gate ${gate.id} has no item "${escapeMarkdown(request.item)}" (items: ${gate.items.map((i) => i.id).join(", ")}).`);
      continue;
    }
    let auth = authorizations.get(gate.id);
    if (!auth) {
      auth = await authorize(gh, membership, { config: view.config, gate, signer, pr: view.pr, events: view.ledger.events });
      authorizations.set(gate.id, auth);
    }
    if (!auth.ok) {
      reject(auth.reason);
      continue;
    }
    if (request.kind === "signoff" && item) {
      const missing = evidenceProblem(gate, item, request);
      if (missing) {
        reject(missing);
        continue;
      }
    }
    // Re-ticking a signed box or unticking an empty one changes nothing; don't grow the ledger.
    // A command already recorded (GitHub delivered it again) is acknowledged, not applied twice.
    if ((request.method === "tick" && item && alreadyInState(view, gate.id, item.id, request.kind)) || alreadyRecorded(view, request)) {
      results.push({ request, accepted: true });
      continue;
    }
    events.push({
      kind: request.kind,
      actor: signer.login,
      ...(signer.id !== undefined ? { actorId: signer.id } : {}),
      role: auth.role,
      gate: gate.id,
      ...(item ? { item: item.id } : {}),
      sha: seenSha,
      at: now.toISOString(),
      method: request.method,
      ...(request.note ? { note: request.note } : {}),
      ...(request.url ? { url: request.url } : {}),
      ...(request.metrics && Object.keys(request.metrics).length ? { metrics: request.metrics } : {}),
      ...(request.source ? { source: request.source } : {}),
    });
    results.push({ request, accepted: true });
  }
  return { events, notices, results };
}

function evidenceProblem(gate: Gate, item: Item, request: SignRequest): string | undefined {
  const how = `sign it with \`/signoff ${gate.id}.${item.id}`;
  if (item.evidence?.link && !request.url) return `this item needs a link to evidence: ${how} <URL>\`.`;
  if (item.evidence?.metric) {
    const threshold = parseThreshold(item.evidence.metric);
    if (!threshold) return `the checklist's threshold "${escapeMarkdown(item.evidence.metric)}" is invalid; fix the checklist.`;
    const value = request.metrics?.[threshold.metric];
    if (value === undefined)
      return `this item needs the measured value: ${how} ${threshold.metric}=<value>\` (${escapeMarkdown(describeThreshold(threshold))}).`;
    if (!meetsThreshold(threshold, value)) {
      return `${threshold.metric}=${value} does not meet ${escapeMarkdown(describeThreshold(threshold))}.`;
    }
  }
  return undefined;
}

function alreadyRecorded(view: ChangeView, request: SignRequest): boolean {
  if (request.source === undefined) return false;
  return view.ledger.events.some(
    (e) => e.source === request.source && e.kind === request.kind && e.gate === request.gate && e.item === request.item,
  );
}

function alreadyInState(view: ChangeView, gateId: string, itemId: string, kind: "signoff" | "revoke"): boolean {
  const item = view.verdict.gates.find((g) => g.gate.id === gateId)?.items.find((i) => i.item.id === itemId);
  if (!item) return false;
  return kind === "signoff" ? item.status === "signed" : item.status !== "signed" && item.signoff === undefined;
}
