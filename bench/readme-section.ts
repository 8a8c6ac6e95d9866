import { readFileSync, writeFileSync } from "node:fs";

const START = "<!-- bench:last-run:start -->";
const END = "<!-- bench:last-run:end -->";

/** Replaces the "Last run" figures in bench/README.md, between its markers, with a fresh run's tables. */
export function writeLastRun(readmePath: string, markdown: string): void {
  const text = readFileSync(readmePath, "utf8");
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start)
    throw new Error(`${readmePath}: the markers ${START} and ${END} are missing; restore them to let npm run bench update the figures.`);
  writeFileSync(readmePath, `${text.slice(0, start + START.length)}\n${markdown.trimEnd()}\n${text.slice(end)}`);
}
