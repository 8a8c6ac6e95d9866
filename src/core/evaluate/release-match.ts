import type { RepoConfig } from "../config/config-schema.js";
import { matchingGlobs } from "../config/glob.js";

/**
 * Whether a PR is a release PR under `config.release`: its base branch matches one of the
 * branch globs, or it carries one of the labels (case-insensitive, as on GitHub).
 * The reason says which rule matched, or why none did.
 */
export function matchRelease(
  config: Pick<RepoConfig, "release">,
  pr: { baseRef: string; labels: string[] },
): { release: boolean; reason: string } {
  const { branches, labels } = config.release;
  const glob = matchingGlobs(branches, pr.baseRef)[0];
  if (glob !== undefined) {
    return { release: true, reason: `base branch "${pr.baseRef}" matches release.branches "${glob}"` };
  }
  const wanted = new Map(labels.map((l) => [l.toLowerCase(), l]));
  const label = pr.labels.find((l) => wanted.has(l.toLowerCase()));
  if (label !== undefined) return { release: true, reason: `it has the release label "${label}"` };

  const branchText =
    branches.length > 0 ? `matches none of ${branches.map((b) => `"${b}"`).join(", ")}` : "is not checked (release.branches is empty)";
  const labelText = labels.length > 0 ? `it has none of the labels ${labels.map((l) => `"${l}"`).join(", ")}` : "release.labels is empty";
  return { release: false, reason: `not a release PR: base branch "${pr.baseRef}" ${branchText}, and ${labelText}` };
}
