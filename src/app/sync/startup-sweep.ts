import type { Probot } from "probot";
import type { GitHubClient } from "../../github/client.js";
import type { InstallationClients, OctokitClass } from "../runtime/installation-clients.js";
import { listInstallationIds, listInstallationRepos } from "../../github/installations.js";
import type { Runtime } from "../runtime/runtime.js";
import { reevaluateOpenReleases, type Log } from "./stale-verdicts.js";

/** Bounds of one start-up sweep; past them the next event of a PR still re-evaluates it. */
export const SWEEP_LIMITS = { installations: 500, reposPerInstallation: 100 };

/**
 * On start, no expiry timer exists and sign-offs may have expired while the App was down: every
 * installation's open release PRs (those with a Gatehouse run) are synced once, one installation
 * and one PR at a time, with each installation's writes spaced by its client. An installation
 * that fails is logged and skipped.
 */
export async function sweepOpenReleases(
  rt: Runtime,
  clients: { app: () => Promise<GitHubClient>; installation: (id: number) => GitHubClient },
  log: Log,
): Promise<{ installations: number; synced: number; failed: number }> {
  const ids = await listInstallationIds(await clients.app(), SWEEP_LIMITS.installations);
  let synced = 0;
  let failed = 0;
  for (const id of ids) {
    try {
      const gh = clients.installation(id);
      for (const repo of await listInstallationRepos(gh, SWEEP_LIMITS.reposPerInstallation)) {
        const result = await reevaluateOpenReleases(rt, gh, repo, { log });
        synced += result.synced;
        failed += result.failed;
      }
    } catch (error) {
      failed += 1;
      log(`start-up sweep of installation ${id} failed: ${(error as Error).message}`);
    }
  }
  return { installations: ids.length, synced, failed };
}

/** Runs the sweep with the App's own client; resolves when done, never rejects (it only logs). */
export async function startUpSweep(
  app: Probot,
  rt: Runtime,
  clients: InstallationClients,
  appClient: () => Promise<GitHubClient>,
): Promise<void> {
  try {
    // Installation clients are built from Probot's client class, as Probot builds its own.
    const Octokit = (await app.auth()).constructor as OctokitClass;
    const result = await sweepOpenReleases(
      rt,
      {
        app: appClient,
        installation: (id) => clients.forInstallation(id, Octokit) as unknown as GitHubClient,
      },
      (message) => app.log.warn(message),
    );
    app.log.info(result, "start-up sweep of open release PRs done");
  } catch (error) {
    app.log.error(`start-up sweep failed: ${(error as Error).message}`);
  }
}
