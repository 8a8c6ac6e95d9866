import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/core/config/duration.js";
import { globProblem } from "../../src/core/config/glob.js";
import { parseYaml } from "../../src/core/config/yaml-source.js";
import { parseThreshold } from "../../src/core/evaluate/threshold.js";
import { classifyLines } from "../../src/core/parse/markdown-blocks.js";
import { mergeQueuePullRequest } from "../../src/core/parse/merge-queue-ref.js";
import { parseCommands } from "../../src/core/parse/parse-commands.js";
import { diffTicks } from "../../src/core/parse/parse-ticks.js";
import { growthRatio } from "../support/growth.js";

/**
 * Every parser of text a user can write, fed inputs built to hit its worst case. Quadrupling the
 * input must at most roughly quadruple the work: linear gives ~4, quadratic ~16. The bound of 8
 * leaves room for a busy machine without letting quadratic work through.
 */
const LINEAR = 8;

const safely = (run: () => unknown) => () => {
  try {
    run();
  } catch {
    // A parser may refuse the input; how fast it does so is what is measured.
  }
};

const cases: [name: string, run: (input: string) => unknown, make: (n: number) => string, n: number, samples?: number][] = [
  ["/signoff with a URL and a run of ')'", parseCommands, (n) => `/signoff a.b https://x${")".repeat(n)}`, 2_000],
  ["/signoff with a URL, a run of '.' and a letter", parseCommands, (n) => `/signoff a.b https://x${".".repeat(n)}a`, 2_000],
  ["/signoff with a Markdown link and a run of '('", parseCommands, (n) => `/signoff a.b [x](https://x${"(".repeat(n)}`, 2_000],
  ["/signoff with many metric-like tokens", parseCommands, (n) => `/signoff a.b ${"m=1 ".repeat(n / 4)}`, 2_000],
  ["many command lines", parseCommands, (n) => "/signoff a.b https://x/(a)\n".repeat(n / 25), 4_000],
  ["an unclosed fence of many lines", (body) => classifyLines(body), (n) => `\`\`\`\n${"~~~ x\n".repeat(n / 6)}`, 4_000],
  ["a line of backticks that does not close a fence", (body) => classifyLines(body), (n) => `\`\`\`\n${"`".repeat(n)}x`, 4_000],
  ["a line of '> ' before a box", (body) => diffTicks(body, body), (n) => `${"> ".repeat(n / 2)}x [ ]`, 4_000],
  [
    "box lines whose marker never closes",
    (body) => diffTicks(body, body),
    (n) => `- [ ] <!-- gatehouse:item a.${"b".repeat(n)} -- \n`,
    4_000,
  ],
  [
    "many box lines",
    (body) => diffTicks(body, body.replaceAll("[ ]", "[x]")),
    (n) => "- [ ] x <!-- gatehouse:item a.b -->\n".repeat(n / 36),
    4_000,
  ],
  ["a merge queue ref of repeated segments", mergeQueuePullRequest, (n) => `${"gh-readonly-queue/".repeat(n / 18)}x`, 16_000],
  [
    "a merge queue ref of repeated /pr- segments",
    mergeQueuePullRequest,
    (n) => `gh-readonly-queue/main${"/pr-1-a".repeat(n / 7)}/x`,
    4_000,
  ],
  ["a duration padded with spaces", parseDuration, (n) => `1${" ".repeat(n)}x`, 4_000],
  ["a threshold padded with spaces", parseThreshold, (n) => `a${" ".repeat(n)}>=${" ".repeat(n)}1x`, 4_000],
  ["a long glob", globProblem, (n) => `src/${"a*".repeat(n / 2)}`, 2_000],
  // A YAML parse costs far more per byte than a regex, so the YAML inputs must be large for quadratic key checks to show.
  [
    "a YAML mapping with many keys",
    (text) => parseYaml(text, "f.yml"),
    (n) => Array.from({ length: n }, (_, i) => `k${i}: 1`).join("\n"),
    6_000,
    3,
  ],
  ["a YAML mapping with many duplicate keys", (text) => parseYaml(text, "f.yml"), (n) => "k: 1\n".repeat(n), 6_000, 3],
];

describe("linear time on user input", () => {
  it.each(cases)("%s", { timeout: 120_000 }, (_, run, make, n, samples) => {
    expect(growthRatio((input: string) => safely(() => run(input))(), make, n, { samples })).toBeLessThan(LINEAR);
  });
});
