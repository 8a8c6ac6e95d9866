import { describe, expect, it } from "vitest";
import { RepoConfigSchema } from "../../../src/core/config/config-schema.js";
import { matchRelease } from "../../../src/core/evaluate/release-match.js";

const config = RepoConfigSchema.parse({ release: { branches: ["main", "release/*"], labels: ["release", "ship-it"] } });

describe("matchRelease", () => {
  it("matches a PR into a release branch and names the glob", () => {
    expect(matchRelease(config, { baseRef: "release/2.0", labels: [] })).toEqual({
      release: true,
      reason: 'base branch "release/2.0" matches release.branches "release/*"',
    });
    expect(matchRelease(config, { baseRef: "main", labels: [] }).release).toBe(true);
  });

  it("matches a labelled PR, ignoring label case like GitHub does", () => {
    expect(matchRelease(config, { baseRef: "develop", labels: ["bug", "Ship-It"] })).toEqual({
      release: true,
      reason: 'it has the release label "Ship-It"',
    });
  });

  it("explains why a PR is not a release PR", () => {
    expect(matchRelease(config, { baseRef: "develop", labels: ["bug"] })).toEqual({
      release: false,
      reason:
        'not a release PR: base branch "develop" matches none of "main", "release/*", and it has none of the labels "release", "ship-it"',
    });
  });

  it("uses the defaults: release/* branches and the release label", () => {
    const defaults = RepoConfigSchema.parse({});
    expect(matchRelease(defaults, { baseRef: "release/1", labels: [] }).release).toBe(true);
    expect(matchRelease(defaults, { baseRef: "main", labels: ["release"] }).release).toBe(true);
    expect(matchRelease(defaults, { baseRef: "main", labels: [] }).release).toBe(false);
  });

  it("matches nothing when both rules are empty", () => {
    const none = RepoConfigSchema.parse({ release: { branches: [], labels: [] } });
    expect(matchRelease(none, { baseRef: "main", labels: ["release"] })).toEqual({
      release: false,
      reason: 'not a release PR: base branch "main" is not checked (release.branches is empty), and release.labels is empty',
    });
  });
});
