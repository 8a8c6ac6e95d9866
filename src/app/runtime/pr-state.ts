import type { Ledger } from "../../core/ledger/ledger.js";
import type { Contributor } from "../../core/evaluate/verdict.js";

/** What is on GitHub for one release PR, as far as this process knows. */
export interface PrState {
  headSha: string;
  ledger: Ledger;
  /** The aggregate check run on headSha, once created. */
  checkRunId?: number;
  /** Fingerprint of the aggregate run's content as last written or read, to skip no-op PATCHes. */
  checkFingerprint?: string;
  /** Per-gate check runs (config `gate_checks`), by gate id. */
  gateRuns: Record<string, { id: number; fingerprint?: string }>;
  /** Who authored and committed the PR's commits, as read for `headSha` (read once per head). */
  contributors?: { headSha: string; people: Contributor[] };
  /** The checklist comment; `body` is what GitHub holds now, when known. */
  comment?: { id: number; url: string; body?: string };
}

/**
 * Bounded in-memory cache of PR states. The authoritative copy is always the check run; this only
 * saves reads. A single process owns its PRs (updates are serialized per PR by PrLock), so what is
 * cached here is what it last wrote.
 */
export class PrStateCache {
  readonly #states = new Map<string, PrState>();

  constructor(private readonly capacity = 2_000) {}

  get(key: string): PrState | undefined {
    const state = this.#states.get(key);
    if (state) {
      // Refresh recency so busy PRs stay cached.
      this.#states.delete(key);
      this.#states.set(key, state);
    }
    return state;
  }

  set(key: string, state: PrState): void {
    this.#states.delete(key);
    this.#states.set(key, state);
    if (this.#states.size > this.capacity) this.#states.delete(this.#states.keys().next().value as string);
  }

  delete(key: string): void {
    this.#states.delete(key);
  }
}

export function prKey(repo: { owner: string; repo: string }, number: number): string {
  return `${repo.owner}/${repo.repo}#${number}`.toLowerCase();
}
