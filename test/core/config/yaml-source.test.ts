import { describe, expect, it } from "vitest";
import { ProblemError } from "../../../src/core/config/problem.js";
import { MAX_YAML_BYTES, parseYaml } from "../../../src/core/config/yaml-source.js";

function problems(text: string): string[] {
  try {
    parseYaml(text, "f.yml");
  } catch (error) {
    if (error instanceof ProblemError) return error.message.split("\n");
    throw error;
  }
  throw new Error("expected a ProblemError");
}

const text = [
  "id: launch", //                 1
  "gates:", //                     2
  "  - id: security", //           3
  "    owner: security", //        4
  "    paths: [src/**, infra/**]", // 5
  "    description:", //           6
  "    items:", //                 7
  "      - id: waf", //            8
  "        title: WAF", //         9
].join("\n");

describe("parseYaml", () => {
  it("returns the plain value", () => {
    expect(parseYaml(text, "f.yml").value).toEqual({
      id: "launch",
      gates: [
        { id: "security", owner: "security", paths: ["src/**", "infra/**"], description: null, items: [{ id: "waf", title: "WAF" }] },
      ],
    });
  });

  it("locates values, keys, sequence entries and flow items (1-based)", () => {
    const { locate } = parseYaml(text, "f.yml");
    expect(locate(["id"])).toEqual({ line: 1, col: 5 });
    expect(locate(["id"], { key: true })).toEqual({ line: 1, col: 1 });
    expect(locate(["gates", 0])).toEqual({ line: 3, col: 5 });
    expect(locate(["gates", 0, "owner"])).toEqual({ line: 4, col: 12 });
    expect(locate(["gates", 0, "paths", 1])).toEqual({ line: 5, col: 21 });
    expect(locate(["gates", 0, "items", 0, "title"])).toEqual({ line: 9, col: 16 });
  });

  it("points at the key of an empty value", () => {
    expect(parseYaml(text, "f.yml").locate(["gates", 0, "description"])).toEqual({ line: 6, col: 5 });
  });

  it("falls back to the nearest ancestor for a missing path", () => {
    const { locate } = parseYaml(text, "f.yml");
    expect(locate(["gates", 0, "title"])).toEqual({ line: 3, col: 5 });
    expect(locate(["gates", 7, "id"])).toEqual({ line: 3, col: 3 });
    expect(locate(["phases"])).toEqual({ line: 1, col: 1 });
  });

  it("treats an empty file as null and locates everything at 1:1", () => {
    const source = parseYaml("# only a comment\n", "f.yml");
    expect(source.value).toBeNull();
    expect(source.locate(["owners"])).toEqual({ line: 1, col: 1 });
  });

  it("reports syntax errors with file:line:col and advice", () => {
    expect(problems("a: 1\nb:\n\tc: 2\n")).toEqual([
      "f.yml:3:1: YAML syntax error: Tabs are not allowed as indentation. Indent with spaces, not tabs.",
    ]);
    expect(problems("title: 'unclosed\n")).toEqual([
      "f.yml:2:1: YAML syntax error: Missing closing 'quote. Add the missing character or quote the whole value.",
    ]);
    expect(problems("a: 1\n---\nb: 2\n")).toEqual([
      "f.yml:2:1: YAML syntax error: the file holds more than one document (---). Keep a single YAML document in the file.",
    ]);
  });

  it("names a duplicate key", () => {
    expect(problems('owners:\n  security: ["@a/b"]\n  security: ["@a/c"]\n')).toEqual([
      'f.yml:3:3: duplicate key "security": a key may appear only once in a mapping. Remove or merge the repeated key.',
    ]);
  });

  it("refuses files over 256 KiB", () => {
    const big = `a: "${"x".repeat(MAX_YAML_BYTES)}"\n`;
    expect(problems(big)[0]).toMatch(/^f\.yml:1:1: the file is \d+ bytes; Gatehouse reads at most 262144 bytes \(256 KiB\)/);
  });

  it("stops alias bombs", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 8; i++)
      lines.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(", ")}]`,
      );
    expect(problems(lines.join("\n"))[0]).toMatch(/^f\.yml:1:1: YAML error: .*alias/i);
  });
});
