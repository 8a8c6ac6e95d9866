import type { Checklist } from "../core/config/checklist-schema.js";
import { CONFIG_PATH, type RepoConfig } from "../core/config/config-schema.js";
import { loadChecklist } from "../core/config/load-checklist.js";
import { checkConfigAgainstChecklist, loadConfigWithLocator, parseExtends } from "../core/config/load-config.js";
import { ProblemError, withoutForeignValues } from "../core/config/problem.js";
import { isRepoChecklistPath, shippedChecklist, unknownChecklistMessage } from "../core/config/resolve-checklist.js";
import type { Locator } from "../core/config/schema-problems.js";
import { parseYaml, type YamlSource } from "../core/config/yaml-source.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { errorMessage, httpStatus } from "./http-error.js";
import { responseText } from "./response-text.js";

/** A file read from GitHub, named `owner/repo:path` in problems. */
export interface RepoFile {
  file: string;
  text: string;
}

export interface LoadedRepoConfig {
  config: RepoConfig;
  checklist: Checklist;
  /** The config layers, base first: `_extends` targets, then the repo's own file. */
  source: RepoFile[];
  /** The checklist file when the config names a path in a repo rather than a shipped checklist. */
  checklistSource?: RepoFile;
}

/** Probot's convention: `_extends` chains stop after this many hops. */
const MAX_EXTENDS_DEPTH = 3;

interface Layer extends RepoFile {
  repo: RepoRef;
  yaml: YamlSource;
}

/**
 * Loads the repo config and its checklist, failing closed. Reads `.github/gatehouse.yml` at
 * `ref` (default: the default branch), falling back to the `<owner>/.github` repo's
 * `.github/gatehouse.yml`; follows `_extends` (at most 3 deep, from default branches); loads the
 * checklist from the repo whose layer names it, or the shipped one; and cross-checks owners,
 * phase and environments against the checklist. Throws ProblemError with file:line:col for every
 * problem, including "no config anywhere".
 */
export async function loadRepoConfig(gh: GitHubClient, repo: RepoRef, options: { ref?: string } = {}): Promise<LoadedRepoConfig> {
  const result = await loadOrCheckRepoConfig(gh, repo, { ...options, extendsOutside: "fetch" });
  if (result.kind !== "loaded") throw new Error("unreachable: _extends targets are always fetched here");
  return result.loaded;
}

/** What validating a config on a branch found. */
export type BranchConfigCheck =
  | { kind: "loaded"; loaded: LoadedRepoConfig }
  /** Valid YAML with a well-formed `_extends` into another repo, which was not read (see validateRepoConfigAt). */
  | { kind: "extends-outside"; file: string; target: string };

/**
 * Validates the config at `ref` for the `Gatehouse config` check of a push. On the default branch
 * this is loadRepoConfig. On any other branch, whoever can push there must not make the App read
 * another repository with its installation token and show the result on their commit: an
 * `_extends` into another repo is checked as a reference only, and the merged config is checked
 * once it reaches the default branch.
 */
export async function validateRepoConfigAt(
  gh: GitHubClient,
  repo: RepoRef,
  ref: string,
  defaultBranch: boolean,
): Promise<BranchConfigCheck> {
  return loadOrCheckRepoConfig(gh, repo, { ref, extendsOutside: defaultBranch ? "fetch" : "reference-only" });
}

async function loadOrCheckRepoConfig(
  gh: GitHubClient,
  repo: RepoRef,
  options: { ref?: string; extendsOutside: "fetch" | "reference-only" },
): Promise<BranchConfigCheck> {
  return loadLayers(gh, repo, options);
}

/**
 * Runs a step that reads file content, so that problems located in another repository's file
 * never quote what that file says (it may be private, or hold a secret pasted by mistake).
 */
function redactingForeign<T>(origin: RepoRef, step: () => T): T {
  const prefix = `${origin.owner}/${origin.repo}:`.toLowerCase();
  const foreign = (file: string) => !file.toLowerCase().startsWith(prefix);
  const rethrow = (error: unknown): never => {
    throw error instanceof ProblemError ? new ProblemError(withoutForeignValues(error.problems, foreign)) : error;
  };
  try {
    const result = step();
    return (result instanceof Promise ? result.catch(rethrow) : result) as T;
  } catch (error) {
    return rethrow(error);
  }
}

async function loadLayers(
  gh: GitHubClient,
  repo: RepoRef,
  options: { ref?: string; extendsOutside: "fetch" | "reference-only" },
): Promise<BranchConfigCheck> {
  const orgRepo = { owner: repo.owner, repo: ".github" };
  const own =
    (await readRepoFile(gh, repo, CONFIG_PATH, options.ref)) ??
    (repo.repo === orgRepo.repo ? undefined : await readRepoFile(gh, orgRepo, CONFIG_PATH));
  if (!own) {
    throw new ProblemError([
      {
        file: `${repo.owner}/${repo.repo}:${CONFIG_PATH}`,
        line: 0,
        col: 0,
        message: `no ${CONFIG_PATH} in ${repo.owner}/${repo.repo} or ${orgRepo.owner}/${orgRepo.repo}. Gatehouse fails closed without a config: add ${CONFIG_PATH} with at least an \`owners\` map (see the README).`,
      },
    ]);
  }

  const followed = await followExtends(gh, own, repo, options.extendsOutside);
  if (!Array.isArray(followed)) return followed;
  const layers = followed;
  // The locator points each problem at the layer that set the value.
  const { config, locate } = redactingForeign(repo, () => loadConfigWithLocator(layers.map(({ file, text }) => ({ file, text }))));
  const { checklist, checklistSource } = await redactingForeign(repo, () => loadChecklistOf(gh, config, layers, locate, repo, options.ref));

  const problems = checkConfigAgainstChecklist(config, checklist, locate);
  if (problems.length > 0)
    redactingForeign(repo, () => {
      throw new ProblemError(problems);
    });

  return { kind: "loaded", loaded: { config, checklist, source: layers.map(({ file, text }) => ({ file, text })), checklistSource } };
}

async function followExtends(
  gh: GitHubClient,
  own: { repo: RepoRef; file: string; text: string },
  origin: RepoRef,
  outside: "fetch" | "reference-only",
): Promise<Layer[] | Extract<BranchConfigCheck, { kind: "extends-outside" }>> {
  const layers: Layer[] = [{ ...own, yaml: redactingForeign(origin, () => parseYaml(own.text, own.file)) }];
  for (;;) {
    const current = layers[0]!;
    const extendsValue = (current.yaml.value as { _extends?: unknown } | null)?._extends;
    // A non-string _extends is left to the schema check, which reports it with its position.
    if (typeof extendsValue !== "string") return layers;

    const at = (message: string): ProblemError =>
      new ProblemError([{ file: current.file, ...current.yaml.locate(["_extends"]), message, path: ["_extends"] }]);
    if (layers.length > MAX_EXTENDS_DEPTH) {
      throw at(`_extends goes more than ${MAX_EXTENDS_DEPTH} levels deep. Point it directly at the base config.`);
    }
    let target: ReturnType<typeof parseExtends>;
    try {
      target = parseExtends(extendsValue);
    } catch (error) {
      redactingForeign(origin, () => {
        throw error instanceof ProblemError ? error : at(errorMessage(error));
      });
      throw error;
    }
    const repo = { owner: target.owner ?? current.repo.owner, repo: target.repo };
    const path = target.path ?? CONFIG_PATH;
    const name = fileName(repo, path);
    if (layers.some((layer) => layer.file === name)) {
      // The raw value is shown only when it is the origin repo's own text.
      const shown = sameRepo(current.repo, origin) ? `: '${extendsValue}'` : "";
      throw at(`_extends${shown} loops back to ${name}. Remove the cycle.`);
    }
    if (outside === "reference-only" && !sameRepo(repo, origin)) return { kind: "extends-outside", file: current.file, target: name };
    const base = await readRepoFile(gh, repo, path);
    if (!base) {
      throw at(
        `_extends: ${name} does not exist, or the token cannot read it. Fix the reference or give the token read access to ${repo.owner}/${repo.repo}.`,
      );
    }
    layers.unshift({ ...base, yaml: redactingForeign(origin, () => parseYaml(base.text, base.file)) });
  }
}

async function loadChecklistOf(
  gh: GitHubClient,
  config: RepoConfig,
  layers: Layer[],
  locate: Locator,
  repo: RepoRef,
  ref: string | undefined,
): Promise<{ checklist: Checklist; checklistSource?: RepoFile }> {
  // The layer that names the checklist: the repo's own file unless it inherits the choice.
  const at = locate(["checklist"]);
  const definer = layers.find((layer) => layer.file === at.file) ?? layers[layers.length - 1]!;
  const problem = (message: string): ProblemError => new ProblemError([{ ...at, message, path: ["checklist"] }]);

  if (!isRepoChecklistPath(config.checklist)) {
    const checklist = shippedChecklist(config.checklist);
    if (!checklist) throw problem(unknownChecklistMessage(config.checklist));
    return { checklist };
  }

  const path = config.checklist.replace(/^\.?\//, "");
  const sameRepo = definer.repo.owner === repo.owner && definer.repo.repo === repo.repo;
  const file = await readRepoFile(gh, definer.repo, path, sameRepo ? ref : undefined);
  if (!file) {
    throw problem(
      `checklist '${config.checklist}' does not exist in ${definer.repo.owner}/${definer.repo.repo}. Fix the path or use a shipped checklist.`,
    );
  }
  return { checklist: loadChecklist(file.text, file.file), checklistSource: { file: file.file, text: file.text } };
}

/** Reads a file's raw text; undefined when it does not exist. */
async function readRepoFile(
  gh: GitHubClient,
  repo: RepoRef,
  path: string,
  ref?: string,
): Promise<{ repo: RepoRef; file: string; text: string } | undefined> {
  const file = fileName(repo, path);
  try {
    const { data } = await gh.rest.repos.getContent({ ...repo, path, ...(ref ? { ref } : {}), mediaType: { format: "raw" } });
    // The raw media type answers with the file's text; a directory still answers with a listing.
    const text = responseText(data);
    if (text === undefined) {
      throw new ProblemError([{ file, line: 0, col: 0, message: `${path} is a directory, not a YAML file.` }]);
    }
    return { repo, file, text };
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}

function sameRepo(a: RepoRef, b: RepoRef): boolean {
  return a.owner.toLowerCase() === b.owner.toLowerCase() && a.repo.toLowerCase() === b.repo.toLowerCase();
}

function fileName(repo: RepoRef, path: string): string {
  return `${repo.owner}/${repo.repo}:${path}`;
}
