import { z } from "zod";

/** An owner is a team ("@org/slug") or a user ("@login"). */
export const OWNER_PATTERN = /^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\/[A-Za-z0-9_.-]+)?$/;

export const OwnerSchema = z
  .string()
  .regex(OWNER_PATTERN, 'an owner is a team "@org/team-slug" or a user "@login"')
  .describe('A team "@org/team-slug" (active members may sign) or a user "@login".');

export const ReleaseRuleSchema = z
  .strictObject({
    branches: z.array(z.string().min(1)).default(["release/*"]).describe("Base-branch globs. A PR into a matching branch is a release PR."),
    labels: z.array(z.string().min(1)).default(["release"]).describe("Labels. A PR carrying any of them is a release PR."),
  })
  .describe("Which pull requests are release PRs. Any matching rule makes a PR a release PR.");

export const RepoConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe("The JSON Schema for editors."),
    _extends: z
      .string()
      .optional()
      .describe('Inherit from another repo\'s config, e.g. "org/.github" or "org/repo:path.yml" (Probot convention).'),
    checklist: z
      .string()
      .min(1)
      .default("pre-production")
      .describe('A shipped checklist ("pre-production", "ai-vendor-risk") or a path in the repo such as ".github/checklists/launch.yml".'),
    phase: z.string().optional().describe("The rollout phase this repo is in. Selects the gates and items the phase requires."),
    owners: z
      .record(z.string(), z.array(OwnerSchema).min(1))
      .default({})
      .describe("Role → teams and users who may sign that role's gates. Every role the checklist uses must be listed."),
    release: ReleaseRuleSchema.default({ branches: ["release/*"], labels: ["release"] }),
    allow_author: z
      .boolean()
      .default(false)
      .describe(
        "May the people who wrote a PR sign off gates they own: its opener, the authors and committers of its commits, and whoever pushed to it? Off by default (four eyes).",
      ),
    release_managers: z
      .array(OwnerSchema)
      .default([])
      .describe(
        "Teams and users, besides repository maintainers and admins, who may remove the release label from a release PR Gatehouse already gates. Anyone else's removal is reverted.",
      ),
    invalidate_on_push: z
      .enum(["paths", "all", "none"])
      .default("paths")
      .describe(
        "What a fast-forward push to a release PR invalidates: sign-offs of gates whose `paths` match the changed files (paths), every sign-off (all), or nothing (none). Force-pushes follow `invalidate_on_rewrite`.",
      ),
    invalidate_on_rewrite: z
      .enum(["all", "none"])
      .default("all")
      .describe(
        "What a push invalidates when Gatehouse cannot trust the list of changed files: a force-push whose new head does not contain the approved commit, a compare GitHub cannot answer, or a file list GitHub cut off (under `invalidate_on_push: paths`). Every sign-off (all) or nothing (none).",
      ),
    invalidate_on_retarget: z
      .enum(["all", "none"])
      .default("all")
      .describe(
        "What changing a release PR's base branch invalidates: every sign-off (all), since they were given for merging into the old base, or nothing (none).",
      ),
    gate_checks: z
      .boolean()
      .default(false)
      .describe('Also report one check run per gate ("Gatehouse / security") so rulesets can require specific gates.'),
    notify: z
      .enum(["mention", "request_review", "none"])
      .default("mention")
      .describe(
        "How owners hear of a new release PR: an @-mention in the checklist comment, a review request to owner teams and users, or nothing.",
      ),
    environments: z
      .record(z.string(), z.union([z.literal("all"), z.array(z.string())]))
      .default({})
      .describe("Environment → gates it requires, for the deployment protection rule: e.g. staging: [security], production: all."),
  })
  .describe("Gatehouse repo config, read from .github/gatehouse.yml.");

export type Owner = z.infer<typeof OwnerSchema>;
export type RepoConfig = z.infer<typeof RepoConfigSchema>;

/** Where config and checklist files live in a repo. */
export const CONFIG_PATH = ".github/gatehouse.yml";
export const DEFAULT_CHECKLIST = "pre-production";
