import type { Context } from "probot";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import type { Runtime } from "../runtime/runtime.js";
import { reevaluateOpenReleases } from "./stale-verdicts.js";

/**
 * A push to the default branch that changes what Gatehouse enforces (the config, a checklist in
 * the repo, or an `_extends` target in the same repo) drops the cached config and re-evaluates the
 * repo's open release PRs at once: a tightened rule turns green PRs pending, a broken config turns
 * them failing, each turn recorded in the ledger.
 */
export async function onDefaultBranchConfigPush(
  rt: Runtime,
  context: Context<"push">,
  input: { paths: string[]; gatehouseFiles: boolean },
): Promise<void> {
  const gh = context.octokit;
  const repo = context.repo();
  if (!input.gatehouseFiles && !(await touchesConfigLayer(rt, gh, repo, input.paths))) return;
  rt.configs.forget(repo);
  const result = await reevaluateOpenReleases(rt, gh, repo, { configSha: context.payload.after, log: (m) => context.log.warn(m) });
  context.log.info(result, "re-evaluated open release PRs after a config change");
}

/** Whether a changed path is a file of this repo the current config was built from. */
async function touchesConfigLayer(rt: Runtime, gh: GitHubClient, repo: RepoRef, paths: string[]): Promise<boolean> {
  // Extends targets and checklists are YAML; other pushes cost no config read.
  if (!paths.some((p) => /\.ya?ml$/i.test(p))) return false;
  let files: string[];
  try {
    ({ files } = await rt.configs.load(gh, repo));
  } catch {
    // No usable config: only a change to the usual files can matter, and those were checked.
    return false;
  }
  const prefix = `${repo.owner}/${repo.repo}:`.toLowerCase();
  const own = new Set(files.filter((f) => f.toLowerCase().startsWith(prefix)).map((f) => f.slice(prefix.length)));
  return paths.some((p) => own.has(p));
}
