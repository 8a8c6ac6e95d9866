/**
 * src/core/config owns what a repository configures: the config and checklist schemas, YAML
 * loading with positions, `_extends` layers, and problems reported as file:line:col.
 */
import type { Checklist } from "./checklist-schema.js";
import { CONFIG_PATH, OWNER_PATTERN, RepoConfigSchema, type RepoConfig } from "./config-schema.js";
import { globProblem } from "./glob.js";
import { sortProblems } from "./load-checklist.js";
import { ProblemError, type Problem } from "./problem.js";
import { locatorFor, problemAt, schemaProblems, type IssueHint, type Locator } from "./schema-problems.js";
import { parseYaml, type YamlPath, type YamlSource } from "./yaml-source.js";

/** One config file: an `_extends` target or the repo's own `.github/gatehouse.yml`. */
export interface ConfigLayer {
  /** Shown in problems, e.g. "acme/.github:.github/gatehouse.yml". */
  file: string;
  text: string;
}

/**
 * Loads a repo config from its layers, ordered base-first (an `_extends` target before the
 * file that extends it). Objects merge with later layers winning; arrays are replaced.
 * Throws a ProblemError with every problem located in the layer that set the bad value.
 */
export function loadConfig(layers: ConfigLayer[]): RepoConfig {
  return loadConfigWithLocator(layers).config;
}

/** Like loadConfig, and also returns a Locator for cross-checks (checkConfigAgainstChecklist). */
export function loadConfigWithLocator(layers: ConfigLayer[]): { config: RepoConfig; locate: Locator } {
  if (layers.length === 0) throw new Error("loadConfig needs at least one layer");
  const problems: Problem[] = [];
  const sources: YamlSource[] = [];
  const files = layers.map((l) => l.file);
  for (const layer of layers) {
    try {
      sources.push(parseYaml(layer.text, layer.file));
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ProblemError(sortProblems(problems, files));

  const values: Record<string, unknown>[] = [];
  for (const source of sources) {
    const value = source.value ?? {};
    if (!isObject(value)) {
      problems.push(
        problemAt(
          locatorFor(source),
          [],
          `the config must be a mapping of keys such as "checklist:" and "owners:", not ${Array.isArray(value) ? "a list" : "a single value"}. See the configuration reference in the README.`,
        ),
      );
      continue;
    }
    values.push(value);
    const ext = value._extends;
    if (typeof ext === "string") {
      const why = extendsProblem(ext);
      if (why) problems.push(problemAt(locatorFor(source), ["_extends"], why));
    }
  }
  if (problems.length > 0) throw new ProblemError(sortProblems(problems, files));

  const merged = values.reduce<Record<string, unknown>>((base, layer) => mergeLayer(base, layer), {});
  const locate = layeredLocator(sources.map((source, i) => ({ source, value: values[i] })));
  const { data, problems: schema } = schemaProblems(RepoConfigSchema, merged, locate, ownerHint);
  problems.push(...schema);

  const release = isObject(merged.release) ? merged.release : {};
  if (Array.isArray(release.branches)) {
    release.branches.forEach((glob, i) => {
      const why = typeof glob === "string" ? globProblem(glob) : undefined;
      if (why) {
        problems.push(
          problemAt(
            locate,
            ["release", "branches", i],
            `release.branches ${JSON.stringify(glob)} is not a usable branch glob: ${why}. Use branch names or globs such as "main" or "release/*".`,
          ),
        );
      }
    });
  }
  if (problems.length > 0 || !data) throw new ProblemError(sortProblems(problems, files));
  return { config: data, locate };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Deep-merges objects; arrays and scalars from `layer` replace what `base` had. */
function mergeLayer(base: Record<string, unknown>, layer: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(layer)) {
    const previous = out[key];
    out[key] = isObject(previous) && isObject(value) ? mergeLayer(previous, value) : value;
  }
  return out;
}

function hasPath(value: unknown, path: YamlPath): boolean {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, segment)) return false;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return true;
}

/** Locates a path in the last layer that defines it (or the longest part of it). */
function layeredLocator(layers: { source: YamlSource; value: unknown }[]): Locator {
  return (path, options) => {
    for (let length = path.length; length >= 0; length--) {
      const prefix = path.slice(0, length);
      for (let i = layers.length - 1; i >= 0; i--) {
        const layer = layers[i]!;
        if (hasPath(layer.value, prefix)) return { file: layer.source.file, ...layer.source.locate(path, options) };
      }
    }
    const last = layers.at(-1)!.source;
    return { file: last.file, line: 1, col: 1 };
  };
}

const ownerHint: IssueHint = (issue, input) => {
  if (issue.path[0] !== "owners" || issue.code !== "invalid_format" || typeof input !== "string") return undefined;
  const fixed = `@${input.trim().replace(/^@+/, "")}`;
  return OWNER_PATTERN.test(fixed) ? `Write it as "${fixed}".` : 'Write a team as "@org/team-slug" or a user as "@login".';
};

const OWNER_NAME = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})";
const REPO_NAME = "[A-Za-z0-9_.-]+";
const EXTENDS_PATTERN = new RegExp(`^(?:(${OWNER_NAME})/)?(${REPO_NAME})(?::([^\\s:]+\\.ya?ml))?$`);
const EXTENDS_HINT = 'Use "repo", "owner/repo" or "owner/repo:path/to/file.yml", e.g. "acme/.github".';

function extendsProblem(value: string): string | undefined {
  return EXTENDS_PATTERN.test(value) ? undefined : `_extends ${JSON.stringify(value)} is not a repository reference. ${EXTENDS_HINT}`;
}

/**
 * Parses `_extends` (Probot convention): "repo", "owner/repo" or "owner/repo:path.yml".
 * Without an owner the repo is in the same owner; without a path it is `.github/gatehouse.yml`.
 * Throws for anything else (loadConfig reports it with a position first).
 */
export function parseExtends(value: string): { owner?: string; repo: string; path?: string } {
  const match = EXTENDS_PATTERN.exec(value.trim());
  if (!match) throw new Error(`Invalid _extends ${JSON.stringify(value)}. ${EXTENDS_HINT}`);
  const [, owner, repo, path] = match;
  return { ...(owner ? { owner } : {}), repo: repo!, ...(path ? { path } : {}) };
}

/** Where a config's values are: a single parsed file, or a Locator (e.g. over `_extends` layers). */
export type ConfigLocation = { file: string; locate: YamlSource["locate"] } | Locator;

/**
 * Cross-checks a repo config against its checklist. Fails closed: a role the checklist uses
 * without owners is a problem, never an open gate. Also reports owner roles the checklist
 * does not use, an unknown `phase` and environments naming unknown gates.
 */
export function checkConfigAgainstChecklist(config: RepoConfig, checklist: Checklist, locateIn?: ConfigLocation): Problem[] {
  const locate: Locator =
    typeof locateIn === "function" ? locateIn : locateIn ? locatorFor(locateIn) : () => ({ file: CONFIG_PATH, line: 0, col: 0 });
  const problems: Problem[] = [];
  const name = JSON.stringify(checklist.id);

  const gatesByRole = new Map<string, string[]>();
  for (const gate of checklist.gates) gatesByRole.set(gate.owner, [...(gatesByRole.get(gate.owner) ?? []), gate.id]);
  const roles = [...gatesByRole.keys()].sort();

  for (const role of roles) {
    if ((config.owners[role]?.length ?? 0) > 0) continue;
    const gates = gatesByRole.get(role)!.map((g) => JSON.stringify(g));
    problems.push(
      problemAt(
        locate,
        ["owners"],
        `role ${JSON.stringify(role)} has no owners, so nobody could sign ${gates.length === 1 ? "gate" : "gates"} ${gates.join(", ")} of checklist ${name}. Add owners.${role}, e.g. ${role}: ["@your-org/${role}"].`,
        { key: true },
      ),
    );
  }

  for (const role of Object.keys(config.owners)) {
    if (gatesByRole.has(role)) continue;
    problems.push(
      problemAt(
        locate,
        ["owners", role],
        `role ${JSON.stringify(role)} is not used by checklist ${name} (roles: ${roles.join(", ")}). Fix the name or remove it.`,
        { key: true },
      ),
    );
  }

  if (config.phase !== undefined && !checklist.phases.some((p) => p.id === config.phase)) {
    const phases = checklist.phases.map((p) => p.id);
    problems.push(
      problemAt(
        locate,
        ["phase"],
        phases.length === 0
          ? `phase ${JSON.stringify(config.phase)} is set, but checklist ${name} defines no phases. Remove phase.`
          : `phase ${JSON.stringify(config.phase)} is not a phase of checklist ${name} (phases: ${phases.join(", ")}). Fix the name or remove phase.`,
      ),
    );
  }

  const gateIds = checklist.gates.map((g) => g.id);
  for (const [environment, gates] of Object.entries(config.environments)) {
    if (gates === "all") continue;
    if (gates.length === 0) {
      problems.push(
        problemAt(
          locate,
          ["environments", environment],
          `environment ${JSON.stringify(environment)} lists no gates, so deployments to it would never wait for sign-off. List gate ids, use "all", or remove the environment.`,
        ),
      );
    }
    gates.forEach((gate, i) => {
      if (gateIds.includes(gate)) return;
      problems.push(
        problemAt(
          locate,
          ["environments", environment, i],
          `environment ${JSON.stringify(environment)} requires gate ${JSON.stringify(gate)}, which checklist ${name} does not define (gates: ${gateIds.join(", ")}). Fix the id or use "all".`,
        ),
      );
    });
  }
  return sortProblems(problems);
}
