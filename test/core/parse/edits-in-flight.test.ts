import { describe, expect, it } from "vitest";
import { keepEditsInFlight, lagsOnlyBySignoffs, onlyBoxesFlipped } from "../../../src/core/parse/parse-ticks.js";

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
