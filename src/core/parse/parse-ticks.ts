import { LRUCache } from "lru-cache";
import { itemMarkerAtEnd, type ItemRef } from "../render/comment-markers.js";
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
 */
const recent = new LRUCache<string, BoxStates>({ max: 32 });

function boxStates(body: string): BoxStates {
  let states = recent.get(body);
  if (!states) {
    states = parseBoxStates(body);
    recent.set(body, states);
  }
  return states;
}

function parseBoxStates(body: string): BoxStates {
  const states = new Map<string, { ref: ItemRef; state: BoxState }>();
  for (const line of classifyLines(body)) {
    if (line.kind === "fence" || line.kind === "comment") continue;
    const ref = itemMarkerAtEnd(line.text);
    const box = TASK_BOX.exec(line.text);
    if (!ref || !box) continue;
    const key = `${ref.gate}.${ref.item}`;
    if (states.has(key)) continue;
    const signature = line.text.replace(TASK_BOX, "$1[ ]").replace(/\s+/g, " ").trim();
    states.set(key, { ref, state: { checked: box[2] !== " ", signature } });
  }
  return states;
}

/** Whether each item's box is ticked, by `gate.item`, as `diffTicks` reads the body. */
function boxesOf(body: string): Map<string, boolean> {
  return new Map([...boxStates(body)].map(([key, { state }]) => [key, state.checked]));
}

/**
 * True when both bodies show the same items and every box ticked in `shown` is ticked in
 * `rendered`: the comment lags the ledger only by sign-offs it does not show yet (ticked in an
 * edit another replica applied, or lost to a concurrent edit on GitHub), which a deferred
 * re-render adds. A box shown ticked that the ledger lacks (a revert, an invalidation) is not.
 */
export function lagsOnlyBySignoffs(shown: string, rendered: string): boolean {
  const left = boxesOf(shown);
  const right = boxesOf(rendered);
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
      const checked = ref ? flipped.get(`${ref.gate}.${ref.item}`) : undefined;
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
  const unticked = (body: string) =>
    body
      .split(/\r\n|\r|\n/)
      .map((line) => line.replace(TASK_BOX, "$1[ ]"))
      .join("\n");
  return unticked(before) === unticked(after);
}
