import { LRUCache } from "lru-cache";
import { ID_PATTERN } from "../config/checklist-schema.js";

/**
 * Escaping for every user or config string Gatehouse renders into GitHub Markdown (comments,
 * check runs, job summaries). The output shows the same characters on GitHub but cannot form
 * Markdown, HTML, hidden markers, @-mentions or issue references.
 */

/**
 * Breaks GitHub autolinks (@-mentions, #123 references, bare URLs) while rendering identically.
 * GitHub decodes entities before its mention filter runs, so `&#64;` would still mention;
 * a zero-width space after the `@` is what Renovate and Dependabot settled on.
 */
const ZERO_WIDTH_SPACE = "&#8203;";

/** Characters with a Markdown meaning anywhere in a line, plus `$` (GitHub math). */
const MARKDOWN_PUNCTUATION = /[\\`*_[\]()#!|~$]/g;
/** List markers, rules and setext underlines only mean something at the start of a line. */
const LINE_START_MARKUP = /^(\s*)(?:([-+=])|(\d+)([.)]))/;

/** C0/C1 controls and bidi overrides: invisible, and able to make text read differently than it is. */
const INVISIBLE_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const WHITESPACE_RUNS = /[\s\u0085]+/g;

export interface EscapeOptions {
  /** Cut the text to this many characters (before escaping, so no entity is cut), adding "…". */
  maxLength?: number;
}

/**
 * Escapes text for inline use anywhere in GitHub Markdown: a heading, a list item, a table cell.
 * Whitespace runs (newlines included) collapse to one space; `&<>` become entities, so no HTML and
 * no `<!--` marker can form; Markdown punctuation is backslash-escaped; `@name`, `#123`, `GH-123`,
 * `http://` and `www.` get a zero-width space so they neither notify nor link. Invisible control
 * and bidi characters are dropped. On GitHub the result reads like the input.
 */
export function escapeMarkdown(text: string, options: EscapeOptions = {}): string {
  // Every render escapes the same titles, owners and reasons again (eleven regex passes each);
  // the result depends on the text and the cut only, so short texts keep theirs for the next render.
  if (text.length > ESCAPED_MAX_LENGTH) return escapeFresh(text, options);
  // Keyed by the text itself: a composite key would be a new string to flatten and hash per call.
  // A cut no shorter than the text cannot bind (the cut text is the cleaned text, never longer), so
  // almost every call shares the uncut result; only texts longer than their cut use a per-cut cache.
  const max = options.maxLength;
  let cache: LRUCache<string, string> | undefined = escaped;
  if (max !== undefined && text.length > max) {
    cache = escapedCut.get(max);
    if (cache === undefined) {
      if (escapedCut.size >= MAX_CUTS) return escapeFresh(text, options);
      cache = new LRUCache<string, string>({ max: CUT_ENTRIES });
      escapedCut.set(max, cache);
    }
  }
  let result = cache.get(text);
  if (result === undefined) {
    result = escapeFresh(text, options);
    cache.set(text, result);
  }
  return result;
}

/** Titles, logins and reasons are short; longer texts (notes, problems) are escaped afresh. */
const ESCAPED_MAX_LENGTH = 500;
/**
 * Escaped texts, at most 10,000 in all: enough for the strings of a few hundred checklists, a few
 * MB at most. The code uses about a dozen cuts; any beyond MAX_CUTS are escaped afresh.
 */
const escaped = new LRUCache<string, string>({ max: 8_000 });
const MAX_CUTS = 16;
const CUT_ENTRIES = 125;
const escapedCut = new Map<number, LRUCache<string, string>>();

function escapeFresh(text: string, options: EscapeOptions): string {
  let plain = text.replace(INVISIBLE_CONTROLS, "").replace(WHITESPACE_RUNS, " ").trim();
  if (options.maxLength !== undefined) plain = truncate(plain, options.maxLength);
  return breakAutolinks(
    plain
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(MARKDOWN_PUNCTUATION, "\\$&")
      .replace(LINE_START_MARKUP, (_m, space: string, sign?: string, digits?: string, dot?: string) =>
        sign !== undefined ? `${space}\\${sign}` : `${space}${digits}\\${dot}`,
      ),
  );
}

/**
 * Runs after entity escaping, so the `&` of the inserted entity is not escaped again; one pass
 * for `@` and `#`, so the `#` of an inserted entity is never treated as a reference.
 */
function breakAutolinks(text: string): string {
  return text
    .replace(/@|#(?=\d)/g, `$&${ZERO_WIDTH_SPACE}`)
    .replace(/\b(GH-)(?=\d)/gi, `$1${ZERO_WIDTH_SPACE}`)
    .replace(/:(?=\/\/)/g, `:${ZERO_WIDTH_SPACE}`)
    .replace(/\b(www)\./gi, `$1${ZERO_WIDTH_SPACE}.`);
}

/**
 * Escapes text for a GFM table cell. `escapeMarkdown` already escapes `|` and removes newlines;
 * an empty cell gets a dash so the table keeps its shape when read as text.
 */
export function escapeTableCell(text: string, options: EscapeOptions = {}): string {
  const escaped = escapeMarkdown(text, options).trim();
  return escaped === "" ? "–" : escaped;
}

/**
 * Renders a URL as a Markdown link with trusted link text, or returns undefined when the URL is
 * not http(s). The destination is percent-encoded by the URL parser and wrapped in `<…>`, so it
 * cannot end the link early.
 */
export function markdownLink(label: string, url: string): string | undefined {
  const href = safeHref(url);
  return href === undefined ? undefined : `[${escapeMarkdown(label)}](<${href}>)`;
}

/** The normalised href of an http(s) URL, or undefined for anything else. */
export function safeHref(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return undefined;
  return parsed.href.replace(/[<>\\\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

/** Cuts text to `max` characters, ending with "…" when cut. Never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - 1);
  if (cut > 0 && /[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * Escapes text for raw HTML contexts such as `<summary>`, where GitHub does not process Markdown
 * (so backslash escapes would show). Same guarantees as escapeMarkdown otherwise.
 */
export function escapeHtml(text: string, options: EscapeOptions = {}): string {
  let plain = text.replace(INVISIBLE_CONTROLS, "").replace(WHITESPACE_RUNS, " ").trim();
  if (options.maxLength !== undefined) plain = truncate(plain, options.maxLength);
  return breakAutolinks(plain.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;"));
}

/**
 * A gate or item id as inline code (`security.waf`). Ids are validated by the checklist schema;
 * anything else is escaped as text rather than trusted inside a code span.
 */
export function codeId(...parts: string[]): string {
  const id = parts.join(".");
  return parts.every((p) => ID_PATTERN.test(p)) ? `\`${id}\`` : escapeMarkdown(id, { maxLength: 120 });
}
