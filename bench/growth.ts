import { ChecklistSchema, type Checklist } from "../src/core/config/checklist-schema.js";
import { RepoConfigSchema } from "../src/core/config/config-schema.js";
import { evaluate } from "../src/core/evaluate/evaluate.js";
import type { Ledger, LedgerEvent } from "../src/core/ledger/ledger.js";
import { renderCheckRun } from "../src/core/render/render-check-run.js";
import { renderComment } from "../src/core/render/render-comment.js";
import type { PullRequestFacts } from "../src/core/evaluate/verdict.js";
import { median } from "./delivery-stream.js";

export interface GrowthMeasurement {
  items: number;
  signoffs: number;
  /** Median milliseconds of one evaluate + renderComment + renderCheckRun. */
  totalMs: number;
  evaluateMs: number;
  commentMs: number;
  checkRunMs: number;
  commentChars: number;
  checkRunTextChars: number;
  runs: number;
}

const ROLES = ["infrastructure", "security", "operations", "compliance", "support"];
const HEAD = "f".repeat(40);
const NOW = new Date("2026-11-25T12:00:00Z");
const ITEMS_PER_GATE = 10;

/** A checklist of `items` items in gates of ten, owned by the five shipped roles in turn. */
function syntheticChecklist(items: number): Checklist {
  const gates = Array.from({ length: Math.ceil(items / ITEMS_PER_GATE) }, (_, g) => ({
    id: `gate-${g}`,
    title: `Gate ${g}: readiness of component ${g}`,
    description: "Why this gate exists, in a sentence or two that owners read before signing.",
    owner: ROLES[g % ROLES.length]!,
    paths: [`services/component-${g}/**`],
    items: Array.from({ length: Math.min(ITEMS_PER_GATE, items - g * ITEMS_PER_GATE) }, (_, i) => ({
      id: `item-${i}`,
      title: `Item ${i} of gate ${g} is verified in production-like conditions`,
      description: "Guidance for the owner: what to check and where the evidence lives.",
    })),
  }));
  return ChecklistSchema.parse({ id: "growth", title: `Growth checklist of ${items} items`, gates });
}

/** `count` sign-offs spread over the items in turn (later ones re-sign earlier items), as owners would make them. */
function ledgerOf(checklist: Checklist, count: number): Ledger {
  const targets = checklist.gates.flatMap((gate) => gate.items.map((item) => ({ gate, item })));
  const events: LedgerEvent[] = Array.from({ length: count }, (_, n) => {
    const { gate, item } = targets[n % targets.length]!;
    return {
      kind: "signoff",
      actor: `${gate.owner}-owner-${(n % 5) + 1}`,
      role: gate.owner,
      gate: gate.id,
      item: item.id,
      sha: HEAD,
      at: new Date(NOW.getTime() - (count - n) * 60_000).toISOString(),
      method: n % 3 === 0 ? "command" : "tick",
      ...(n % 3 === 0 ? { note: `checked in run ${n}` } : {}),
    };
  });
  return { version: 1, pr: 1, events };
}

/** Evaluate + render cost of the core for one checklist size and ledger length, in-process. */
export function measureGrowth(items: number, signoffs: number, budgetMs = 400): GrowthMeasurement {
  const checklist = syntheticChecklist(items);
  const config = RepoConfigSchema.parse({ owners: Object.fromEntries(ROLES.map((r) => [r, [`@acme/${r}`]])) });
  const ledger = ledgerOf(checklist, signoffs);
  const pr: PullRequestFacts = { number: 1, author: "dev", headSha: HEAD, labels: ["release"], baseRef: "main" };

  const samples: { evaluate: number; comment: number; checkRun: number }[] = [];
  let commentChars = 0;
  let checkRunTextChars = 0;
  const started = performance.now();
  for (let run = 0; run < 3 || (performance.now() - started < budgetMs && run < 200); run++) {
    const t0 = performance.now();
    const verdict = evaluate({ checklist, config, ledger, pr, now: NOW });
    const t1 = performance.now();
    const comment = renderComment({ verdict, checklist, mentionOwners: false });
    const t2 = performance.now();
    const output = renderCheckRun({ verdict, ledger, checklist });
    const t3 = performance.now();
    commentChars = comment.length;
    checkRunTextChars = output.text.length;
    // The first run pays for JIT compilation: not what a running App pays.
    if (run > 0) samples.push({ evaluate: t1 - t0, comment: t2 - t1, checkRun: t3 - t2 });
  }
  return {
    items,
    signoffs,
    totalMs: median(samples.map((s) => s.evaluate + s.comment + s.checkRun)),
    evaluateMs: median(samples.map((s) => s.evaluate)),
    commentMs: median(samples.map((s) => s.comment)),
    checkRunMs: median(samples.map((s) => s.checkRun)),
    commentChars,
    checkRunTextChars,
    runs: samples.length,
  };
}
