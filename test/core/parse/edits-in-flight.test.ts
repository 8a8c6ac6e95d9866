import { describe, expect, it } from "vitest";
import { keepEditsInFlight, lagsOnlyBySignoffs, onlyBoxesFlipped } from "../../../src/core/parse/parse-ticks.js";
import { renderComment } from "../../../src/core/render/render-comment.js";
import { handVerdict, launchChecklist } from "../../fixtures/hand-verdict.js";

const line = (ref: string, checked: boolean, text = ref) => `- [${checked ? "x" : " "}] ${text} <!-- gatehouse:item ${ref} -->`;
const body = (...lines: string[]) => ["<!-- gatehouse:checklist -->", ...lines].join("\n");

describe("lagsOnlyBySignoffs", () => {
  it("compares box states only, not the text around them", () => {
    expect(lagsOnlyBySignoffs(body(line("a.b", true)), body(line("a.b", true, "B — signed by sam")))).toBe(true);
    expect(lagsOnlyBySignoffs(body(line("a.b", true)), body(line("a.b", true), line("a.c", false)))).toBe(false);
  });

  it("holds when the ledger has sign-offs the comment does not show yet, not when the comment shows one the ledger lacks", () => {
    // Another replica's tick, or one a concurrent edit on GitHub lost: the deferred re-render adds it.
    expect(lagsOnlyBySignoffs(body(line("a.b", false), line("a.c", true)), body(line("a.b", true), line("a.c", true)))).toBe(true);
    // A reverted tick or an invalidation: the comment must be corrected at once.
    expect(lagsOnlyBySignoffs(body(line("a.b", true)), body(line("a.b", false)))).toBe(false);
  });
});

describe("keepEditsInFlight", () => {
  it("keeps boxes flipped on GitHub since the body Gatehouse knew, and renders the rest", () => {
    const known = body(line("a.b", false), line("a.c", true));
    const current = body(line("a.b", true), line("a.c", true));
    const rendered = body(line("a.b", false, "B"), line("a.c", true, "C — signed by sam"));
    expect(keepEditsInFlight(rendered, known, current)).toBe(body(line("a.b", true, "B"), line("a.c", true, "C — signed by sam")));
  });

  it("shows a box unticked on GitHub as the ledger has it (a tick lost to a concurrent edit), and changes nothing when GitHub holds what Gatehouse knew", () => {
    const known = body(line("a.b", true));
    expect(keepEditsInFlight(body(line("a.b", true, "B — signed")), known, body(line("a.b", false)))).toBe(
      body(line("a.b", true, "B — signed")),
    );
    const rendered = body(line("a.b", true, "B — signed"));
    expect(keepEditsInFlight(rendered, known, known)).toBe(rendered);
  });

  it("ignores look-alike box lines inside fenced code", () => {
    const fenced = ["```", line("a.b", true), "```"].join("\n");
    const known = body(line("a.b", false));
    const current = body(line("a.b", true));
    const rendered = `${body(line("a.b", false))}\n${fenced}`;
    expect(keepEditsInFlight(rendered, known, current)).toBe(`${body(line("a.b", true))}\n${fenced}`);
  });
});

describe("onlyBoxesFlipped", () => {
  it("is true for box clicks and false for any other edit", () => {
    const known = body(line("a.b", false), line("a.c", true));
    expect(onlyBoxesFlipped(known, body(line("a.b", true), line("a.c", false)))).toBe(true);
    expect(onlyBoxesFlipped(known, body(line("a.b", true, "a.b (approved by everyone)"), line("a.c", true)))).toBe(false);
    expect(onlyBoxesFlipped(known, `${known}\nspam`)).toBe(false);
  });
});

describe("onlyBoxesFlipped matches its line-by-line definition", () => {
  // The definition, as onlyBoxesFlipped first shipped: a fast path must never disagree with it.
  const TASK_BOX = /^(\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])\s+)\[([ xX])\](?=\s|$)/;
  const reference = (before: string, after: string) => {
    const unticked = (text: string) =>
      text
        .split(/\r\n|\r|\n/)
        .map((l) => l.replace(TASK_BOX, "$1[ ]"))
        .join("\n");
    return unticked(before) === unticked(after);
  };

  // Boxes and look-alikes: nested, ordered, quoted, tabbed, at the end of a line, in fenced code,
  // after a U+2028 (not a line break for the split), and brackets that are no box.
  const VARIED = [
    "<!-- gatehouse:checklist -->",
    line("a.b", false),
    "* [x] star <!-- gatehouse:item a.c -->",
    "+ [X] plus",
    "1. [ ] ordered",
    "  2) [x] nested ordered",
    "    - [ ] nested",
    "> - [ ] quoted",
    "> > * [x] quoted twice",
    "-\t[ ]\ttabbed",
    "- [x]",
    "- [ ]no space after",
    "-[ ] no space before",
    "[x] no list marker",
    "text - [ ] mid-line [x]",
    "1234567890. [ ] too many digits",
    "```",
    "- [ ] in a fence",
    "```",
    "- [X] after the fence",
    "\u2028- [ ] after a line separator",
    "- [ ] [x] two brackets",
    "",
  ].join("\n");
  const RENDERED = renderComment({
    verdict: handVerdict(launchChecklist, { signed: { "security.waf": {} } }),
    checklist: launchChecklist,
    mentionOwners: true,
  });

  /** mulberry32: the same cases on every run. */
  const random = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const ALPHABET = [" ", "x", "X", "[", "]", "-", "*", ">", "1", ".", ")", "\t", "\n", "\r", "a", "`"];

  function edit(text: string, rnd: () => number): string {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const at = (i: number, c: string, removed = 1) => text.slice(0, i) + c + text.slice(i + removed);
    const brackets = [...text.matchAll(/\[[ xX]\]/g)].map((m) => m.index!);
    switch (Math.floor(rnd() * 8)) {
      case 0:
      case 1: {
        // Flip one to three boxes (or look-alikes) to any box character.
        let out = text;
        for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
          const i = pick(brackets) + 1;
          out = out.slice(0, i) + pick([" ", "x", "X"]) + out.slice(i + 1);
        }
        return out;
      }
      case 2: // Any character in or near a box.
        return at(Math.max(0, Math.min(text.length - 1, pick(brackets) + Math.floor(rnd() * 9) - 4)), pick(ALPHABET));
      case 3: // Any character anywhere.
        return at(Math.floor(rnd() * text.length), pick(ALPHABET));
      case 4: // A line ending changed in place (same length).
        return at(pick([...text.matchAll(/\n/g)].map((m) => m.index!)), pick(["\r", "\u2028", " "]));
      case 5: // Inserted or deleted text.
        return rnd() < 0.5 ? at(Math.floor(rnd() * text.length), pick(ALPHABET), 0) : at(Math.floor(rnd() * text.length), "");
      case 6: // CRLF, as a browser sends it.
        return text.replace(/\n/g, "\r\n");
      default: // A flip and a typed character together.
        return at(Math.floor(rnd() * text.length), pick(ALPHABET), 1).replace(/\[ \]/, "[x]");
    }
  }

  it.each([
    ["a body with varied boxes", VARIED, 3000],
    ["a rendered checklist", RENDERED, 600],
  ])("on generated edits of %s", (_name, base, cases) => {
    const rnd = random(cases);
    const mismatches: string[] = [];
    let flips = 0;
    for (let n = 0; n < cases; n++) {
      const before = rnd() < 0.25 ? edit(base, rnd) : base;
      let after = edit(before, rnd);
      if (rnd() < 0.3) after = edit(after, rnd);
      for (const [a, b] of [
        [before, after],
        [after, before],
      ] as const) {
        const expected = reference(a, b);
        if (onlyBoxesFlipped(a, b) !== expected) mismatches.push(JSON.stringify({ a, b, expected }));
        if (expected && a !== b && a.length === b.length && !/\r/.test(a + b)) flips += 1;
      }
    }
    expect(mismatches.slice(0, 3)).toEqual([]);
    // Enough true cases that the shortcut (equal length, LF only) is exercised, not just the fallback.
    expect(flips).toBeGreaterThan(cases / 10);
  });

  it("on hand-picked edits", () => {
    const cases: [string, string][] = [
      [VARIED, VARIED.replace("- [ ] in a fence", "- [x] in a fence")],
      [VARIED, VARIED.replace("+ [X] plus", "+ [ ] plus")],
      [VARIED, VARIED.replace("- [ ] [x] two", "- [ ] [ ] two")],
      [VARIED, VARIED.replace("- [ ]no space", "- [x]no space")],
      [VARIED, VARIED.replace("\u2028- [ ]", "\u2028- [x]")],
      [VARIED, VARIED.replace("-\t[ ]", "-\t[X]")],
      [VARIED, VARIED.replace("- [x]\n", "- [ ]\n")],
      [VARIED, VARIED.replace("- [x]\n", "- (x)\n")],
      [VARIED, VARIED.replace("1. [ ] ordered", "1. [x] ordered").replace("\n", "\r")],
      [VARIED, VARIED.replace(/\n/g, "\r\n").replace("+ [X]", "+ [ ]")],
      [`${VARIED}x`, `${VARIED}x`.replace("+ [X]", "+ [ ]")],
      // A CR ends a line too: "-" and "[x] foo" are two lines, neither a box.
      ["a\n-\r[x] foo\n", "a\n-\r[ ] foo\n"],
      ["a\r\n- [x] foo\r\n", "a\r\n- [ ] foo\r\n"],
      [RENDERED, RENDERED.replace("- [x]", "- [ ]").replace(/- \[ \]/g, "- [X]")],
    ];
    for (const [a, b] of cases) {
      expect(onlyBoxesFlipped(a, b), JSON.stringify(b)).toBe(reference(a, b));
      expect(onlyBoxesFlipped(b, a), JSON.stringify(b)).toBe(reference(b, a));
    }
  });
});
