import { LRUCache } from "lru-cache";
import type { Checklist } from "../../core/config/checklist-schema.js";
import type { RepoConfig } from "../../core/config/config-schema.js";
import { ProblemError } from "../../core/config/problem.js";
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
/** Repos whose config stays cached; the least recently used is read again when needed. */
export const CONFIG_CACHE_MAX = 2_000;

/**
 * Caches each repo's effective config from its default branch. Failures are cached too, for the
 * same minute, so a broken config does not turn every event into extra reads; they are rethrown
 * so every caller still fails closed.
 */
export class ConfigCache {
  readonly #entries: LRUCache<string, Promise<LoadedConfig>>;

  readonly #onForget: ((key: string) => void) | undefined;

  constructor(options: { now: () => Date; ttlMs?: number; max?: number; onForget?: (key: string) => void }) {
    this.#onForget = options.onForget;
    this.#entries = new LRUCache({
      max: options.max ?? CONFIG_CACHE_MAX,
      ttl: options.ttlMs ?? CONFIG_TTL_MS,
      // Read the injected clock on every look-up (lru-cache otherwise reuses a reading for 1 ms).
      ttlResolution: 0,
      perf: { now: () => options.now().getTime() },
    });
  }

  load(gh: GitHubClient, repo: RepoRef): Promise<LoadedConfig> {
    const key = configKey(repo);
    const hit = this.#entries.get(key);
    if (hit) return hit;
    const result = loadRepoConfig(gh, repo).then(({ config, checklist, source, checklistSource }) => ({
      config,
      checklist,
      files: [...source.map((f) => f.file), ...(checklistSource ? [checklistSource.file] : [])],
    }));
    this.#entries.set(key, result);
    // A transient GitHub error must not be remembered; only answers about the config itself are.
    result.catch((error: unknown) => {
      if (!(error instanceof ProblemError) && this.#entries.peek(key) === result) this.#entries.delete(key);
    });
    return result;
  }

  /** The repo's config changed: read it again here, and (through `onForget`) on every other replica. */
  forget(repo: RepoRef): void {
    const key = configKey(repo);
    this.#entries.delete(key);
    this.#onForget?.(key);
  }

  /** Another replica saw the repo's config change. */
  drop(key: string): void {
    this.#entries.delete(key);
  }
}

function configKey(repo: RepoRef): string {
  return `${repo.owner}/${repo.repo}`.toLowerCase();
}
