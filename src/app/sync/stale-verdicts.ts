import { expiryEvents, nextExpiry, reevaluationEvent } from "../../core/evaluate/expiry.js";
import { matchRelease } from "../../core/evaluate/release-match.js";
import { escapeMarkdown } from "../../core/render/escape.js";
import { listOwnCheckRuns } from "../../github/check-runs.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { CHECK_NAME } from "../../github/ledger-check-run.js";
import { listOpenPullRequests } from "../../github/installations.js";
import { getPullRequest, type PullRequestInfo } from "../../github/pull-requests.js";
import { prKey } from "../runtime/pr-state.js";
import type { Runtime, SyncListener } from "../runtime/runtime.js";
import { conclusionOf } from "./check-run-content.js";
import { syncRelease } from "./release-sync.js";
import type { Change, ChangeView } from "./sync-types.js";

/** Open PRs looked at per repo when re-evaluating (one page). */
export const MAX_PRS_PER_REPO = 100;

export type Log = (message: string) => void;

/** Records each sign-off that has expired (once), so the audit shows why the check turned. */
export function expiryChange(rt: Runtime): (view: ChangeView) => Promise<Change> {
  return async (view) => {
    const events = expiryEvents(view.verdict, view.ledger.events, rt.now());
    const notices = events.map((e) => `⌛ The sign-off of \`${escapeMarkdown(`${e.gate}.${e.item}`)}\` expired; it must be signed again.`);
    return { events, notices };
  };
}

/** Records that a config change turned the verdict, when it did. */
function reevaluationChange(rt: Runtime, configSha: string): (view: ChangeView) => Promise<Change> {
  return async (view) => {
    const now = conclusionOf(view.verdict.status);
    const expired = expiryEvents(view.verdict, view.ledger.events, rt.now());
    if (view.written === undefined || view.written === now) return { events: expired, notices: [] };
    const event = reevaluationEvent({ verdict: view.verdict, was: view.written, now: view.verdict.status, configSha, at: rt.now() });
    return {
      events: [...expired, event],
      notices: [`🔄 Re-evaluated after the configuration changed at \`${escapeMarkdown(configSha.slice(0, 7))}\`.`],
    };
  };
}

/**
 * After each sync, sets the PR's timer for its earliest expiring sign-off; when it fires the PR is
 * synced again (no webhook needed) and the expiry recorded. A PR with nothing to expire has no timer.
 */
export function watchExpiry(rt: Runtime, log: Log): SyncListener {
  return async ({ gh, repo, pr, verdict }) => {
    const key = prKey(repo, pr.number);
    const at = pr.state === "open" ? nextExpiry(verdict) : undefined;
    if (at === undefined) {
      rt.expiry.cancel(key);
      return;
    }
    rt.expiry.schedule(key, at, () => {
      // A PR closed since is left as it was merged or closed: its record must not change after.
      getPullRequest(gh, repo, pr.number)
        .then((fresh) =>
          fresh.state === "open" ? syncRelease(rt, { gh, repo, number: pr.number, pr: fresh, change: expiryChange(rt) }) : undefined,
        )
        .catch((error: unknown) => log(`expiry re-evaluation of ${key} failed: ${(error as Error).message}`));
    });
  };
}

/**
 * Re-evaluates the open release PRs of a repo: those with a Gatehouse check run of this App on
 * their head. One after another (the installation's client spaces the writes); each PR fails soft.
 * `configSha` set: the default branch's config changed there, and a turned verdict is recorded.
 */
export async function reevaluateOpenReleases(
  rt: Runtime,
  gh: GitHubClient,
  repo: RepoRef,
  options: { configSha?: string; log: Log },
): Promise<{ synced: number; failed: number }> {
  const pulls = await listOpenPullRequests(gh, repo, MAX_PRS_PER_REPO);
  if (pulls.length >= MAX_PRS_PER_REPO)
    options.log(`${repo.owner}/${repo.repo}: re-evaluating only the newest ${MAX_PRS_PER_REPO} open pull requests`);
  // With a usable config, PRs that are not release PRs cost nothing more; a broken one must reach every tracked PR.
  const config = await rt.configs.load(gh, repo).then(
    (loaded) => loaded.config,
    () => undefined,
  );
  let synced = 0;
  let failed = 0;
  for (const pr of pulls) {
    try {
      if (config !== undefined && !matchRelease(config, pr).release) continue;
      if (!(await isTracked(rt, gh, repo, pr))) continue;
      const change = options.configSha !== undefined ? reevaluationChange(rt, options.configSha) : expiryChange(rt);
      await syncRelease(rt, { gh, repo, number: pr.number, pr, change });
      synced += 1;
    } catch (error) {
      failed += 1;
      options.log(`re-evaluating ${repo.owner}/${repo.repo}#${pr.number} failed: ${(error as Error).message}`);
    }
  }
  return { synced, failed };
}

/** A PR this process already knows, or one whose head carries this App's Gatehouse run. */
async function isTracked(rt: Runtime, gh: GitHubClient, repo: RepoRef, pr: PullRequestInfo): Promise<boolean> {
  const cached = rt.states.get(prKey(repo, pr.number));
  if (cached?.headSha === pr.headSha && cached.checkRunId !== undefined) return true;
  return (await listOwnCheckRuns(gh, repo, pr.headSha, rt.appId)).some((r) => r.name === CHECK_NAME);
}
