/**
 * Just enough of CommonMark's block structure to tell where a line sits, so commands and ticks
 * are only read from lines GitHub renders as ordinary text.
 *
 * Why not micromark (mdast-util-from-markdown with the GFM task-list extensions), which
 * guarantees linear time? Measured on 2 shared cores (median of 41 runs; micromark 11), a
 * 65,536-char checklist comment with 25 boxes: this scanner diffs both versions in 0.46 ms,
 * micromark takes ~960 ms to parse one (a tick needs two parses); a 65,536-char `/signoff …)))`
 * comment 0.46 ms vs 16 ms; 8,192 `> - [ ] ` 0.10 ms vs 1,500 ms; runs of `[` 0.03 ms vs 1,000 ms.
 * Both grow linearly (micromark 16K→64K: ×3.8–5.9), but seconds of CPU per event on the one
 * event loop every installation shares is what a hostile comment must not buy. Ticks also need
 * a box's exact source line, which both give. This scanner stays (one pass, anchored regexes per line),
 * with its inputs capped at MAX_BODY_LENGTH and its growth pinned by
 * test/reliability/linear-time.test.ts.
 */

export type LineKind =
  /** Ordinary text, a list item or a blank line. */
  | "text"
  /** Inside (or opening/closing) a ``` or ~~~ fenced code block. */
  | "fence"
  /** Indented four or more columns: indented code, or text continuing a paragraph. */
  | "indented"
  /** A blockquote line, or text that lazily continues a quoted paragraph. */
  | "quote"
  /** Inside an HTML comment that starts a line (hidden on GitHub). */
  | "comment";

export interface SourceLine {
  /** The line without its line ending. */
  text: string;
  /** 1-based. */
  number: number;
  kind: LineKind;
}

/** GitHub stores at most 65,536 characters in a comment, review or PR body; longer text is not read. */
export const MAX_BODY_LENGTH = 65_536;

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const QUOTE = /^ {0,3}>(.*)$/;
const COMMENT_OPEN = /^ {0,3}<!--/;

/** Splits a body on any line ending (GitHub sends CRLF from browsers) and classifies each line. */
export function classifyLines(body: string): SourceLine[] {
  const lines = body.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  const result: SourceLine[] = [];
  let fence: { char: string; length: number } | undefined;
  let inComment = false;
  let quotedParagraph = false;

  for (const [index, text] of lines.entries()) {
    const push = (kind: LineKind) => result.push({ text, number: index + 1, kind });
    if (fence) {
      push("fence");
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(text);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) fence = undefined;
      continue;
    }
    if (inComment) {
      push("comment");
      if (text.includes("-->")) inComment = false;
      continue;
    }
    const open = FENCE_OPEN.exec(text);
    // A backtick fence's info string may not contain backticks (CommonMark 4.5).
    if (open && !(open[1]![0] === "`" && open[2]!.includes("`"))) {
      push("fence");
      fence = { char: open[1]![0]!, length: open[1]!.length };
      quotedParagraph = false;
      continue;
    }
    if (COMMENT_OPEN.test(text)) {
      push("comment");
      inComment = !text.slice(text.indexOf("<!--") + 4).includes("-->");
      quotedParagraph = false;
      continue;
    }
    const quote = QUOTE.exec(text);
    if (quote) {
      push("quote");
      quotedParagraph = quote[1]!.trim() !== "";
      continue;
    }
    if (text.trim() === "") {
      push("text");
      quotedParagraph = false;
      continue;
    }
    if (indentation(text) >= 4) {
      push(quotedParagraph ? "quote" : "indented");
      continue;
    }
    push(quotedParagraph ? "quote" : "text");
  }
  return result;
}

/** Leading columns, with tabs advancing to the next multiple of four. */
function indentation(text: string): number {
  let columns = 0;
  for (const c of text) {
    if (c === " ") columns += 1;
    else if (c === "\t") columns += 4 - (columns % 4);
    else break;
  }
  return columns;
}
