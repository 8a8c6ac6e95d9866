import type { Checklist } from "../../core/config/checklist-schema.js";
import type { RepoConfig } from "../../core/config/config-schema.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { loadRepoConfig } from "../../github/config-files.js";

export interface LoadedConfig {
  config: RepoConfig;
  checklist: Checklist;
  /** Every file the config was built from, as `owner/repo:path` (its layers and checklist). */
  files: string[];
}

/** Config changes rarely; a minute of staleness saves a read (or three, with _extends) per event. */
export const CONFIG_TTL_MS = 60_000;

/**
 * Caches each repo's effective config from its default branch. Failures are cached too, for the
 * same minute, so a broken config does not turn every event into extra reads; they are rethrown
 * so every caller still fails closed.
 */
export class ConfigCache {
  readonly #entries = new Map<string, { expires: number; result: Promise<LoadedConfig> }>();

  constructor(
    private readonly ttlMs = CONFIG_TTL_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  load(gh: GitHubClient, repo: RepoRef): Promise<LoadedConfig> {
    const key = `${repo.owner}/${repo.repo}`.toLowerCase();
    const now = this.clock();
    const hit = this.#entries.get(key);
    if (hit && hit.expires > now) return hit.result;
    const result = loadRepoConfig(gh, repo).then(({ config, checklist, source, checklistSource }) => ({
      config,
      checklist,
      files: [...source.map((f) => f.file), ...(checklistSource ? [checklistSource.file] : [])],
    }));
    this.#entries.set(key, { expires: now + this.ttlMs, result });
    // A transient GitHub error must not be remembered; only answers about the config itself are.
    result.catch((error: unknown) => {
      if ((error as { name?: string }).name !== "ProblemError") this.#entries.delete(key);
    });
    return result;
  }

  forget(repo: RepoRef): void {
    this.#entries.delete(`${repo.owner}/${repo.repo}`.toLowerCase());
  }
}
