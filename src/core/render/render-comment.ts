/**
 * src/core/render owns everything Gatehouse writes for people: the comment, check runs, job
 * summaries and deployment reviews, with every user or config string escaped and fitted to GitHub's limits.
 */
import type { Checklist } from "../config/checklist-schema.js";
import { COMMENT_MARKER, itemKey, itemMarker } from "./comment-markers.js";
import { OWNER_PATTERN } from "../config/config-schema.js";
import { parseDuration } from "../config/duration.js";
import { codeId, escapeHtml, escapeMarkdown, markdownLink } from "./escape.js";
import { memoByIdentity } from "../identity-memo.js";
import { formatActor, formatDay, formatMetrics, formatSha } from "./event-text.js";
import { gateEmoji, ITEM_LABEL, signedCount, VERDICT_LABEL } from "./status-labels.js";
import { COMMENT_MAX_LENGTH, fitLines } from "./text-budget.js";
import { commandCode, renderSignOffHelp } from "./sign-off-help.js";
import { describeThreshold, parseThreshold } from "../evaluate/threshold.js";
import type { GateVerdict, ItemVerdict, Verdict } from "../evaluate/verdict.js";

export interface RenderCommentInput {
  verdict: Verdict;
  checklist: Checklist;
  /** Pre-rendered Markdown from the App (e.g. what a push invalidated). Not escaped. */
  notices?: string[];
  /** @-mention the owners of pending required gates (only when the App means to notify them). */
  mentionOwners: boolean;
  /** Shown in the title; defaults to "Gatehouse". */
  appName?: string;
  /** The check run that carries the "Sign off my gates" button; defaults to "Gatehouse". */
  checkName?: string;
  /** Defaults to GitHub's comment limit; tests pass smaller values. */
  maxLength?: number;
}

/** How much to show; renderComment lowers it step by step until the comment fits. */
interface Detail {
  /** Gate descriptions, item guidance and help links, sign-off notes. */
  guidance: boolean;
  /** Boxes for approved and optional gates (otherwise one summary line each). */
  settledBoxes: boolean;
  /** Unsigned boxes shown per pending gate; when finite, signed boxes of pending gates are hidden too. */
  pendingBoxes: number;
}

interface Parts {
  head: string;
  gates: { pending: boolean; text: string }[];
  foot: string;
}

const FULL: Detail = { guidance: true, settledBoxes: true, pendingBoxes: Infinity };

/**
 * Renders the checklist comment: the marker line, the overall status, one section per gate with a
 * task list whose boxes mirror the verdict (signed ticked, everything else unticked, so a
 * re-render reverts any tick the ledger did not accept), and a "How to sign off" footer.
 * Approved and optional gates are folded. Every user and config string is escaped.
 *
 * Fits in `maxLength` (65,536) by dropping guidance, then the boxes of approved and optional
 * gates, then showing only the first N unsigned boxes per pending gate; every pending gate keeps
 * its heading and a line saying how to sign the hidden items.
 */
export function renderComment(input: RenderCommentInput): string {
  const max = input.maxLength ?? COMMENT_MAX_LENGTH;
  const levels: Detail[] = [FULL, { ...FULL, guidance: false }, { guidance: false, settledBoxes: false, pendingBoxes: Infinity }];
  for (const detail of levels) {
    const text = join(renderParts(input, detail));
    if (text.length <= max) return text;
  }

  // Largest N unsigned boxes per pending gate that fits; the length grows with N.
  const longest = Math.max(0, ...input.verdict.gates.map((g) => g.items.filter((i) => i.status !== "signed").length));
  let fits: string | undefined;
  let low = 0;
  let high = longest;
  while (low <= high) {
    const n = Math.floor((low + high) / 2);
    const text = join(renderParts(input, { guidance: false, settledBoxes: false, pendingBoxes: n }));
    if (text.length <= max) {
      fits = text;
      low = n + 1;
    } else {
      high = n - 1;
    }
  }
  if (fits !== undefined) return fits;

  // Too many gates even without boxes: keep pending gates first, then cut whole gates.
  const parts = renderParts(input, { guidance: false, settledBoxes: false, pendingBoxes: 0 });
  const ordered = [...parts.gates.filter((g) => g.pending), ...parts.gates.filter((g) => !g.pending)].map((g) => g.text);
  const budget = max - parts.head.length - parts.foot.length - 4;
  const gates = fitLines(
    ordered,
    budget,
    (n) => `_…and ${n} more gates are hidden to fit GitHub's comment size limit. The ${checkName(input)} check run lists them all._`,
    "\n\n",
  );
  return fitLines(join({ ...parts, gates: [{ pending: true, text: gates }] }).split("\n"), max, () => "…");
}

/**
 * The boxes renderComment shows when the comment fits at full detail, by `gate.item`: every item
 * of every gate, ticked when signed (renderItemLine). A tick that only adds a sign-off can be judged
 * against them without rendering the comment it defers.
 */
export function fullDetailBoxes(verdict: Verdict): Map<string, boolean> {
  const boxes = new Map<string, boolean>();
  for (const gate of verdict.gates) {
    for (const item of gate.items) {
      const key = itemKey(gate.gate.id, item.item.id);
      if (!boxes.has(key)) boxes.set(key, item.status === "signed");
    }
  }
  return boxes;
}

function join(parts: Parts): string {
  return `${[parts.head, ...parts.gates.map((g) => g.text), parts.foot].join("\n\n")}\n`;
}

function checkName(input: RenderCommentInput): string {
  return escapeMarkdown(input.checkName ?? "Gatehouse");
}

function renderParts(input: RenderCommentInput, detail: Detail): Parts {
  return {
    head: renderHead(input, detail !== FULL),
    gates: input.verdict.gates.map((gate) => {
      const pending = gate.status === "pending";
      return {
        pending,
        text:
          detail === FULL ? fullGate[input.mentionOwners ? "mentioning" : "plain"](gate) : renderGate(gate, input.mentionOwners, detail),
      };
    }),
    foot: renderSignOffHelp(input.verdict, input.checkName ?? "Gatehouse"),
  };
}

function renderGate(gate: GateVerdict, mentionOwners: boolean, detail: Detail): string {
  return gate.status === "pending" ? renderOpenGate(gate, mentionOwners, detail) : renderSettledGate(gate, detail);
}

/**
 * A gate's section at full detail, kept by gate verdict (with and without @-mentions): it depends on
 * nothing else, and a tick judges again only the gate it touched (evaluateAppended), so a
 * re-render formats that gate alone.
 */
const fullGate = {
  plain: memoByIdentity((gate: GateVerdict) => renderGate(gate, false, FULL)),
  mentioning: memoByIdentity((gate: GateVerdict) => renderGate(gate, true, FULL)),
};

function renderHead(input: RenderCommentInput, folded: boolean): string {
  const { verdict, checklist } = input;
  const title = `${escapeMarkdown(input.appName ?? "Gatehouse")} · ${escapeMarkdown(checklist.title, { maxLength: 200 })}`;
  const lines = [COMMENT_MARKER, `## 🚦 ${title}`, ""];
  const status =
    verdict.status !== "error" && verdict.requiredGates > 0
      ? verdict.status === "approved"
        ? `all ${verdict.requiredGates} required ${plural(verdict.requiredGates, "gate")} approved`
        : `${verdict.approvedGates} of ${verdict.requiredGates} required ${plural(verdict.requiredGates, "gate")} approved`
      : escapeMarkdown(verdict.reason, { maxLength: 500 });
  const sha = verdict.headSha ? ` · at ${formatSha(verdict.headSha)}` : "";
  lines.push(`**${VERDICT_LABEL[verdict.status]}** · ${status}${sha}`);
  if (verdict.phase) {
    const phase = verdict.phase;
    lines.push("", `**Phase:** ${escapeMarkdown(phase.name, { maxLength: 100 })} — ${escapeMarkdown(phase.scope, { maxLength: 300 })}`);
  }
  for (const notice of input.notices ?? []) lines.push("", notice);
  if (folded) {
    lines.push(
      "",
      "> [!NOTE]",
      "> This checklist is too long for one GitHub comment, so some details and boxes are hidden. " +
        "Every item can still be signed with `/signoff gate.item`; the gate and item ids are in the " +
        `checklist ${codeId(checklist.id)}.`,
    );
  }
  return lines.join("\n");
}

/** A gate that still needs sign-offs: expanded, with its boxes. */
function renderOpenGate(gate: GateVerdict, mentionOwners: boolean, detail: Detail): string {
  const { signed, total, onlyRequired } = signedCount(gate);
  const mention = mentionOwners && gate.required;
  const lines = [
    `### ${gateEmoji(gate.status)} ${escapeMarkdown(gate.gate.title, { maxLength: 200 })}`,
    `${gate.required ? "**Required** · " : ""}**Owners:** ${renderOwners(gate.owners, mention)} · ` +
      `${signed} of ${total}${onlyRequired ? " required" : ""} ${plural(total, "item")} signed`,
  ];
  if (detail.guidance && gate.gate.description) lines.push(`_${escapeMarkdown(gate.gate.description, { maxLength: 500 })}_`);
  if (gate.invalidation) lines.push(renderInvalidation(gate));

  const unsigned = gate.items.filter((i) => i.status !== "signed");
  const shown = detail.pendingBoxes === Infinity ? gate.items : unsigned.slice(0, detail.pendingBoxes);
  if (shown.length > 0) lines.push("", ...shown.map((item) => renderItemLine(gate, item, detail)));
  const shownUnsigned = shown.filter((i) => i.status !== "signed").length;
  const hidden = unsigned.length - shownUnsigned;
  const signedHidden = gate.items.length - unsigned.length - (shown.length - shownUnsigned);
  if (hidden > 0 || signedHidden > 0) {
    const what = [
      hidden > 0 ? `${hidden}${shownUnsigned > 0 ? " more" : ""} unsigned ${plural(hidden, "item")}` : "",
      signedHidden > 0 ? `${signedHidden} signed ${plural(signedHidden, "item")}` : "",
    ]
      .filter(Boolean)
      .join(" and ");
    const how =
      hidden > 0
        ? ` Sign ${hidden === 1 ? "it" : "them"} with ${commandCode("/signoff", gate.gate.id, "<item>")}, ` +
          `or every item that needs no evidence with ${commandCode("/signoff", gate.gate.id)}.`
        : "";
    lines.push("", `_${shown.length > 0 ? "…and " : ""}${what} hidden to fit GitHub's comment size limit._${how}`);
  }
  if (detail.guidance) lines.push(...renderGuidance(gate));
  return lines.join("\n");
}

/** An approved or optional gate: folded, since nobody has to act on it. */
function renderSettledGate(gate: GateVerdict, detail: Detail): string {
  const { signed, total } = signedCount(gate);
  const state = gate.status === "approved" ? "approved" : "optional for this release";
  const counts = `${signed} of ${total} ${plural(total, "item")} signed`;
  const owners = renderOwners(gate.owners, false);
  if (!detail.settledBoxes) {
    return `${gateEmoji(gate.status)} **${escapeMarkdown(gate.gate.title, { maxLength: 200 })}** — ${state} · ${counts} · owners: ${owners}`;
  }
  const about = gate.status === "optional" ? ` · ${escapeMarkdown(gate.reason, { maxLength: 300 })}` : "";
  return [
    "<details>",
    `<summary>${gateEmoji(gate.status)} <b>${escapeHtml(gate.gate.title, { maxLength: 200 })}</b> — ${state} · ${counts}</summary>`,
    "",
    `**Owners:** ${owners}${about}`,
    ...(gate.invalidation ? [renderInvalidation(gate)] : []),
    "",
    ...gate.items.map((item) => renderItemLine(gate, item, detail)),
    ...(detail.guidance ? renderGuidance(gate) : []),
    "",
    "</details>",
  ].join("\n");
}

function renderInvalidation(gate: GateVerdict): string {
  const note = gate.invalidation?.note ?? "invalidated by a push";
  return `♻️ **Sign-offs reset:** ${escapeMarkdown(note, { maxLength: 500 })}`;
}

/** `- [x] Title · tags — status <!-- gatehouse:item gate.item -->`; the marker must end the line. */
function renderItemLine(gate: GateVerdict, verdict: ItemVerdict, detail: Detail): string {
  const { item, signoff } = verdict;
  let title = escapeMarkdown(item.title, { maxLength: 200 });
  const guide = detail.guidance && item.help_url ? markdownLink("guide", item.help_url) : undefined;
  if (guide) title += ` (${guide})`;
  const tags: string[] = [];
  if (gate.required && !verdict.required && gate.items.some((i) => i.required)) tags.push("_optional_");

  let status = "";
  if (verdict.status === "signed" && signoff) {
    const extras = [
      signoff.url ? markdownLink("evidence", signoff.url) : undefined,
      formatMetrics(signoff.metrics),
      validUntil(item.expires_after, signoff.at),
      detail.guidance && signoff.note ? `“${escapeMarkdown(signoff.note, { maxLength: 100 })}”` : undefined,
    ].filter((x): x is string => Boolean(x));
    status = ` — signed by ${formatActor(signoff.actor)} on ${formatDay(signoff.at)}${extras.map((x) => ` · ${x}`).join("")}`;
  } else {
    const needs = evidenceNeeds(item.evidence);
    if (needs) tags.push(needs);
    if (item.expires_after) tags.push(`valid for ${escapeMarkdown(item.expires_after, { maxLength: 20 })} once signed`);
    if (verdict.status === "invalidated" && gate.invalidation?.note !== undefined && verdict.reason.includes(gate.invalidation.note)) {
      // The gate already says which push invalidated it; don't repeat it on every line.
      status = " — ♻️ invalidated by that push, sign again";
    } else if (verdict.status !== "pending" || signoff) {
      const emoji = ITEM_LABEL[verdict.status].split(" ")[0];
      status = ` — ${emoji} ${escapeMarkdown(verdict.reason, { maxLength: 200 })}`;
    }
  }
  const box = verdict.status === "signed" ? "x" : " ";
  const text = [title, ...tags].join(" · ");
  return `- [${box}] ${text}${status} ${itemMarker(gate.gate.id, item.id)}`;
}

function evidenceNeeds(evidence: { link?: boolean; metric?: string } | undefined): string | undefined {
  if (!evidence) return undefined;
  const needs: string[] = [];
  if (evidence.link) needs.push("a link");
  if (evidence.metric) {
    const threshold = parseThreshold(evidence.metric);
    needs.push(escapeMarkdown(threshold ? describeThreshold(threshold) : evidence.metric, { maxLength: 100 }));
  }
  return needs.length > 0 ? `needs ${needs.join(" and ")}` : undefined;
}

function validUntil(expiresAfter: string | undefined, at: string): string | undefined {
  const ms = expiresAfter ? parseDuration(expiresAfter) : undefined;
  const signedAt = Date.parse(at);
  if (ms === undefined || Number.isNaN(signedAt)) return undefined;
  return `valid until ${formatDay(new Date(signedAt + ms).toISOString())}`;
}

function renderGuidance(gate: GateVerdict): string[] {
  const described = gate.items.filter((i) => i.item.description);
  if (described.length === 0) return [];
  return [
    "",
    "<details>",
    `<summary>Guidance for ${escapeHtml(gate.gate.title, { maxLength: 200 })}</summary>`,
    "",
    ...described.map(
      (i) => `- **${escapeMarkdown(i.item.title, { maxLength: 200 })}**: ${escapeMarkdown(i.item.description ?? "", { maxLength: 1000 })}`,
    ),
    "",
    "</details>",
  ];
}

/**
 * Owners as "@acme/security, @dana". Mentioned (raw) only when asked and the owner is a valid
 * team or login; otherwise escaped so it reads the same and notifies nobody.
 */
function renderOwners(owners: string[], mention: boolean): string {
  if (owners.length === 0) return "_none configured_";
  return owners.map((owner) => (mention && OWNER_PATTERN.test(owner) ? owner : escapeMarkdown(owner, { maxLength: 80 }))).join(", ");
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
