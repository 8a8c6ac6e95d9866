/**
 * src/core/parse owns reading what users write: ticks, commands, markdown blocks and merge queue
 * refs, each in linear time with a size cap.
 */
import { ID_PATTERN, type Checklist } from "../config/checklist-schema.js";
import { escapeMarkdown } from "../render/escape.js";
import { classifyLines, MAX_BODY_LENGTH } from "./markdown-blocks.js";
import { describeThreshold, METRIC_NAME_PATTERN, parseThreshold } from "../evaluate/threshold.js";

/** `/signoff <gate>[.<item>] [note or URL] [metric=value ...]` or `/revoke <gate>[.<item>] [reason]`. */
export interface GateCommand {
  kind: "signoff" | "revoke";
  gate: string;
  /** Absent for the whole gate. */
  item?: string;
  /** The first http(s) URL given to /signoff (evidence). */
  url?: string;
  /** The rest of the text: a note for /signoff, the reason for /revoke. */
  note?: string;
  /** `uptime_percent=99.95` → { uptime_percent: 99.95 }. Always empty for /revoke. */
  metrics: Record<string, number>;
  /** 1-based line of the body. */
  line: number;
}

/** A line that starts with /signoff or /revoke but cannot be understood; `error` is for the user. */
export interface InvalidCommand {
  kind: "invalid";
  line: number;
  /** The command line as written (trimmed, raw: escape it before rendering). */
  text: string;
  /** Safe to render as Markdown: user text in it is escaped. */
  error: string;
}

export type Command = GateCommand | InvalidCommand;

/** Longer notes belong in a linked document; the ledger has to fit in a check run. */
export const MAX_NOTE_LENGTH = 500;

const COMMAND_LINE = /^ {0,3}\/(signoff|revoke)(?=\s|$)(.*)$/i;
const METRIC_TOKEN = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
/** 99.95, -3, .5, 1e3, with an optional trailing % ; or a ratio like 3:1 or 4.5:1. */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const RATIO = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/;

/**
 * Finds the /signoff and /revoke commands in a PR comment or review body, one per line, each at
 * the start of its line. Lines in fenced code (``` or ~~~), indented code, blockquotes (including
 * text that continues a quoted paragraph) and HTML comments are ignored, since GitHub does not
 * show them as text the author wrote as a command. The command word is case-insensitive.
 *
 * A command line that cannot be understood gives an `invalid` entry with a message to show the
 * user; ids are checked for shape only (see checkCommandTarget for the checklist).
 */
export function parseCommands(body: string): Command[] {
  if (body.length > MAX_BODY_LENGTH) {
    // GitHub stores no longer comment, so this did not come from GitHub; say so if it looks like a command.
    if (!/^ {0,3}\/(?:signoff|revoke)/im.test(body)) return [];
    return [
      {
        kind: "invalid",
        line: 1,
        text: "",
        error: `the text is ${body.length} characters; GitHub allows at most ${MAX_BODY_LENGTH}, so Gatehouse does not read it.`,
      },
    ];
  }
  const commands: Command[] = [];
  for (const line of classifyLines(body)) {
    if (line.kind !== "text") continue;
    const match = COMMAND_LINE.exec(line.text);
    if (!match) continue;
    commands.push(parseCommand(match[1]!.toLowerCase() as GateCommand["kind"], match[2]!.trim(), line.number, line.text.trim()));
  }
  return commands;
}

function parseCommand(kind: GateCommand["kind"], rest: string, line: number, text: string): Command {
  const invalid = (error: string): InvalidCommand => ({ kind: "invalid", line, text, error });
  const usage =
    kind === "signoff"
      ? "Write `/signoff gate.item [note or URL] [metric=value]`, e.g. `/signoff security.waf`, or `/signoff security` for the whole gate."
      : "Write `/revoke gate.item [reason]`, e.g. `/revoke security.waf certificate expires next week`, or `/revoke security` for the whole gate.";
  const [target = "", ...args] = rest.split(/\s+/).filter(Boolean);
  if (target === "") return invalid(`\`/${kind}\` needs a gate or an item. ${usage}`);

  const ref = /^([^.]+)(?:\.([^.]+))?$/.exec(target.toLowerCase());
  if (!ref || !ID_PATTERN.test(ref[1]!) || (ref[2] !== undefined && !ID_PATTERN.test(ref[2]))) {
    return invalid(`“${quote(target)}” is not a gate or gate.item id (lowercase letters, digits, '-' and '_'). ${usage}`);
  }
  const command: GateCommand = { kind, gate: ref[1]!, metrics: {}, line };
  if (ref[2] !== undefined) command.item = ref[2];

  if (kind === "revoke") {
    // Everything after the target is the reason, as written.
    const reason = rest.slice(target.length).trim();
    if (reason.length > MAX_NOTE_LENGTH) return invalid(noteTooLong(reason.length));
    if (reason !== "") command.note = reason;
    return command;
  }

  const words: string[] = [];
  for (const token of args) {
    const url = command.url === undefined ? urlIn(token) : undefined;
    if (url !== undefined) {
      command.url = url;
      continue;
    }
    const metric = METRIC_TOKEN.exec(token);
    if (metric && !/^https?:/i.test(token)) {
      const name = metric[1]!.toLowerCase();
      const value = parseMetricValue(metric[2]!);
      if (!METRIC_NAME_PATTERN.test(name)) {
        return invalid(`“${quote(metric[1]!)}” is not a metric name (lowercase letters, digits and '_', e.g. \`uptime_percent\`).`);
      }
      if (value === undefined) {
        return invalid(
          `“${quote(token)}”: a metric value must be a number, e.g. \`${name}=99.95\` (a % sign or a ratio like 3:1 is fine).`,
        );
      }
      if (Object.hasOwn(command.metrics, name)) return invalid(`\`${name}\` is given twice; give each metric once.`);
      command.metrics[name] = value;
      continue;
    }
    words.push(token);
  }
  const note = words.join(" ");
  if (note.length > MAX_NOTE_LENGTH) return invalid(noteTooLong(note.length));
  if (note !== "") command.note = note;
  return command;
}

/** User text inside an error message, which the App shows on GitHub. */
function quote(text: string): string {
  return escapeMarkdown(text, { maxLength: 80 });
}

function noteTooLong(length: number): string {
  return `the note is ${length} characters; keep it under ${MAX_NOTE_LENGTH} and link to a document for more.`;
}

/** An http(s) URL written bare, as `<url>` or as a Markdown link `[text](url)`; trailing punctuation is not part of it. */
function urlIn(token: string): string | undefined {
  const link = /^\[[^\]]*\]\((https?:\/\/[^)\s]+)\)[.,;:!?]*$/i.exec(token);
  const candidate = trimUrlEnd(link ? link[1]! : token.replace(/^<(.*)>$/, "$1"));
  if (!/^https?:\/\//i.test(candidate)) return undefined;
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? candidate : undefined;
  } catch {
    return undefined;
  }
}

const TRAILING_PUNCTUATION = new Set([".", ",", ";", ":", "!", "?", "'", '"']);

/**
 * Drops trailing punctuation, then each closing parenthesis that has no opening one in the URL,
 * as GitHub's autolinker does. One pass from each end: a regex anchored at `$` or recounting
 * parentheses per character is quadratic on a token of 65,000 `)` or `.`.
 */
function trimUrlEnd(candidate: string): string {
  let end = candidate.length;
  while (end > 0 && TRAILING_PUNCTUATION.has(candidate[end - 1]!)) end -= 1;
  let unmatched = 0;
  for (let i = 0; i < end; i += 1) {
    if (candidate[i] === "(") unmatched -= 1;
    else if (candidate[i] === ")") unmatched += 1;
  }
  while (end > 0 && candidate[end - 1] === ")" && unmatched > 0) {
    end -= 1;
    unmatched -= 1;
  }
  return candidate.slice(0, end);
}

function parseMetricValue(raw: string): number | undefined {
  const text = raw.replace(/%$/, "");
  const ratio = RATIO.exec(text);
  const value = ratio ? Number(ratio[1]) / Number(ratio[2]) : NUMBER.test(text) ? Number(text) : Number.NaN;
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Checks a command against the checklist: the gate exists, the item exists in it, and a /signoff
 * of one item carries the evidence that item needs (a URL, the threshold's metric) and no metric
 * it does not take. Returns a message for the user, or undefined when the command can count.
 */
export function checkCommandTarget(command: GateCommand, checklist: Checklist): string | undefined {
  const gate = checklist.gates.find((g) => g.id === command.gate);
  if (!gate) return `there is no gate \`${command.gate}\`; the gates are ${list(checklist.gates.map((g) => g.id))}.`;
  if (command.item === undefined) return undefined;
  const item = gate.items.find((i) => i.id === command.item);
  if (!item) return `gate \`${gate.id}\` has no item \`${command.item}\`; its items are ${list(gate.items.map((i) => i.id))}.`;
  if (command.kind === "revoke") return undefined;

  const id = `${gate.id}.${item.id}`;
  const given = Object.keys(command.metrics);
  const threshold = item.evidence?.metric ? parseThreshold(item.evidence.metric) : undefined;
  if (given.length > 0 && !item.evidence?.metric)
    return `\`${id}\` takes no metric, but ${list(given)} ${given.length === 1 ? "was" : "were"} given.`;
  if (threshold && !given.includes(threshold.metric)) {
    return `\`${id}\` needs ${describeThreshold(threshold)}: write \`/signoff ${id} ${threshold.metric}=<value>\`.`;
  }
  if (item.evidence?.link && command.url === undefined) {
    return `\`${id}\` needs a link to the evidence: write \`/signoff ${id} https://…\`.`;
  }
  return undefined;
}

function list(ids: string[]): string {
  return ids.map((id) => `\`${id}\``).join(", ");
}
