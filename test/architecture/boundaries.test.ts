import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The house rules of issue 12, checked on the syntax tree (comments and strings never trip them):
 * imports run downhill (app, cli, action → github → core), src/core stays pure, and only
 * src/github talks to the REST client.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

type Layer = "core" | "github" | "app" | "cli" | "action";

/** What each layer may import from the project (its own files included). */
const MAY_IMPORT: Record<Layer, Layer[]> = {
  core: ["core"],
  github: ["github", "core"],
  app: ["app", "github", "core"],
  cli: ["cli", "github", "core"],
  action: ["action", "github", "core"],
};

/**
 * The only packages core may use: it parses and evaluates, nothing more. lru-cache only memoises
 * pure functions there (escaping, parsing a body), whose results depend on their arguments alone.
 */
const CORE_PACKAGES = new Set(["zod", "yaml", "picomatch", "lru-cache", "node:zlib", "node:crypto"]);

/** Property names that mean "calling GitHub": octokit.rest.*, octokit.request(...), octokit.paginate(...). */
const REST_CALLS = new Set(["rest", "request", "paginate"]);

/**
 * `x.rest` is the REST client wherever it appears; `request` and `paginate` only when called
 * (`gh.request(…)`, `gh.paginate(…)`, `gh.paginate.iterator(…)`), since a request error's
 * `error.request` or a sign-off's `change.request` are plain data.
 */
function callsGitHub(node: ts.PropertyAccessExpression): boolean {
  const name = node.name.text;
  if (!REST_CALLS.has(name)) return false;
  if (name === "rest") return true;
  const parent = node.parent;
  if (ts.isCallExpression(parent) && parent.expression === node) return true;
  return name === "paginate" && ts.isPropertyAccessExpression(parent) && parent.expression === node;
}

function layerOf(path: string): Layer | undefined {
  const match = /^(?:src\/(core|github|app|cli)|(action))\//.exec(path);
  return (match?.[1] ?? match?.[2]) as Layer | undefined;
}

interface SourceFile {
  /** Repo-relative, with forward slashes. */
  path: string;
  text: string;
}

/** Every broken rule in the given files, as "path:line: what". */
function violations(files: SourceFile[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const layer = layerOf(file.path);
    if (!layer) continue;
    const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const report = (node: ts.Node, what: string) =>
      found.push(`${file.path}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}: ${what}`);

    const checkImport = (node: ts.Node, specifier: string) => {
      if (specifier.startsWith(".")) {
        const target = relative(ROOT, resolve(ROOT, dirname(file.path), specifier))
          .split("\\")
          .join("/");
        const targetLayer = layerOf(target);
        if (!targetLayer) report(node, `imports ${specifier}, outside src/ and action/`);
        else if (!MAY_IMPORT[layer].includes(targetLayer)) report(node, `${layer} must not import ${targetLayer} (${specifier})`);
      } else if (layer === "core" && !CORE_PACKAGES.has(specifier)) {
        report(node, `core must stay pure: it imports the package ${specifier}`);
      }
    };

    const visit = (node: ts.Node): void => {
      if (
        (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
      ) {
        checkImport(node, node.moduleSpecifier.text);
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        checkImport(node, node.argument.literal.text);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [argument] = node.arguments;
        if (argument && ts.isStringLiteralLike(argument)) checkImport(node, argument.text);
        else report(node, "imports a computed module name");
      }
      if (layer === "core") {
        if (ts.isPropertyAccessExpression(node) && node.expression.getText(source) === "Date" && node.name.text === "now") {
          report(node, "core reads the clock (Date.now): take `now` as an argument");
        }
        if (ts.isNewExpression(node) && node.expression.getText(source) === "Date" && (node.arguments?.length ?? 0) === 0) {
          report(node, "core reads the clock (new Date()): take `now` as an argument");
        }
        if (ts.isPropertyAccessExpression(node) && node.expression.getText(source) === "process" && node.name.text === "env") {
          report(node, "core reads process.env: take the value as an argument");
        }
      }
      if (layer !== "github" && ts.isPropertyAccessExpression(node) && callsGitHub(node)) {
        report(node, `${layer} calls the GitHub client (.${node.name.text}): add a typed function to src/github`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

function sources(dir: string): SourceFile[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split("\\").join("/"))
    .filter((path) => !path.startsWith("action/dist/"))
    .map((path) => ({ path, text: readFileSync(join(ROOT, path), "utf8") }));
}

describe("architecture", () => {
  it("src/ and action/ keep the house rules", () => {
    const files = [...sources("src"), ...sources("action")];
    expect(files.length).toBeGreaterThan(50);
    expect(violations(files)).toEqual([]);
  });

  it("flags an import that runs uphill, type-only ones included", () => {
    expect(
      violations([
        { path: "src/core/ledger/x.ts", text: 'import type { Runtime } from "../../app/runtime/runtime.js";' },
        { path: "src/github/x.ts", text: 'export { main } from "../cli/main.js";' },
        { path: "src/app/x.ts", text: 'const m = await import("../../action/main.js");' },
        { path: "src/cli/x.ts", text: 'type R = import("../app/runtime/runtime.js").Runtime;' },
        { path: "action/x.ts", text: 'import { gatehouse } from "../src/app/index.js";' },
      ]),
    ).toEqual([
      "src/core/ledger/x.ts:1: core must not import app (../../app/runtime/runtime.js)",
      "src/github/x.ts:1: github must not import cli (../cli/main.js)",
      "src/app/x.ts:1: app must not import action (../../action/main.js)",
      "src/cli/x.ts:1: cli must not import app (../app/runtime/runtime.js)",
      "action/x.ts:1: action must not import app (../src/app/index.js)",
    ]);
  });

  it("flags impure core: other packages, the clock, the environment", () => {
    const text = [
      'import { Octokit } from "@octokit/rest";',
      'import { z } from "zod";',
      'import { inflateSync } from "node:zlib";',
      "// Date.now() in a comment is fine, and so is new Date(iso).",
      "export const at = (iso: string) => new Date(iso);",
      "export const now = () => Date.now();",
      "export const today = new Date();",
      "export const token = process.env.GITHUB_TOKEN;",
    ].join("\n");
    expect(violations([{ path: "src/core/config/x.ts", text }])).toEqual([
      "src/core/config/x.ts:1: core must stay pure: it imports the package @octokit/rest",
      "src/core/config/x.ts:6: core reads the clock (Date.now): take `now` as an argument",
      "src/core/config/x.ts:7: core reads the clock (new Date()): take `now` as an argument",
      "src/core/config/x.ts:8: core reads process.env: take the value as an argument",
    ]);
  });

  it("flags REST calls outside src/github", () => {
    const text = [
      "await gh.rest.issues.createComment({ owner, repo, issue_number: 1, body });",
      'await context.octokit.request("GET /user");',
      "await gh.paginate(gh.rest.pulls.listCommits, {});",
    ].join("\n");
    expect(
      violations([
        { path: "src/app/handlers/x.ts", text },
        { path: "src/github/x.ts", text },
      ]),
    ).toEqual([
      "src/app/handlers/x.ts:1: app calls the GitHub client (.rest): add a typed function to src/github",
      "src/app/handlers/x.ts:2: app calls the GitHub client (.request): add a typed function to src/github",
      "src/app/handlers/x.ts:3: app calls the GitHub client (.paginate): add a typed function to src/github",
      "src/app/handlers/x.ts:3: app calls the GitHub client (.rest): add a typed function to src/github",
    ]);
  });
});
