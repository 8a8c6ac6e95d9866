import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Node, type YAMLError } from "yaml";
import { ProblemError, type Problem } from "./problem.js";

/**
 * Config and checklist files are small (the largest shipped checklist is a few KB); anything
 * larger is a mistake or an attack, and is refused before it is parsed.
 */
export const MAX_YAML_BYTES = 256 * 1024;

/** More duplicate keys than this are one mistake repeated; the rest are not listed. */
const MAX_DUPLICATE_PROBLEMS = 20;

export type YamlPath = readonly (string | number)[];

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
}

export interface LocateOptions {
  /** Point at the key of the last map entry instead of its value (for "unknown field" problems). */
  key?: boolean;
}

/** A parsed YAML file that can say where any value came from. */
export interface YamlSource {
  file: string;
  /** The plain JavaScript value; `null` for an empty file. */
  value: unknown;
  /**
   * Where the node at `path` starts. Falls back to the nearest ancestor that exists, so a
   * missing field is reported at the object that lacks it.
   */
  locate(path: YamlPath, options?: LocateOptions): Position;
}

/**
 * Parses one YAML document. Syntax errors throw a ProblemError with every error located as
 * file:line:col.
 */
export function parseYaml(text: string, file: string): YamlSource {
  const size = Buffer.byteLength(text, "utf8");
  if (size > MAX_YAML_BYTES) {
    throw new ProblemError([
      {
        file,
        line: 1,
        col: 1,
        message: `the file is ${size} bytes; Gatehouse reads at most ${MAX_YAML_BYTES} bytes (256 KiB). Split the checklist or remove unused content.`,
      },
    ]);
  }

  const lineCounter = new LineCounter();
  // yaml's own uniqueKeys check compares each key with every earlier one: quadratic in the keys.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const position = (offset: number): Position => lineCounter.linePos(offset);

  if (doc.errors.length > 0) {
    throw new ProblemError(doc.errors.map((error) => syntaxProblem(error, file, position)));
  }
  const duplicates = duplicateKeys(doc.contents as Node | null);
  if (duplicates.length > 0) {
    throw new ProblemError(
      duplicates.slice(0, MAX_DUPLICATE_PROBLEMS).map(({ key, offset }) => ({
        file,
        ...position(offset),
        message: `duplicate key "${key}": a key may appear only once in a mapping. Remove or merge the repeated key.`,
      })),
    );
  }

  let value: unknown;
  try {
    // maxAliasCount guards against alias bombs ("billion laughs").
    value = doc.toJS({ maxAliasCount: 100 }) ?? null;
  } catch (error) {
    throw new ProblemError([
      {
        file,
        line: 1,
        col: 1,
        message: `YAML error: ${(error as Error).message}. Remove the aliases (*name) or anchors (&name) that cause it.`,
      },
    ]);
  }

  const root = doc.contents as Node | null;
  return {
    file,
    value,
    locate(path, options = {}) {
      return position(locateOffset(root, path, options));
    },
  };
}

function locateOffset(root: Node | null, path: YamlPath, options: LocateOptions): number {
  if (!root) return 0;
  let node: Node = root;
  for (const [index, segment] of path.entries()) {
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      const key = pair.key as Node;
      const value = pair.value as Node | null;
      // An empty value (`key:`) has no text of its own; its key is the useful place to point at.
      if ((last && options.key) || !value || isEmptyScalar(value)) return start(key);
      node = value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      node = item;
    } else {
      break;
    }
  }
  return start(node);
}

function isEmptyScalar(node: Node): boolean {
  return isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1];
}

function start(node: Node): number {
  return node.range?.[0] ?? 0;
}

const SYNTAX_HINTS: Record<string, string> = {
  TAB_AS_INDENT: "Indent with spaces, not tabs.",
  MULTIPLE_DOCS: "Keep a single YAML document in the file.",
  BAD_INDENT: "Check the indentation of this line against the lines above it.",
  MISSING_CHAR: "Add the missing character or quote the whole value.",
  BLOCK_AS_IMPLICIT_KEY: 'Quote the value if it contains ": ", or put the nested mapping on its own lines.',
  MULTILINE_IMPLICIT_KEY: "Put the key on one line, or quote the value.",
  UNEXPECTED_TOKEN: "Check the quoting and indentation of this line.",
  BAD_DQ_ESCAPE: 'Escape backslashes in double quotes ("\\\\") or use single quotes.',
};

function syntaxProblem(error: YAMLError, file: string, position: (offset: number) => Position): Problem {
  const { line, col } = position(error.pos[0]);
  let message: string;
  if (error.code === "MULTIPLE_DOCS") {
    message = `YAML syntax error: the file holds more than one document (---). ${SYNTAX_HINTS.MULTIPLE_DOCS}`;
  } else {
    const hint = SYNTAX_HINTS[error.code] ?? "Fix the YAML syntax at this position.";
    message = `YAML syntax error: ${error.message.replace(/\.$/, "")}. ${hint}`;
  }
  return { file, line, col, message };
}

/** Longer keys are shortened in messages; the position says which one it is. */
const MAX_KEY_SHOWN = 60;

/**
 * Every key that repeats an earlier key of the same mapping, in one walk of the document with a
 * Set per mapping: linear in the number of keys. Scalar keys compare by type and value, as
 * YAML's own check does (`1` and `"1"` differ); complex keys (`? [a]`) are rare and left alone.
 */
function duplicateKeys(root: Node | null): { key: string; offset: number }[] {
  const found: { key: string; offset: number }[] = [];
  visit(root, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const value = pair.key.value;
        const id = `${typeof value}:${String(value)}`;
        if (!seen.has(id)) {
          seen.add(id);
          continue;
        }
        const key = String(value);
        found.push({ key: key.length > MAX_KEY_SHOWN ? `${key.slice(0, MAX_KEY_SHOWN)}…` : key, offset: start(pair.key) });
      }
    },
  });
  return found;
}
