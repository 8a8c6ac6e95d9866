import type { z } from "zod";
import type { Problem } from "./problem.js";
import type { LocateOptions, YamlPath, YamlSource } from "./yaml-source.js";

/** Finds the file, line and column of a value path (one file, or the right layer of several). */
export type Locator = (path: YamlPath, options?: LocateOptions) => { file: string; line: number; col: number };

/** A Locator over a single parsed file. */
export function locatorFor(source: Pick<YamlSource, "file" | "locate">): Locator {
  return (path, options) => ({ file: source.file, ...source.locate(path, options) });
}

/** Builds a Problem at `path`. */
export function problemAt(locate: Locator, path: YamlPath, message: string, options?: LocateOptions): Problem {
  return { ...locate(path, options), message, path };
}

/** Extra advice for one issue, e.g. the corrected spelling of an owner. */
export type IssueHint = (issue: z.core.$ZodIssue, input: unknown) => string | undefined;

/**
 * Validates `value` against `schema` and turns every zod issue into a located Problem whose
 * message says what is wrong and what to do.
 */
export function schemaProblems<T>(
  schema: z.ZodType<T>,
  value: unknown,
  locate: Locator,
  hint?: IssueHint,
): { data?: T; problems: Problem[] } {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return { data: result.data, problems: [] };
  const problems = result.error.issues.flatMap((issue) => issueProblems(schema, value, issue, locate, hint));
  return { problems };
}

function issueProblems(schema: z.ZodType, root: unknown, issue: z.core.$ZodIssue, locate: Locator, hint?: IssueHint): Problem[] {
  const path = issue.path as (string | number)[];
  const { context, field } = describePath(root, path);
  const prefix = context ? `${context}: ` : "";
  const input = (issue as { input?: unknown }).input;
  const advice = (text: string) => {
    const extra = hint?.(issue, input);
    return extra ? `${text} ${extra}` : text;
  };
  const at = (message: string, p: YamlPath = path, options?: LocateOptions) => problemAt(locate, p, prefix + advice(message), options);

  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = fieldsOf(schemaAt(schema, path));
      return issue.keys.map((key) => {
        const guess = closest(key, allowed);
        return problemAt(
          locate,
          [...path, key],
          `${prefix}unknown field "${key}"${guess ? ` (did you mean "${guess}"?)` : ""}. ` +
            `Allowed fields: ${allowed.join(", ")}. Fix the spelling or remove it.`,
          { key: true },
        );
      });
    }
    case "invalid_type": {
      if (input === undefined) {
        const about = summary(schemaAt(schema, path));
        return [at(`required field ${quoteField(field)} is missing${about ? ` (${about})` : ""}. Add it.`)];
      }
      return [
        at(`${subject(field)} must be ${expectedText(issue.expected)}, not ${describeValue(input)}.${typeHint(issue.expected, input)}`),
      ];
    }
    case "too_small": {
      if (issue.origin === "array") {
        return [
          at(
            `${subject(field)} must list at least ${issue.minimum} ${issue.minimum === 1 ? "entry" : "entries"}; it is empty. Add one or remove the field.`,
          ),
        ];
      }
      if (issue.origin === "string") return [at(`${subject(field)} must not be empty. Write some text or remove the field.`)];
      return [at(`${subject(field)} is too small: ${issue.message}.`)];
    }
    case "invalid_format": {
      if (issue.format === "url") {
        return [at(`${subject(field)} must be a full URL such as "https://wiki.example.com/runbook", not ${describeValue(input)}.`)];
      }
      return [at(`${subject(field)} has the invalid value ${JSON.stringify(input)}: ${issue.message}.`)];
    }
    case "invalid_value":
      return [
        at(`${subject(field)} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, not ${describeValue(input)}.`),
      ];
    case "invalid_union": {
      const options = issue.errors
        .map((errors) => errors[0])
        .filter((e): e is z.core.$ZodIssue => e !== undefined)
        .map((e) =>
          e.code === "invalid_value"
            ? e.values.map((v) => JSON.stringify(v)).join(" or ")
            : e.code === "invalid_type"
              ? expectedText(e.expected)
              : e.message,
        );
      return [at(`${subject(field)} must be ${options.join(" or ")}, not ${describeValue(input)}.`)];
    }
    default:
      return [at(`${subject(field)}: ${issue.message}.`)];
  }
}

const SINGULAR: Record<string, string> = {
  gates: "gate",
  items: "item",
  phases: "phase",
  success_signals: "success signal",
};

/**
 * Splits a value path into a readable context ("item \"waf\" in gate \"security\"") and the
 * remaining field path ("evidence.metric").
 */
export function describePath(root: unknown, path: YamlPath): { context: string; field: string } {
  const context: string[] = [];
  let field: string[] = [];
  let node: unknown = root;
  for (const [index, segment] of path.entries()) {
    const parentKey = path[index - 1];
    const child = node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[segment] : undefined;
    const isEntry = child !== null && typeof child === "object" && !Array.isArray(child);
    if (typeof segment === "number" && typeof parentKey === "string" && SINGULAR[parentKey] && isEntry) {
      const id = (child as { id?: unknown }).id;
      context.unshift(`${SINGULAR[parentKey]} ${typeof id === "string" ? JSON.stringify(id) : `#${segment + 1}`}`);
      field = [];
    } else if (typeof segment === "number") {
      field.push(`[${segment}]`);
    } else {
      field.push(segment);
    }
    node = child;
  }
  return { context: context.join(" in "), field: field.join(".").replace(/\.\[/g, "[") };
}

function quoteField(field: string): string {
  return `"${field.split(".").at(-1) ?? field}"`;
}

function subject(field: string): string {
  return field ? `"${field}"` : "the file's top level";
}

function expectedText(expected: string): string {
  switch (expected) {
    case "string":
      return "text";
    case "boolean":
      return "true or false";
    case "number":
      return "a number";
    case "array":
      return "a list";
    case "object":
    case "record":
      return "a mapping (key: value lines)";
    default:
      return expected;
  }
}

function typeHint(expected: string, input: unknown): string {
  if (expected === "array" && (typeof input === "string" || typeof input === "number")) {
    return ` Write it as a list: [${JSON.stringify(input)}].`;
  }
  if (expected === "boolean" && typeof input === "string") return " Write true or false without quotes.";
  if (expected === "string" && (typeof input === "number" || typeof input === "boolean")) {
    return ` Quote it: "${String(input)}".`;
  }
  return "";
}

/** A short, safe description of a YAML value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `the text ${JSON.stringify(shown)}`;
  }
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  return "a mapping";
}

interface ZodInternals {
  _zod: {
    def: {
      type: string;
      innerType?: z.ZodType;
      in?: z.ZodType;
      shape?: Record<string, z.ZodType>;
      element?: z.ZodType;
      valueType?: z.ZodType;
    };
  };
  description?: string;
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let s = schema as unknown as ZodInternals | undefined;
  while (s) {
    const def = s._zod.def;
    const inner = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
    if (!inner) break;
    s = inner as unknown as ZodInternals;
  }
  return s as unknown as z.ZodType | undefined;
}

/** The schema that validates the value at `path`, if it can be found. */
function schemaAt(schema: z.ZodType, path: YamlPath): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (const segment of path) {
    const def: ZodInternals["_zod"]["def"] | undefined = (unwrap(s) as unknown as ZodInternals | undefined)?._zod.def;
    if (!def) return undefined;
    if (def.type === "object") s = def.shape?.[String(segment)];
    else if (def.type === "array") s = def.element;
    else if (def.type === "record") s = def.valueType;
    else return undefined;
  }
  return s;
}

function fieldsOf(schema: z.ZodType | undefined): string[] {
  const def = (unwrap(schema) as unknown as ZodInternals | undefined)?._zod.def;
  return def?.type === "object" && def.shape ? Object.keys(def.shape).filter((k) => k !== "$schema") : [];
}

/** The first sentence of a field's `.describe()` text, lowercased to fit mid-sentence. */
function summary(schema: z.ZodType | undefined): string | undefined {
  let s = schema as unknown as ZodInternals | undefined;
  while (s) {
    if (s.description) {
      const first = s.description.split(/(?<=\.)\s/)[0]!.replace(/\.$/, "");
      return first.charAt(0).toLowerCase() + first.slice(1);
    }
    const def = s._zod.def;
    s = (def.innerType ?? (def.type === "pipe" ? def.in : undefined)) as unknown as ZodInternals | undefined;
  }
  return undefined;
}

/** The allowed name closest to a misspelt one, when it is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/** Optimal string alignment distance: edits plus adjacent swaps ("titel" → "title" is 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
