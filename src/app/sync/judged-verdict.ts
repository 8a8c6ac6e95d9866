import { evaluate, type EvaluateInput } from "../../core/evaluate/evaluate.js";
import { verdictStableUntil } from "../../core/evaluate/expiry.js";
import type { Verdict } from "../../core/evaluate/verdict.js";

/**
 * A PR's last verdict with what it was judged on. A tick judges its PR before and after its change;
 * "before" is, most of the time, exactly what the previous event wrote, so it is kept with the PR's
 * state rather than judged again.
 */
export interface JudgedVerdict {
  verdict: Verdict;
  input: Omit<EvaluateInput, "now" | "gates">;
  /** The clock at judging, and until when the verdict holds (see verdictStableUntil). */
  at: number;
  until: number;
}

export function judged(input: Omit<EvaluateInput, "gates">, verdict: Verdict): JudgedVerdict {
  const { now, ...rest } = input;
  return { verdict, input: rest, at: now.getTime(), until: verdictStableUntil(verdict) };
}

/**
 * `evaluate(input)`, or the kept verdict when it was judged on the very same config, checklist and
 * ledger (objects are never changed in place), the same facts of the PR, and no sign-off expired
 * since. Anything else, a clock that went back included, is judged afresh.
 */
export function evaluateOrReuse(kept: JudgedVerdict | undefined, input: Omit<EvaluateInput, "gates">): Verdict {
  const now = input.now.getTime();
  if (kept && now >= kept.at && now < kept.until && sameInputs(kept.input, input)) return kept.verdict;
  return evaluate(input);
}

function sameInputs(a: JudgedVerdict["input"], b: Omit<EvaluateInput, "gates">): boolean {
  return (
    a.ledger === b.ledger &&
    a.config === b.config &&
    a.checklist === b.checklist &&
    a.pr.headSha === b.pr.headSha &&
    a.pr.author === b.pr.author &&
    a.pr.authorId === b.pr.authorId &&
    a.pr.contributors === b.pr.contributors
  );
}
