import { resolve } from "node:path";
import type { Checklist } from "../core/config/checklist-schema.js";
import type { RepoConfig } from "../core/config/config-schema.js";
import { loadChecklist } from "../core/config/load-checklist.js";
import { checkConfigAgainstChecklist, loadConfigWithLocator } from "../core/config/load-config.js";
import { ProblemError, type Problem } from "../core/config/problem.js";
import { isRepoChecklistPath, SHIPPED_CHECKLIST_IDS, shippedChecklist, unknownChecklistMessage } from "../core/config/resolve-checklist.js";
import type { Locator } from "../core/config/schema-problems.js";
import { errorMessage } from "../github/http-error.js";
import type { CliIo } from "./io.js";

/** `file:line:col: message`, or `file: message` for problems without a position (a missing file). */
export function formatCliProblem(p: Problem): string {
  return p.line > 0 ? `${p.file}:${p.line}:${p.col}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** Reads a file relative to the working directory; a missing file is a problem, not a crash. */
export async function readLocalFile(io: CliIo, file: string): Promise<{ text?: string; problems: Problem[] }> {
  try {
    return { text: await io.readFile(resolve(io.cwd, file)), problems: [] };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why =
      code === "ENOENT"
        ? "the file does not exist. Check the path (relative to the current directory)."
        : code === "EISDIR"
          ? "this is a directory. Pass a YAML file."
          : `cannot read the file: ${errorMessage(error)}`;
    return { problems: [{ file, line: 0, col: 0, message: why }] };
  }
}

export async function fileExists(io: CliIo, file: string): Promise<boolean> {
  return (await readLocalFile(io, file)).text !== undefined;
}

function problemsOf(error: unknown): Problem[] {
  if (error instanceof ProblemError) return error.problems;
  throw error;
}

/**
 * Resolves a `checklist:` reference: a shipped id, or a path in the repo (relative to the
 * working directory, which should be the repo root). `at` locates problems with the reference.
 */
export async function loadLocalChecklist(
  io: CliIo,
  ref: string,
  at: (message: string) => Problem,
): Promise<{ checklist?: Checklist; problems: Problem[] }> {
  if (!isRepoChecklistPath(ref)) {
    const checklist = shippedChecklist(ref);
    return checklist ? { checklist, problems: [] } : { problems: [at(unknownChecklistMessage(ref))] };
  }
  const { text } = await readLocalFile(io, ref);
  if (text === undefined) {
    return {
      problems: [
        at(
          `checklist file ${JSON.stringify(ref)} does not exist (looked for ${resolve(io.cwd, ref)}). Fix the path, relative to the repo root, or use a shipped checklist (${SHIPPED_CHECKLIST_IDS.join(", ")}).`,
        ),
      ],
    };
  }
  try {
    return { checklist: loadChecklist(text, ref), problems: [] };
  } catch (error) {
    return { problems: problemsOf(error) };
  }
}

export interface LocalConfig {
  config?: RepoConfig;
  checklist?: Checklist;
  locate?: Locator;
  problems: Problem[];
  /** Things the user should know that are not errors. */
  notes: string[];
}

/**
 * Loads a repo config file and its checklist, and cross-checks them. `_extends` is not
 * followed (that needs GitHub), so a config that extends another skips the cross-check.
 */
export async function loadLocalConfig(io: CliIo, file: string, text?: string): Promise<LocalConfig> {
  if (text === undefined) {
    const read = await readLocalFile(io, file);
    if (read.text === undefined) return { problems: read.problems, notes: [] };
    text = read.text;
  }
  let loaded: ReturnType<typeof loadConfigWithLocator>;
  try {
    loaded = loadConfigWithLocator([{ file, text }]);
  } catch (error) {
    return { problems: problemsOf(error), notes: [] };
  }
  const { config, locate } = loaded;
  const { checklist, problems } = await loadLocalChecklist(io, config.checklist, (message) => ({
    ...locate(["checklist"]),
    message,
  }));
  if (!checklist) return { config, locate, problems, notes: [] };
  if (config._extends !== undefined) {
    return {
      config,
      checklist,
      locate,
      problems: [],
      notes: [
        `${file}: note: _extends ${JSON.stringify(config._extends)} is read by the App and the Action, not by the CLI; owners and phase were not cross-checked against checklist "${checklist.id}".`,
      ],
    };
  }
  return { config, checklist, locate, problems: checkConfigAgainstChecklist(config, checklist, locate), notes: [] };
}
