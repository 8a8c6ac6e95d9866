import { describe, expect, it } from "vitest";
import { fitLines, fitTable } from "../../../src/core/render/text-budget.js";

describe("fitLines", () => {
  const lines = ["one", "two", "three", "four"];

  it("returns everything when it fits", () => {
    expect(fitLines(lines, 100, () => "never")).toBe("one\ntwo\nthree\nfour");
  });

  it("keeps leading lines and says how many were left out", () => {
    const out = fitLines(lines, 16, (n) => `+${n}`);
    expect(out).toBe("one\ntwo\nthree\n+1");
    expect(fitLines(lines, 10, (n) => `+${n}`)).toBe("one\ntwo\n+2");
    expect(fitLines(lines, 2, (n) => `+${n}`)).toBe("+4");
  });
});

describe("fitTable", () => {
  const header = ["| a |", "| - |"];
  const rows = ["| 1 |", "| 2 |", "| 3 |"];

  it("puts the note after a blank line so it is not read as a row", () => {
    expect(fitTable(header, rows, 28, (n) => `${n} more`)).toBe("| a |\n| - |\n| 1 |\n\n2 more");
    expect(fitTable(header, rows, 29, (n) => `${n} more`)).toBe("| a |\n| - |\n| 1 |\n| 2 |\n| 3 |");
  });

  it("counts rows the caller already left out", () => {
    expect(fitTable(header, rows, 1000, (n) => `${n} more`, 5)).toBe("| a |\n| - |\n| 1 |\n| 2 |\n| 3 |\n\n5 more");
    const cut = fitTable(header, rows, 30, (n) => `${n} more`, 5);
    expect(cut.length).toBeLessThanOrEqual(30);
    expect(cut).toBe("| a |\n| - |\n| 1 |\n\n7 more");
  });

  it("returns nothing when not even the header fits", () => {
    expect(fitTable(header, rows, 5, () => "x")).toBe("");
  });
});
