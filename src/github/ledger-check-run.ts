import type { RestEndpointMethodTypes } from "@octokit/rest";
import type { Ledger } from "../core/ledger/ledger.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { readLedgerText } from "./ledger-archive.js";

/** The aggregate check run's name. Branch protection and rulesets require it by this name. */
export const CHECK_NAME = "Gatehouse";

export type CheckRun = RestEndpointMethodTypes["checks"]["listForRef"]["response"]["data"]["check_runs"][number];

/** Every check run called `name` on `ref`, from any app, newest and older runs alike. */
export async function listCheckRunsByName(gh: GitHubClient, repo: RepoRef, ref: string, name: string): Promise<CheckRun[]> {
  return gh.paginate(gh.rest.checks.listForRef, { ...repo, ref, check_name: name, filter: "all", per_page: 100 });
}

export interface LedgerCheckRun {
  /** The newest run of the name created by the trusted app, if any. */
  trusted?: CheckRun;
  /** Runs of the same name created by any other app: someone imitating the gate. */
  forged: CheckRun[];
  /** The trusted run's ledger; undefined when there is no trusted run or it holds no block yet. */
  ledger?: Ledger;
}

/**
 * Finds the ledger on `ref`. Only a check run whose `app.id` is `appId` is trusted, because only
 * the app that created a check run can update it; a run of the same name from another app (for
 * example github-actions, created with a workflow's GITHUB_TOKEN) is returned in `forged` and
 * never read. The newest trusted run wins. With `pr`, runs whose ledger belongs to another PR
 * (two PRs sharing a head commit) are skipped.
 *
 * Throws the codec's LedgerCorruptError when the trusted run's block is malformed, or one of the
 * archive runs it refers to is missing, foreign or altered: a corrupt ledger is an error, never an
 * empty one. A ledger with archive runs is returned whole (one extra read per archive run).
 */
export async function findLedgerCheckRun(
  gh: GitHubClient,
  repo: RepoRef,
  options: { ref: string; appId: number; name?: string; pr?: number },
): Promise<LedgerCheckRun> {
  const runs = await listCheckRunsByName(gh, repo, options.ref, options.name ?? CHECK_NAME);
  const forged = runs.filter((run) => run.app?.id !== options.appId);
  const trusted = runs.filter((run) => run.app?.id === options.appId).sort((a, b) => b.id - a.id);
  for (const run of trusted) {
    const ledger = await readLedgerText(gh, repo, options.appId, run.output.text ?? "");
    if (options.pr !== undefined && ledger !== undefined && ledger.pr !== options.pr) continue;
    return { trusted: run, forged, ledger };
  }
  return { forged };
}
