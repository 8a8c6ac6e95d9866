import { LRUCache } from "lru-cache";
import type { Ledger } from "../../core/ledger/ledger.js";
import type { Contributor } from "../../core/evaluate/verdict.js";
import type { JudgedVerdict } from "../sync/judged-verdict.js";

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
  /** The verdict last written, with what it was judged on (reused only for the very same inputs). */
  judged?: JudgedVerdict;
}

/**
 * Bounded in-memory cache of PR states. The authoritative copy is always the check run; this only
 * saves reads. Updates are serialized per PR (PrBatcher, and a Redis lease across replicas), and a
 * replica drops its entry when another replica wrote the PR since (PrLeases), so what is cached
 * here is what was last written.
 */
export class PrStateCache {
  readonly #states: LRUCache<string, PrState>;

  constructor(capacity = 2_000) {
    this.#states = new LRUCache({ max: capacity });
  }

  /** Refreshes recency, so busy PRs stay cached. */
  get(key: string): PrState | undefined {
    return this.#states.get(key);
  }

  set(key: string, state: PrState): void {
    this.#states.set(key, state);
  }

  delete(key: string): void {
    this.#states.delete(key);
  }
}

export function prKey(repo: { owner: string; repo: string }, number: number): string {
  return `${repo.owner}/${repo.repo}#${number}`.toLowerCase();
}
