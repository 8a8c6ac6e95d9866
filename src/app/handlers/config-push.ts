import type { Context } from "probot";
import { CONFIG_PATH } from "../../core/config/config-schema.js";
import { ProblemError } from "../../core/config/problem.js";
import { escapeMarkdown } from "../../core/render/escape.js";
import { createCheckRun } from "../../github/check-runs.js";
import { validateRepoConfigAt } from "../../github/config-files.js";
import { configErrorCheckRun } from "../sync/check-run-content.js";
import type { Runtime } from "../runtime/runtime.js";
import { onDefaultBranchConfigPush } from "../sync/config-change.js";

export const CONFIG_CHECK_NAME = "Gatehouse config";

/** Files that change what Gatehouse enforces: the repo config and checklists kept in the repo. */
function isGatehouseFile(path: string): boolean {
  return path === CONFIG_PATH || path.startsWith(".github/checklists/");
}

/**
 * A push that changes Gatehouse's config gets it validated at that commit, with annotations at
 * file:line, so a config PR shows its problems before it can merge. A push to the default branch
 * also drops the cached config, so the change takes effect at once.
 */
export async function onPush(rt: Runtime, context: Context<"push">): Promise<void> {
  const { payload } = context;
  if (!payload.ref.startsWith("refs/heads/") || payload.deleted) return;
  const paths = [...payload.commits, ...(payload.head_commit ? [payload.head_commit] : [])].flatMap((c) => [
    ...(c.added ?? []),
    ...(c.modified ?? []),
    ...(c.removed ?? []),
  ]);
  const touched = paths.some(isGatehouseFile);
  const onDefault = payload.ref === `refs/heads/${payload.repository.default_branch}`;
  if (touched) await validateAt(rt, context, onDefault);
  // Then re-evaluate the open release PRs (also when an `_extends` target in the repo changed).
  if (onDefault) await onDefaultBranchConfigPush(rt, context, { paths, gatehouseFiles: touched });
}

async function validateAt(rt: Runtime, context: Context<"push">, onDefault: boolean): Promise<void> {
  const { payload } = context;
  const repo = context.repo();
  if (onDefault) rt.configs.forget(repo);

  const gh = context.octokit;
  const defaultBranch = payload.ref === `refs/heads/${payload.repository.default_branch}`;
  try {
    const result = await validateRepoConfigAt(gh, repo, payload.after, defaultBranch);
    if (result.kind === "extends-outside") {
      // Not read from a branch push; the merged config is checked when this reaches the default branch.
      await createCheckRun(
        gh,
        repo,
        payload.after,
        {
          name: CONFIG_CHECK_NAME,
          conclusion: "neutral",
          output: {
            title: "Configuration partly checked",
            summary: `${escapeMarkdown(result.file)} is valid YAML and its \`_extends\` names ${escapeMarkdown(result.target)} in another repository. Gatehouse reads other repositories only for the default branch, so the merged configuration is checked when this change reaches it.`,
          },
        },
        rt.now(),
      );
      return;
    }
    const { checklist } = result.loaded;
    await createCheckRun(
      gh,
      repo,
      payload.after,
      {
        name: CONFIG_CHECK_NAME,
        conclusion: "success",
        output: {
          title: "Configuration valid",
          summary: `\`${CONFIG_PATH}\` is valid; checklist **${checklist.id}** with ${checklist.gates.length} gates.`,
        },
      },
      rt.now(),
    );
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    const content = configErrorCheckRun({ problems: error.problems, repo });
    await createCheckRun(gh, repo, payload.after, { ...content, name: CONFIG_CHECK_NAME }, rt.now());
  }
}
