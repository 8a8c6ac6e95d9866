import { itemKey, itemMarkerAtEnd, type ItemRef } from "../render/comment-markers.js";
import { classifyLines, MAX_BODY_LENGTH } from "./markdown-blocks.js";

export type { ItemRef } from "../render/comment-markers.js";

/** A task-list item, possibly nested or quoted: `- [ ]`, `* [x]`, `1. [X]`. */
const TASK_BOX = /^(\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])\s+)\[([ xX])\](?=\s|$)/;

interface BoxState {
  checked: boolean;
  /** The line with its box unticked and whitespace normalised: what a UI tick leaves unchanged. */
  signature: string;
}

/**
 * The items ticked and unticked between two versions of the checklist comment, as GitHub sends
 * them in `issue_comment.edited` (`changes.body.from` → `comment.body`), in the order they appear.
 *
 * Only task-list lines that end with an item marker count, outside fenced code and HTML comments.
 * Line endings, trailing and repeated whitespace, `[X]` vs `[x]` and the order of lines do not
 * matter, and edits elsewhere in the body are ignored. When a marker appears more than once, the
 * first line with it counts.
 *
 * A change counts only when the item's line is otherwise unchanged, i.e. only its box flipped,
 * which is exactly what clicking a box on GitHub does. So a line whose marker or text was edited,
 * a line copied over another item's, or a removed marker is never read as a tick or untick: such
 * an edit could make one item look ticked without anyone clicking its box. Those edits are simply
 * overwritten when Gatehouse re-renders the comment from the ledger.
 */
export function diffTicks(before: string, after: string): { ticked: ItemRef[]; unticked: ItemRef[] } {
  // GitHub stores no longer body, so such an edit did not come through GitHub's UI.
  if (before.length > MAX_BODY_LENGTH || after.length > MAX_BODY_LENGTH) return { ticked: [], unticked: [] };
  const old = boxStates(before);
  const ticked: ItemRef[] = [];
  const unticked: ItemRef[] = [];
  for (const [key, { ref, state }] of boxStates(after)) {
    const previous = old.get(key)?.state;
    if (!previous || previous.signature !== state.signature || previous.checked === state.checked) continue;
    (state.checked ? ticked : unticked).push(ref);
  }
  return { ticked, unticked };
}

type BoxStates = ReadonlyMap<string, { ref: ItemRef; state: BoxState }>;

/**
 * A tick reads the same bodies more than once (diffTicks reads the edit, lagsOnlyBySignoffs then
 * compares the re-render with it, and the next edit starts from it), so the last few dozen are kept: other
 * PRs' events run in between. At most a few MB even for bodies at GitHub's 65,536-char limit.
 * Most recent first, found by `===`: each webhook body is a new string, which a Map would hash in
 * full (~12 µs for 7 KB) where `===` is a pointer or length check, or a memcmp when lengths match.
 */
const recent: { body: string; states: BoxStates }[] = [];
const RECENT_MAX = 32;

function boxStates(body: string): BoxStates {
  for (let i = 0; i < recent.length; i++) {
    const entry = recent[i]!;
    if (entry.body !== body) continue;
    if (i > 0) {
      recent.splice(i, 1);
      recent.unshift(entry);
    }
    return entry.states;
  }
  const states = parseBoxStates(body);
  recent.unshift({ body, states });
  if (recent.length > RECENT_MAX) recent.pop();
  return states;
}

function parseBoxStates(body: string): BoxStates {
  const states = new Map<string, { ref: ItemRef; state: BoxState }>();
  for (const line of classifyLines(body)) {
    if (line.kind === "fence" || line.kind === "comment") continue;
    const ref = itemMarkerAtEnd(line.text);
    const box = TASK_BOX.exec(line.text);
    if (!ref || !box) continue;
    const key = itemKey(ref.gate, ref.item);
    if (states.has(key)) continue;
    const signature = line.text.replace(TASK_BOX, "$1[ ]").replace(/\s+/g, " ").trim();
    states.set(key, { ref, state: { checked: box[2] !== " ", signature } });
  }
  return states;
}

/** Whether each item's box is ticked, by `gate.item`, as `diffTicks` reads the body. */
function boxesOf(body: string): ReadonlyMap<string, boolean> {
  const states = boxStates(body);
  let boxes = checkedOf.get(states);
  if (!boxes) {
    boxes = new Map([...states].map(([key, { state }]) => [key, state.checked]));
    checkedOf.set(states, boxes);
  }
  return boxes;
}

/** Kept with the parsed body it came from: every tick compares the comment GitHub holds with a render. */
const checkedOf = new WeakMap<BoxStates, ReadonlyMap<string, boolean>>();

/**
 * True when both bodies show the same items and every box ticked in `shown` is ticked in
 * `rendered`: the comment lags the ledger only by sign-offs it does not show yet (ticked in an
 * edit another replica applied, or lost to a concurrent edit on GitHub), which a deferred
 * re-render adds. A box shown ticked that the ledger lacks (a revert, an invalidation) is not.
 * `rendered` may also be the boxes a render would show (fullDetailBoxes), by `gate.item`.
 */
export function lagsOnlyBySignoffs(shown: string, rendered: string | ReadonlyMap<string, boolean>): boolean {
  const left = boxesOf(shown);
  const right = typeof rendered === "string" ? boxesOf(rendered) : rendered;
  return left.size === right.size && [...left].every(([key, checked]) => right.has(key) && (!checked || right.get(key) === true));
}

/**
 * A render of the comment that keeps the boxes someone ticked on GitHub after Gatehouse last saw
 * the body (`known` → `current`): their webhook is still on its way, and overwriting the box now
 * would untick what an owner just ticked. The edit's own event re-renders the comment once it is
 * applied. A box unticked since is shown as the ledger has it: when owners tick at once, GitHub
 * keeps the last edit, so `current` lacks ticks whose events were all applied (keeping those
 * would cost another write and show signed items unticked); a real untick's event revokes and
 * re-renders the box within a window.
 */
export function keepEditsInFlight(rendered: string, known: string, current: string): string {
  const before = boxesOf(known);
  const now = boxesOf(current);
  const flipped = new Map([...now].filter(([key, checked]) => checked && before.get(key) === false));
  if (flipped.size === 0) return rendered;
  return classifyLines(rendered)
    .map((line) => {
      if (line.kind === "fence" || line.kind === "comment") return line.text;
      const ref = itemMarkerAtEnd(line.text);
      const checked = ref ? flipped.get(itemKey(ref.gate, ref.item)) : undefined;
      if (checked === undefined) return line.text;
      return line.text.replace(TASK_BOX, checked ? "$1[x]" : "$1[ ]");
    })
    .join("\n");
}

/**
 * True when `after` differs from `before` only in which boxes are ticked: what clicking boxes on
 * GitHub does. Any other edit (text typed into the checklist) must be overwritten at once.
 */
export function onlyBoxesFlipped(before: string, after: string): boolean {
  return onlyBoxCharsDiffer(before, after) || untickedLines(before) === untickedLines(after);
}

/** Every line with its box unticked, joined with LF: what onlyBoxesFlipped compares. */
function untickedLines(body: string): string {
  return body
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(TASK_BOX, "$1[ ]"))
    .join("\n");
}

/**
 * A sufficient test for onlyBoxesFlipped, ~25× cheaper on a 7–10 KB body with one box clicked (the
 * usual tick): equal length, LF only, and every character that differs is the box of a task line
 * in both. Then the lines pair up and each untick the same, so untickedLines agree. False means
 * "not shown", never "edited": the caller then runs the full comparison.
 */
function onlyBoxCharsDiffer(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length !== b.length || a.includes("\r") || b.includes("\r")) return false;
  let flips = 0;
  for (let p = nextDifference(a, b, 0); p !== -1; p = nextDifference(a, b, p + 1)) {
    // Past a few dozen flips the full comparison is as cheap; the cap bounds the wasted work when it follows.
    if (++flips > MAX_FLIPS || !isBoxAt(a, p) || !isBoxAt(b, p)) return false;
  }
  return true;
}

const MAX_FLIPS = 64;

/** The first index from `from` where two strings of equal length differ, or -1, found by `===` (a memcmp) on slices. */
function nextDifference(a: string, b: string, from: number): number {
  let lo = from;
  let hi = from;
  // Gallop over equal text in doubling steps (a box a line away costs as little as one at the end),
  // then bisect the step that differs.
  for (let step = 64; ; step *= 2) {
    if (lo >= a.length) return -1;
    hi = Math.min(lo + step, a.length);
    if (a.slice(lo, hi) !== b.slice(lo, hi)) break;
    lo = hi;
  }
  while (hi - lo > 32) {
    const mid = lo + ((hi - lo) >> 1);
    if (a.slice(lo, mid) === b.slice(lo, mid)) lo = mid;
    else hi = mid;
  }
  for (let i = lo; i < hi; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return i;
  return -1;
}

/** Whether index `p` of an LF-only body is the box character of a TASK_BOX on its line. */
function isBoxAt(body: string, p: number): boolean {
  const start = body.lastIndexOf("\n", p) + 1;
  const end = body.indexOf("\n", p);
  const box = TASK_BOX.exec(body.slice(start, end === -1 ? body.length : end));
  return box !== null && start + box[1]!.length + 1 === p;
}
