/** The contract between handlers, the sync pipeline and the runtime (types only, so nothing cycles). */
import type { Checklist } from "../../core/config/checklist-schema.js";
import type { RepoConfig } from "../../core/config/config-schema.js";
import type { ProblemError } from "../../core/config/problem.js";
import type { Ledger, LedgerEvent } from "../../core/ledger/ledger.js";
import type { Verdict } from "../../core/evaluate/verdict.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import type { PullRequestInfo } from "../../github/pull-requests.js";

/** What a change sees before it decides which events to append. */
export interface ChangeView {
  config: RepoConfig;
  checklist: Checklist;
  verdict: Verdict;
  ledger: Ledger;
  pr: PullRequestInfo;
  /** The aggregate run's conclusion as last written or read, when known (to record why it turns). */
  written?: string;
}

export interface Change {
  events: LedgerEvent[];
  /** Markdown lines shown at the top of the re-rendered comment (already escaped). */
  notices: string[];
}

export interface SyncRequest {
  gh: GitHubClient;
  repo: RepoRef;
  /** The PR number: requests for one PR are batched together. */
  number: number;
  /** The PR as the event's payload shows it. Without it, the batch reads the PR fresh (once). */
  pr?: PullRequestInfo;
  /** Builds the events to append; runs inside the PR's batch, after the ledger is loaded. */
  change?: (view: ChangeView) => Promise<Change>;
  /** The previous head of a synchronize, for carry-over. */
  before?: string;
  /** The base branch before a retarget (`pull_request.edited` with `changes.base`). */
  retargetedFrom?: string;
  /** Who pushed, for invalidation records. */
  pusher?: string;
  /** The pusher's numeric user id (webhook `sender.id`), recorded so pushers stay excluded from signing. */
  pusherId?: number;
  /** Re-read everything from GitHub instead of trusting the cache (re-runs). */
  refresh?: boolean;
  /** A PR that was just opened: notify owners, and skip looking for earlier ledgers. */
  opening?: boolean;
  /** The checklist comment as this event shows it (a user's edit), so a revert is never skipped. */
  commentNow?: { id: number; body: string };
  /** Also retire a check left from when the PR was a release PR (label removed, base changed). */
  retireIfNotRelease?: boolean;
  /** A deferred re-render of the comment is due: write it now, keeping edits still in flight. */
  flushComment?: boolean;
  /** Signed by a command or the button: its boxes are not ticked in the comment yet, so the re-render must not wait. */
  showNow?: boolean;
  /** Someone edited the checklist's text, not only its boxes: the re-render must not wait. */
  commentTampered?: boolean;
  /** An allowed removal of the release label: recorded in the ledger and named on the retired check. */
  ungated?: { events: LedgerEvent[] };
}

export type SyncOutcome =
  | { kind: "not-release"; reason: string }
  | { kind: "not-our-comment" }
  | { kind: "config-error"; problems: ProblemError["problems"] }
  | { kind: "synced"; verdict: Verdict; appended: LedgerEvent[]; notices: string[]; commentUrl: string };
