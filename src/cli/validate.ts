import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { CONFIG_PATH } from "../core/config/config-schema.js";
import { checklistFromSource } from "../core/config/load-checklist.js";
import { ProblemError, type Problem } from "../core/config/problem.js";
import { parseYaml } from "../core/config/yaml-source.js";
import type { CliIo } from "./io.js";
import { fileExists, formatCliProblem, loadLocalConfig, readLocalFile } from "./local-files.js";

export const VALIDATE_USAGE = `Usage: gatehouse validate [files...]

Checks checklists and repo configs. A file with "gates:" is a checklist; any other file is a
repo config (.github/gatehouse.yml) and is cross-checked against the checklist it names.

Without files it checks ${CONFIG_PATH}, .github/checklists/*.yml and checklists/*.yml
in the current directory (run it from the repo root).

Prints "file:line:col: message" for every problem.
Exit status: 0 all valid, 1 problems found, 2 wrong usage.
`;

/** The files `validate` checks when none are given. */
export async function defaultFiles(io: CliIo): Promise<string[]> {
  const files: string[] = [];
  if (await fileExists(io, CONFIG_PATH)) files.push(CONFIG_PATH);
  for (const dir of [".github/checklists", "checklists"]) {
    let names: string[] = [];
    try {
      names = await io.readDir(resolve(io.cwd, dir));
    } catch {
      continue;
    }
    files.push(
      ...names
        .filter((n) => /\.ya?ml$/.test(n))
        .sort()
        .map((n) => `${dir}/${n}`),
    );
  }
  return files;
}

async function validateFile(io: CliIo, file: string): Promise<{ problems: Problem[]; summary?: string; notes: string[] }> {
  const { text, problems } = await readLocalFile(io, file);
  if (text === undefined) return { problems, notes: [] };
  try {
    const source = parseYaml(text, file);
    const value = source.value;
    if (value !== null && typeof value === "object" && !Array.isArray(value) && "gates" in value) {
      const checklist = checklistFromSource(source);
      const items = checklist.gates.reduce((n, g) => n + g.items.length, 0);
      return {
        problems: [],
        notes: [],
        summary: `checklist "${checklist.id}": ${count(checklist.gates.length, "gate")}, ${count(items, "item")}, ${count(checklist.phases.length, "phase")}`,
      };
    }
  } catch (error) {
    if (error instanceof ProblemError) return { problems: error.problems, notes: [] };
    throw error;
  }
  const loaded = await loadLocalConfig(io, file, text);
  const phase = loaded.config?.phase ? `, phase "${loaded.config.phase}"` : "";
  return {
    problems: loaded.problems,
    notes: loaded.notes,
    summary: loaded.config ? `repo config for checklist "${loaded.config.checklist}"${phase}` : undefined,
  };
}

/** `gatehouse validate [files...]`: prints every problem as file:line:col and returns the exit code. */
export async function validate(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const files = positionals.length > 0 ? positionals : await defaultFiles(io);
  if (files.length === 0) {
    io.stderr(
      `gatehouse validate: nothing to validate here: no ${CONFIG_PATH}, .github/checklists/*.yml or checklists/*.yml. Run it from the repo root, or pass files: gatehouse validate FILE...\n`,
    );
    return 2;
  }

  const seen = new Set<string>();
  let problemCount = 0;
  let badFiles = 0;
  for (const file of files) {
    const result = await validateFile(io, file);
    for (const note of result.notes) io.stderr(`${note}\n`);
    const fresh = result.problems.map(formatCliProblem).filter((line) => !seen.has(line));
    if (result.problems.length === 0) {
      io.stdout(`ok ${file}${result.summary ? ` (${result.summary})` : ""}\n`);
      continue;
    }
    badFiles++;
    for (const line of fresh) {
      seen.add(line);
      io.stdout(`${line}\n`);
    }
    problemCount += fresh.length;
  }

  if (badFiles === 0) {
    io.stdout(`${count(files.length, "file")} valid\n`);
    return 0;
  }
  io.stdout(`${count(problemCount, "problem")} in ${badFiles} of ${count(files.length, "file")}\n`);
  return 1;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
