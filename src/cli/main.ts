import { audit, AUDIT_USAGE } from "./audit.js";
import { errorMessage } from "../github/http-error.js";
import type { CliIo } from "./io.js";
import { preview, PREVIEW_USAGE } from "./preview.js";
import { validate, VALIDATE_USAGE } from "./validate.js";

/** Exit codes: 0 success, 1 problems found, 2 wrong usage or an unexpected failure. */
export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

interface Command {
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** The subcommands. */
const COMMANDS: Record<string, Command> = {
  validate: { summary: "check checklists and .github/gatehouse.yml", usage: VALIDATE_USAGE, run: validate },
  preview: { summary: "print the comment a release PR would get", usage: PREVIEW_USAGE, run: preview },
  audit: { summary: "export who signed off each merged release PR, for auditors", usage: AUDIT_USAGE, run: audit },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    "Usage: gatehouse <command> [options]",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `gatehouse <command> --help` for a command's options.",
    "",
  ].join("\n");
}

/** Runs the `gatehouse` CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr(usage());
    return EXIT_USAGE;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage());
    return EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`gatehouse: unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(", ")}. Run \`gatehouse --help\`.\n`);
    return EXIT_USAGE;
  }
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout(command.usage);
    return EXIT_OK;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`gatehouse ${name}: ${errorMessage(error)}\n\n${command.usage}`);
      return EXIT_USAGE;
    }
    io.stderr(`gatehouse ${name}: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_USAGE;
  }
}
