/** A user-facing problem in a config or checklist file, located as file:line:col. */
export interface Problem {
  file: string;
  /** 1-based; 0 when the problem has no position (e.g. a missing file). */
  line: number;
  /** 1-based; 0 when unknown. */
  col: number;
  message: string;
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
