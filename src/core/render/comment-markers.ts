/**
 * Hidden markers in the checklist comment: one on the first line identifies the comment, and
 * one at the end of each box line maps the box to its item. User and config text is escaped
 * (`<` becomes `&lt;`), so only Gatehouse's own rendering can produce a marker.
 */

/** The first line of every checklist comment. */
export const COMMENT_MARKER = "<!-- gatehouse:checklist -->";

/** An item of a gate, as in `/signoff security.waf`. */
export interface ItemRef {
  gate: string;
  item: string;
}

/** An item's key among a comment's boxes, `security.waf`: what a box's marker names. */
export function itemKey(gate: string, item: string): string {
  return `${gate}.${item}`;
}

/** The marker at the end of an item's box line: `<!-- gatehouse:item security.waf -->`. */
export function itemMarker(gate: string, item: string): string {
  return `<!-- gatehouse:item ${itemKey(gate, item)} -->`;
}

/** Tolerates whitespace edits inside the marker; ids follow ID_PATTERN (checklist-schema.ts). */
const ITEM_MARKER_AT_END = /<!--\s*gatehouse:item\s+([a-z0-9][a-z0-9_-]*)\.([a-z0-9][a-z0-9_-]*)\s*-->\s*$/;

/** The item whose marker ends this line, or undefined when the line does not end with one. */
export function itemMarkerAtEnd(line: string): ItemRef | undefined {
  const match = ITEM_MARKER_AT_END.exec(line);
  return match ? { gate: match[1]!, item: match[2]! } : undefined;
}

/**
 * Whether a comment body is a Gatehouse checklist (the marker is its first line). Anyone can
 * paste the marker, so callers must also check that the comment was written by the App.
 */
export function isChecklistComment(body: string): boolean {
  const firstLine = body.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/, 1)[0] ?? "";
  return firstLine.trim() === COMMENT_MARKER;
}
