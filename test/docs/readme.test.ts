import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function headings(level: number): string[] {
  const inFence = { on: false };
  const found: string[] = [];
  for (const line of README.split("\n")) {
    if (line.startsWith("```")) inFence.on = !inFence.on;
    if (!inFence.on && line.startsWith(`${"#".repeat(level)} `)) found.push(line.slice(level + 1));
  }
  return found;
}

describe("README", () => {
  const toc = README.slice(README.indexOf("## Contents"), README.indexOf("\n## ", README.indexOf("## Contents") + 1));
  const links = [...toc.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);

  it("has a table of contents that lists every section", () => {
    const sections = headings(2).filter((h) => h !== "Contents");
    expect(sections.length).toBeGreaterThan(5);
    for (const section of sections) expect(links, `"## ${section}" is missing from the contents`).toContain(anchor(section));
  });

  it("links only to headings that exist", () => {
    const all = new Set([2, 3, 4].flatMap((level) => headings(level).map(anchor)));
    for (const link of links) expect(all, `contents link #${link} has no heading`).toContain(link);
  });

  it("links to documents that exist", () => {
    for (const [, path] of README.matchAll(/\]\(((?:docs|bench|ops)\/[^)#]+)/g)) {
      expect(() => readFileSync(new URL(`../../${path}`, import.meta.url)), path).not.toThrow();
    }
  });
});
