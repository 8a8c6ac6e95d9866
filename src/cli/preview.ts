import { parseArgs } from "node:util";
import type { Checklist } from "../core/config/checklist-schema.js";
import { CONFIG_PATH, RepoConfigSchema, type RepoConfig } from "../core/config/config-schema.js";
import { evaluate } from "../core/evaluate/evaluate.js";
import { emptyLedger } from "../core/ledger/ledger.js";
import { checkConfigAgainstChecklist } from "../core/config/load-config.js";
import type { Problem } from "../core/config/problem.js";
import { renderComment } from "../core/render/render-comment.js";
import type { Locator } from "../core/config/schema-problems.js";
import type { PullRequestFacts } from "../core/evaluate/verdict.js";
import type { CliIo } from "./io.js";
import { fileExists, formatCliProblem, loadLocalChecklist, loadLocalConfig } from "./local-files.js";

export const PREVIEW_USAGE = `Usage: gatehouse preview [--config FILE] [--checklist ID|FILE] [--phase PHASE]

Prints the checklist comment a new release PR would get (nothing signed yet).

  --config FILE       repo config (default: ${CONFIG_PATH} if present, else placeholder owners)
  --checklist ID|FILE a shipped checklist id or a checklist file (default: the config's checklist)
  --phase PHASE       preview as if the config set this phase

Exit status: 0 printed, 1 the config or checklist has problems, 2 wrong usage.
`;

/** The PR the preview pretends to render for. */
export const PREVIEW_PULL_REQUEST: PullRequestFacts = {
  number: 1,
  author: "octocat",
  headSha: "0000000000000000000000000000000000000000",
  labels: ["release"],
  baseRef: "release/1.0",
};

function fail(io: CliIo, problems: Problem[]): number {
  for (const p of problems) io.stdout(`${formatCliProblem(p)}\n`);
  return 1;
}

/** `gatehouse preview`: prints the comment Markdown and returns the exit code. */
export async function preview(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: "string" }, checklist: { type: "string" }, phase: { type: "string" } },
  });

  const configFile = values.config ?? ((await fileExists(io, CONFIG_PATH)) ? CONFIG_PATH : undefined);
  let config: RepoConfig = RepoConfigSchema.parse({});
  let checklist: Checklist | undefined;
  let locate: Locator | undefined;
  if (configFile !== undefined) {
    const loaded = await loadLocalConfig(io, configFile);
    for (const note of loaded.notes) io.stderr(`${note}\n`);
    if (!loaded.config) return fail(io, loaded.problems);
    config = loaded.config;
    checklist = loaded.checklist;
    locate = loaded.locate;
    // Without an override, the config's own checklist must load.
    if (!checklist && values.checklist === undefined) return fail(io, loaded.problems);
  }

  if (values.checklist !== undefined) {
    const loaded = await loadLocalChecklist(io, values.checklist, (message) => ({ file: "--checklist", line: 0, col: 0, message }));
    if (!loaded.checklist) return fail(io, loaded.problems);
    checklist = loaded.checklist;
  } else if (!checklist) {
    const loaded = await loadLocalChecklist(io, config.checklist, (message) => ({ file: "checklist", line: 0, col: 0, message }));
    if (!loaded.checklist) return fail(io, loaded.problems);
    checklist = loaded.checklist;
  }

  if (values.phase !== undefined) {
    const phases = checklist.phases.map((p) => p.id);
    if (!phases.includes(values.phase)) {
      return fail(io, [
        {
          file: "--phase",
          line: 0,
          col: 0,
          message: phases.length
            ? `phase ${JSON.stringify(values.phase)} is not a phase of checklist "${checklist.id}" (phases: ${phases.join(", ")}). Pick one of those.`
            : `checklist "${checklist.id}" defines no phases. Drop --phase.`,
        },
      ]);
    }
    config = { ...config, phase: values.phase };
  }

  // The CLI cannot follow _extends, so an extending config is previewed as far as it goes.
  if (configFile !== undefined && config._extends === undefined) {
    const problems = checkConfigAgainstChecklist(config, checklist, locate);
    if (problems.length > 0) return fail(io, problems);
  }

  if (configFile === undefined) {
    // Without a config nobody owns anything; placeholders show where owners would be mentioned.
    const owners = Object.fromEntries([...new Set(checklist.gates.map((g) => g.owner))].map((role) => [role, [`@your-org/${role}`]]));
    config = { ...config, owners };
    io.stderr(`note: no ${CONFIG_PATH} here; previewing checklist "${checklist.id}" with placeholder owners @your-org/<role>.\n`);
  }

  const verdict = evaluate({
    checklist,
    config,
    ledger: emptyLedger(PREVIEW_PULL_REQUEST.number),
    pr: PREVIEW_PULL_REQUEST,
    now: io.now(),
  });
  io.stdout(renderComment({ verdict, checklist, mentionOwners: true }));
  if (verdict.status === "error") {
    io.stderr(`gatehouse preview: ${verdict.reason}\n`);
    return 1;
  }
  return 0;
}
