import type { Gate, Item, Phase } from "../config/checklist-schema.js";
import type { LedgerEvent } from "../ledger/ledger.js";

export type ItemStatus = "signed" | "pending" | "expired" | "invalidated" | "evidence_missing" | "below_threshold";

export interface ItemVerdict {
  item: Item;
  /** Required for this release (item flag, gate requirement and phase combined). */
  required: boolean;
  status: ItemStatus;
  /** The sign-off that counts (signed), or the last one that no longer counts. */
  signoff?: LedgerEvent;
  /** Human-readable, e.g. "signed by @alice on 2026-11-25 at abc1234" or "expired 3d ago". */
  reason: string;
}

export type GateStatus = "approved" | "pending" | "optional";

export interface GateVerdict {
  gate: Gate;
  required: boolean;
  status: GateStatus;
  /** e.g. "waiting for @acme/security: 3 of 5 items". */
  reason: string;
  /** The configured owners of the gate's role, e.g. ["@acme/security", "@dana"]. */
  owners: string[];
  items: ItemVerdict[];
  /** Set when the latest invalidation still affects this gate. */
  invalidation?: LedgerEvent;
}

export type VerdictStatus = "approved" | "pending" | "error";

export interface Verdict {
  status: VerdictStatus;
  /** One line, e.g. "2 of 5 required gates approved". */
  reason: string;
  phase?: Phase;
  gates: GateVerdict[];
  approvedGates: number;
  requiredGates: number;
  /** The head SHA evaluated. */
  headSha: string;
}

/** Facts about the PR that evaluation needs. Gathered by the caller; evaluation stays pure. */
export interface PullRequestFacts {
  number: number;
  author: string;
  /** The opener's numeric user id, when known. */
  authorId?: number;
  /**
   * Who authored or committed the PR's commits (from its commit list). With the opener and the
   * pushers the ledger records, they may not sign its gates unless `allow_author` is set.
   * Undefined when not read (the CLI, the audit); then only the opener and pushers are excluded.
   */
  contributors?: Contributor[];
  headSha: string;
  labels: string[];
  baseRef: string;
}

/** A person who wrote or committed a commit of the PR. */
export interface Contributor {
  login: string;
  /** Numeric user id; GitHub knows it only when the commit's email belongs to an account. */
  id?: number;
  as: "author" | "committer";
}
