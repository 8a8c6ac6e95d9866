import type { AuditEvidence, AuditPullRequest, ForeignCheckRun, LedgerEvidence } from "../core/audit/audit-report.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { errorMessage } from "./http-error.js";
import { readLedgerText } from "./ledger-archive.js";
import { CHECK_NAME, listCheckRunsByName } from "./ledger-check-run.js";

/** Merge times to include; both ends inclusive, either may be open. */
export interface AuditRange {
  since?: Date;
  until?: Date;
}

/** A merged PR as the list endpoint shows it; `mergedBy` needs one more read. */
export type MergedPullRequest = Omit<AuditPullRequest, "mergedBy">;

/**
 * The PRs merged in `range`, read 100 closed PRs per call, most recently updated first. A PR's
 * `updated_at` is never before its `merged_at`, so the listing stops at the first page that
 * reaches back before `since`. `scanned` counts the closed PRs read.
 */
export async function listMergedPullRequests(
  gh: GitHubClient,
  repo: RepoRef,
  range: AuditRange,
): Promise<{ pulls: MergedPullRequest[]; scanned: number }> {
  const pulls: MergedPullRequest[] = [];
  let scanned = 0;
  const inRange = (at: number) =>
    (range.since === undefined || at >= range.since.getTime()) && (range.until === undefined || at <= range.until.getTime());
  const pages = gh.paginate.iterator(gh.rest.pulls.list, { ...repo, state: "closed", sort: "updated", direction: "desc", per_page: 100 });
  for await (const { data } of pages) {
    scanned += data.length;
    for (const pr of data) {
      if (!pr.merged_at || !inRange(Date.parse(pr.merged_at))) continue;
      pulls.push({
        number: pr.number,
        title: pr.title,
        url: pr.html_url,
        author: pr.user?.login ?? "ghost",
        mergedAt: pr.merged_at,
        mergeSha: pr.merge_commit_sha ?? null,
        headSha: pr.head.sha,
        baseRef: pr.base.ref,
        labels: pr.labels.map((l) => l.name ?? "").filter(Boolean),
      });
    }
    const oldest = data.at(-1);
    if (range.since !== undefined && oldest !== undefined && Date.parse(oldest.updated_at) < range.since.getTime()) break;
  }
  return { pulls, scanned };
}

/** API calls `readAuditEvidence` makes for one PR (the README states it; a test counts it), plus one per archive run. */
export const AUDIT_CALLS_PER_PULL_REQUEST = 2;

/**
 * Everything the audit needs about one merged PR, in two calls: the PR (for who merged it) and
 * the "Gatehouse" check runs on its last head. Only a run created by `appId` is read as the
 * ledger (the newest one that belongs to this PR); same-name runs of other apps are reported as
 * forged and never read. A ledger continued in archive runs is read whole, each archive checked
 * (this App's, by digest). A block or archive that does not decode or verify is reported as corrupt.
 */
export async function readAuditEvidence(gh: GitHubClient, repo: RepoRef, pull: MergedPullRequest, appId: number): Promise<AuditEvidence> {
  const { data } = await gh.rest.pulls.get({ ...repo, pull_number: pull.number });
  const pr: AuditPullRequest = { ...pull, mergedBy: data.merged_by?.login ?? null };

  const runs = await listCheckRunsByName(gh, repo, pull.headSha, CHECK_NAME);
  const forged: ForeignCheckRun[] = runs
    .filter((run) => run.app?.id !== appId)
    .map((run) => ({ id: run.id, app: run.app?.slug ?? run.app?.name ?? "an unknown app", appId: run.app?.id ?? null }));
  const trusted = runs.filter((run) => run.app?.id === appId).sort((a, b) => b.id - a.id);

  let ledger: LedgerEvidence = { status: "missing" };
  for (const run of trusted) {
    try {
      const decoded = await readLedgerText(gh, repo, appId, run.output.text ?? "");
      // Two PRs can share a head commit; a ledger never moves between PRs.
      if (decoded !== undefined && decoded.pr !== pull.number) continue;
      ledger = { status: "trusted", checkRunId: run.id, ledger: decoded };
    } catch (error) {
      ledger = { status: "corrupt", checkRunId: run.id, error: errorMessage(error) };
    }
    break;
  }
  return { pr, ledger, forged };
}
