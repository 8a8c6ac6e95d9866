/** A user-facing problem in a config or checklist file, located as file:line:col. */
export interface Problem {
  file: string;
  /** 1-based; 0 when the problem has no position (e.g. a missing file). */
  line: number;
  /** 1-based; 0 when unknown. */
  col: number;
  message: string;
  /** The key path of the value at fault, when known (e.g. ["owners", "security", 0]). */
  path?: readonly (string | number)[];
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** Thrown when a file cannot be used; carries every problem found, not just the first. */
export class ProblemError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ProblemError";
  }
}

/**
 * The problems with their messages replaced wherever `file` belongs to another repository: a
 * message may quote the value at fault, and a config check must not show one repository's file
 * (possibly private, possibly a secret pasted by mistake) on another's commit. The key path and
 * position say where to look.
 */
export function withoutForeignValues(problems: Problem[], isForeign: (file: string) => boolean): Problem[] {
  return problems.map((problem) => {
    if (!isForeign(problem.file)) return problem;
    const where = problem.path && problem.path.length > 0 ? `the value of "${keyPath(problem.path)}"` : "this part of the file";
    const repo = problem.file.split(":")[0];
    return {
      ...problem,
      message: `${where} is not valid. Its text is not shown here because it comes from another repository (${repo}); open the file there to see what is wrong.`,
    };
  });
}

/** `["owners", "security", 0]` → `owners.security[0]`. */
function keyPath(path: readonly (string | number)[]): string {
  const text = path.map((segment, i) => (typeof segment === "number" ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join("");
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
