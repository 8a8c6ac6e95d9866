import { ID_PATTERN, type Item } from "../config/checklist-schema.js";
import { escapeMarkdown } from "./escape.js";
import { parseThreshold } from "../evaluate/threshold.js";
import type { Verdict } from "../evaluate/verdict.js";

/**
 * The comment's "How to sign off" footer: ticks, /signoff and /revoke with examples built from
 * this checklist's own ids (so they can be copied as they are), and the check run's button.
 */
export function renderSignOffHelp(verdict: Verdict, checkName: string): string {
  const examples = signOffExamples(verdict);
  const check = escapeMarkdown(checkName);
  return [
    "---",
    "",
    "#### How to sign off",
    "",
    "Only the owners listed for a gate can sign its items, and by default not the PR's author.",
    "",
    "- **Tick a box** to sign that item; untick it to revoke. A tick or untick by anyone else is reverted, and Gatehouse replies saying who can sign.",
    `- **Comment** \`/signoff gate.item [note or URL] [metric=value]\`, e.g. ${examples.join(", ")}. ` +
      "`/signoff gate` signs every item of the gate that needs no evidence.",
    "- **Revoke** with `/revoke gate.item [reason]`, or `/revoke gate` for the whole gate.",
    `- **Click** _Sign off my gates_ on the **${check}** check run (Checks tab) to sign every unsigned item of your gates that needs no link or metric.`,
    "",
    "Commands work in PR comments and review bodies, one per line, outside code blocks and quotes.",
  ].join("\n");
}

/** Examples built from this checklist's own ids, preferring unsigned items of pending gates. */
function signOffExamples(verdict: Verdict): string[] {
  type Candidate = { gate: string; item: Item; open: boolean };
  const gates = [...verdict.gates.filter((g) => g.status === "pending"), ...verdict.gates.filter((g) => g.status !== "pending")];
  const items: Candidate[] = gates.flatMap((g) => g.items.map((i) => ({ gate: g.gate.id, item: i.item, open: i.status !== "signed" })));
  const pick = (test: (i: Candidate) => boolean) => items.find((i) => i.open && test(i)) ?? items.find(test);
  const threshold = (i: Candidate) => parseThreshold(i.item.evidence?.metric ?? "");
  const example = (i: Candidate, args = "") => commandCode("/signoff", i.gate, i.item.id, args);

  const examples: string[] = [];
  const plain = pick((i) => !i.item.evidence?.link && !i.item.evidence?.metric);
  if (plain) examples.push(example(plain));
  const link = pick((i) => Boolean(i.item.evidence?.link));
  if (link) examples.push(example(link, "https://example.com/report"));
  // Prefer a threshold whose own value is a valid example (>=, <=, ==); otherwise show a placeholder.
  const inclusive = (i: Candidate) => ["<=", ">=", "=="].includes(threshold(i)?.op ?? "");
  const metric = pick(inclusive) ?? pick((i) => threshold(i) !== undefined);
  const t = metric && threshold(metric);
  if (metric && t) examples.push(example(metric, `${t.metric}=${inclusive(metric) ? t.value : "<value>"}`));
  return examples.length > 0 ? examples : ["`/signoff security.waf`"];
}

/** A command as inline code, e.g. `/signoff security.<item>`; ids that are not plain ids fall back to placeholders. */
export function commandCode(word: string, gate: string, item?: string, args = ""): string {
  const gateId = ID_PATTERN.test(gate) ? gate : "gate";
  const itemId = item === undefined ? "" : ID_PATTERN.test(item) || item === "<item>" ? `.${item}` : ".item";
  return `\`${[`${word} ${gateId}${itemId}`, args.replace(/`/g, "")].filter(Boolean).join(" ")}\``;
}
