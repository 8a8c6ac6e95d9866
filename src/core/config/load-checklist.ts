import { ChecklistSchema, ID_PATTERN, type Checklist } from "./checklist-schema.js";
import { DURATION_HINT, parseDuration } from "./duration.js";
import { GLOB_HINT, globProblem } from "./glob.js";
import { ProblemError, type Problem } from "./problem.js";
import { closest, describePath, locatorFor, problemAt, schemaProblems, type IssueHint, type Locator } from "./schema-problems.js";
import { parseThreshold, THRESHOLD_HINT } from "../evaluate/threshold.js";
import { parseYaml, type YamlPath, type YamlSource } from "./yaml-source.js";

/**
 * Parses and validates a checklist file. Throws a ProblemError listing every problem found
 * (YAML syntax, schema, duplicate ids, globs, durations, thresholds, phase references),
 * each located as file:line:col.
 */
export function loadChecklist(text: string, file: string): Checklist {
  return checklistFromSource(parseYaml(text, file));
}

/** Like loadChecklist, for a file that is already parsed. */
export function checklistFromSource(source: YamlSource): Checklist {
  const locate = locatorFor(source);
  if (source.value === null) {
    throw new ProblemError([
      problemAt(
        locate,
        [],
        'the checklist is empty. A checklist needs "id", "title" and "gates"; see checklists/pre-production.yml for an example.',
      ),
    ]);
  }
  const { data, problems } = schemaProblems(ChecklistSchema, source.value, locate, idHint);
  problems.push(...referenceProblems(source.value, locate));
  if (problems.length > 0 || !data) throw new ProblemError(sortProblems(problems));
  return data;
}

/**
 * Orders problems top to bottom within each file and drops exact duplicates. Files keep the
 * order given in `fileOrder` (e.g. `_extends` layers base-first), then their first appearance.
 */
export function sortProblems(problems: Problem[], fileOrder: readonly string[] = []): Problem[] {
  const rank = new Map<string, number>(fileOrder.map((file, i) => [file, i]));
  for (const p of problems) if (!rank.has(p.file)) rank.set(p.file, rank.size);
  const seen = new Set<string>();
  return [...problems]
    .sort((a, b) => rank.get(a.file)! - rank.get(b.file)! || a.line - b.line || a.col - b.col)
    .filter((p) => {
      const key = `${p.file}:${p.line}:${p.col}:${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** Suggests a valid id for one that breaks ID_PATTERN, e.g. "Security Controls" → "security-controls". */
const idHint: IssueHint = (issue, input) => {
  if (issue.code !== "invalid_format" || issue.format !== "regex" || typeof input !== "string") return undefined;
  const slug = input
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "");
  return ID_PATTERN.test(slug) ? `Try ${JSON.stringify(slug)}.` : undefined;
};

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => v !== null && typeof v === "object" && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/**
 * Checks the schema cannot express: unique ids, globs, durations, thresholds and phase
 * references. Works on the raw value so they are reported alongside schema errors.
 */
function referenceProblems(root: unknown, locate: Locator): Problem[] {
  if (!isObject(root)) return [];
  const problems: Problem[] = [];
  const report = (path: YamlPath, message: string) => {
    const { context } = describePath(root, path.slice(0, contextDepth(path)));
    problems.push(problemAt(locate, path, context ? `${context}: ${message}` : message));
  };

  const gateItems = new Map<string, Set<string>>();
  const gateIds = duplicateIds(root.gates, ["gates"], "gate", locate, report);
  list(root.gates).forEach((gate, g) => {
    if (!isObject(gate)) return;
    const itemIds = duplicateIds(gate.items, ["gates", g, "items"], "item", locate, report, "within a gate");
    const id = str(gate.id);
    if (id !== undefined && !gateItems.has(id)) gateItems.set(id, new Set(itemIds));

    list(gate.paths).forEach((glob, p) => {
      if (typeof glob !== "string") return;
      const why = globProblem(glob);
      if (why) report(["gates", g, "paths", p], `path ${JSON.stringify(glob)} is not a usable glob: ${why}. ${GLOB_HINT}`);
    });

    list(gate.items).forEach((item, i) => {
      if (!isObject(item)) return;
      const at = ["gates", g, "items", i];
      const expires = str(item.expires_after);
      if (expires !== undefined && parseDuration(expires) === undefined) {
        report([...at, "expires_after"], `expires_after ${JSON.stringify(expires)} is not a duration. ${DURATION_HINT}`);
      }
      if (isObject(item.evidence)) {
        const metric = str(item.evidence.metric);
        if (metric !== undefined && !parseThreshold(metric)) {
          report([...at, "evidence", "metric"], `evidence.metric ${JSON.stringify(metric)} is not a threshold. ${THRESHOLD_HINT}`);
        }
        if (item.evidence.link === undefined && item.evidence.metric === undefined) {
          report([...at, "evidence"], 'evidence is empty. Set "link: true" or a "metric" threshold, or remove evidence.');
        }
      }
    });
  });

  duplicateIds(root.phases, ["phases"], "phase", locate, report);
  const knownGates = [...gateIds];
  list(root.phases).forEach((phase, ph) => {
    if (!isObject(phase)) return;
    list(phase.success_signals).forEach((signal, s) => {
      const metric = isObject(signal) ? str(signal.metric) : undefined;
      if (metric !== undefined && !parseThreshold(metric)) {
        report(["phases", ph, "success_signals", s, "metric"], `metric ${JSON.stringify(metric)} is not a threshold. ${THRESHOLD_HINT}`);
      }
    });
    if (!isObject(phase.requires)) return;
    const gates = list(phase.requires.gates);
    const items = list(phase.requires.items);
    const listOrAbsent = (v: unknown) => v === undefined || Array.isArray(v);
    if (listOrAbsent(phase.requires.gates) && listOrAbsent(phase.requires.items) && gates.length + items.length === 0) {
      report(
        ["phases", ph, "requires"],
        'requires no gates and no items, so no release in this phase could ever be approved. List gate ids under requires.gates or "gate.item" under requires.items.',
      );
    }
    gates.forEach((gate, i) => {
      if (typeof gate !== "string" || gateItems.has(gate)) return;
      report(
        ["phases", ph, "requires", "gates", i],
        `requires.gates names gate ${JSON.stringify(gate)}, which this checklist does not define${suggest(gate, knownGates)} (gates: ${knownGates.join(", ")}). Fix the id or remove it.`,
      );
    });
    items.forEach((ref, i) => {
      if (typeof ref !== "string") return;
      const at = ["phases", ph, "requires", "items", i];
      const [gate, item, extra] = ref.split(".");
      if (!gate || !item || extra !== undefined) {
        report(at, `requires.items entry ${JSON.stringify(ref)} must be "gate.item", e.g. "security.waf".`);
        return;
      }
      const itemIds = gateItems.get(gate);
      if (!itemIds) {
        report(
          at,
          `requires.items names gate ${JSON.stringify(gate)} in ${JSON.stringify(ref)}, which this checklist does not define${suggest(gate, knownGates)} (gates: ${knownGates.join(", ")}). Fix the id or remove it.`,
        );
      } else if (!itemIds.has(item)) {
        report(
          at,
          `requires.items names item ${JSON.stringify(item)} of gate ${JSON.stringify(gate)}, which does not exist${suggest(item, [...itemIds])} (items: ${[...itemIds].join(", ")}). Fix the id or remove it.`,
        );
      }
    });
  });
  return problems;
}

/** How much of a path names the object a problem belongs to (up to the last gate/item/phase). */
function contextDepth(path: YamlPath): number {
  let depth = 0;
  path.forEach((segment, i) => {
    if (typeof segment === "number" && ["gates", "items", "phases"].includes(String(path[i - 1]))) depth = i + 1;
  });
  // A duplicate id is reported on the object itself, not inside it.
  return path.at(-1) === "id" ? Math.min(depth, path.length - 2) : depth;
}

function suggest(word: string, candidates: string[]): string {
  const guess = closest(word, candidates);
  return guess ? ` (did you mean "${guess}"?)` : "";
}

/** Reports repeated ids in a list of objects; returns the distinct ids in order. */
function duplicateIds(
  value: unknown,
  path: YamlPath,
  what: string,
  locate: Locator,
  report: (path: YamlPath, message: string) => void,
  scope = "",
): string[] {
  const first = new Map<string, number>();
  list(value).forEach((entry, index) => {
    const id = isObject(entry) ? str(entry.id) : undefined;
    if (id === undefined) return;
    const seen = first.get(id);
    if (seen === undefined) {
      first.set(id, index);
      return;
    }
    const { line } = locate([...path, seen, "id"]);
    report(
      [...path, index, "id"],
      `duplicate ${what} id ${JSON.stringify(id)} (first used on line ${line}). ${capitalize(what)} ids must be unique${scope ? ` ${scope}` : ""}; rename or remove one of them.`,
    );
  });
  return [...first.keys()];
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
