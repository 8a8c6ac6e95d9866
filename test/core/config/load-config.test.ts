import { describe, expect, it } from "vitest";
import { checkConfigAgainstChecklist, loadConfig, loadConfigWithLocator, parseExtends } from "../../../src/core/config/load-config.js";
import { formatProblem, ProblemError, type Problem } from "../../../src/core/config/problem.js";
import { shippedChecklist } from "../../../src/core/config/resolve-checklist.js";
import { parseYaml } from "../../../src/core/config/yaml-source.js";

const yaml = (...lines: string[]) => `${lines.join("\n")}\n`;
const FILE = ".github/gatehouse.yml";
const ORG = "acme/.github:.github/gatehouse.yml";

function problems(layers: { file: string; text: string }[]): string[] {
  try {
    loadConfig(layers);
  } catch (error) {
    if (error instanceof ProblemError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error("expected the config to be rejected");
}
const repo = (...lines: string[]) => problems([{ file: FILE, text: yaml(...lines) }]);

/** The example from the issue. */
const EXAMPLE = yaml(
  "checklist: pre-production", //            1
  "phase: initial-production", //            2
  "owners:", //                              3
  '  security: ["@acme/security"]', //       4
  '  compliance: ["@acme/grc", "@dana"]', // 5
  '  support: ["@acme/support"]', //         6
  '  operations: ["@acme/sre"]', //          7
  '  infrastructure: ["@acme/platform"]', // 8
  "release:", //                             9
  '  branches: ["main", "release/*"]', //   10
  '  labels: ["release"]', //                11
  "allow_author: false", //                 12
);
const preProduction = shippedChecklist("pre-production")!;

describe("loadConfig", () => {
  it("loads the issue's example and fills in defaults", () => {
    expect(loadConfig([{ file: FILE, text: EXAMPLE }])).toEqual({
      checklist: "pre-production",
      phase: "initial-production",
      owners: {
        security: ["@acme/security"],
        compliance: ["@acme/grc", "@dana"],
        support: ["@acme/support"],
        operations: ["@acme/sre"],
        infrastructure: ["@acme/platform"],
      },
      release: { branches: ["main", "release/*"], labels: ["release"] },
      allow_author: false,
      release_managers: [],
      invalidate_on_push: "paths",
      invalidate_on_rewrite: "all",
      invalidate_on_retarget: "all",
      gate_checks: false,
      notify: "mention",
      environments: {},
    });
  });

  it("treats an empty file as all defaults", () => {
    expect(loadConfig([{ file: FILE, text: "" }])).toMatchObject({
      checklist: "pre-production",
      owners: {},
      release: { branches: ["release/*"], labels: ["release"] },
      allow_author: false,
    });
  });

  it("rejects an owner that is not @org/team or @user, and says how to write it", () => {
    expect(repo("owners:", '  security: ["acme/security", "@acme/sec urity"]')).toEqual([
      `${FILE}:2:14: "owners.security[0]" has the invalid value "acme/security": an owner is a team "@org/team-slug" or a user "@login". Write it as "@acme/security".`,
      `${FILE}:2:31: "owners.security[1]" has the invalid value "@acme/sec urity": an owner is a team "@org/team-slug" or a user "@login". Write a team as "@org/team-slug" or a user as "@login".`,
    ]);
  });

  it("rejects a role with an empty owner list", () => {
    expect(repo("owners:", "  security: []")).toEqual([
      `${FILE}:2:13: "owners.security" must list at least 1 entry; it is empty. Add one or remove the field.`,
    ]);
  });

  it("reports unknown fields, wrong types and bad choices together", () => {
    expect(
      repo("checklist: pre-production", "allow_authors: true", "gate_checks: yes", "notify: slack", "release:", "  branches: main"),
    ).toEqual([
      `${FILE}:2:1: unknown field "allow_authors" (did you mean "allow_author"?). Allowed fields: _extends, checklist, phase, owners, release, allow_author, release_managers, invalidate_on_push, invalidate_on_rewrite, invalidate_on_retarget, gate_checks, notify, environments. Fix the spelling or remove it.`,
      `${FILE}:3:14: "gate_checks" must be true or false, not the text "yes". Write true or false without quotes.`,
      `${FILE}:4:9: "notify" must be one of "mention", "request_review", "none", not the text "slack".`,
      `${FILE}:6:13: "release.branches" must be a list, not the text "main". Write it as a list: ["main"].`,
    ]);
  });

  it('explains an environment that is neither "all" nor a list', () => {
    expect(repo("environments:", "  production: everything")).toEqual([
      `${FILE}:2:15: "environments.production" must be "all" or a list, not the text "everything".`,
    ]);
  });

  it("rejects an unusable release branch glob", () => {
    expect(repo("release:", '  branches: ["release/{v1"]')).toEqual([
      `${FILE}:2:14: release.branches "release/{v1" is not a usable branch glob: "{" is not closed. Use branch names or globs such as "main" or "release/*".`,
    ]);
  });

  it("rejects a file that is not a mapping", () => {
    expect(repo("- checklist: pre-production")).toEqual([
      `${FILE}:1:1: the config must be a mapping of keys such as "checklist:" and "owners:", not a list. See the configuration reference in the README.`,
    ]);
  });

  it("rejects a malformed _extends", () => {
    expect(repo("_extends: acme/.github/extra")).toEqual([
      `${FILE}:1:11: _extends "acme/.github/extra" is not a repository reference. Use "repo", "owner/repo" or "owner/repo:path/to/file.yml", e.g. "acme/.github".`,
    ]);
  });

  it("reports YAML syntax errors in every layer", () => {
    expect(
      problems([
        { file: ORG, text: "owners:\n\tsecurity: []\n" },
        { file: FILE, text: "phase: 'pilot\n" },
      ]),
    ).toEqual([
      `${ORG}:2:1: YAML syntax error: Tabs are not allowed as indentation. Indent with spaces, not tabs.`,
      `${FILE}:2:1: YAML syntax error: Missing closing 'quote. Add the missing character or quote the whole value.`,
    ]);
  });
});

describe("loadConfig: _extends layers", () => {
  const org = yaml(
    "owners:", //                             1
    '  security: ["@acme/security"]', //      2
    '  operations: ["@acme/sre"]', //         3
    "release:", //                            4
    '  branches: ["main", "release/*"]', //   5
    '  labels: ["release", "ship"]', //       6
    "invalidate_on_push: all", //             7
  );

  it("merges objects, later layers win, arrays are replaced", () => {
    const config = loadConfig([
      { file: ORG, text: org },
      { file: FILE, text: yaml("_extends: acme/.github", "owners:", '  operations: ["@acme/ops"]', "release:", '  branches: ["prod"]') },
    ]);
    expect(config.owners).toEqual({ security: ["@acme/security"], operations: ["@acme/ops"] });
    expect(config.release).toEqual({ branches: ["prod"], labels: ["release", "ship"] });
    expect(config.invalidate_on_push).toBe("all");
    expect(config._extends).toBe("acme/.github");
  });

  it("locates each error in the layer that set the bad value", () => {
    expect(
      problems([
        { file: ORG, text: org.replace('"@acme/sre"', '"sre-team"') },
        { file: FILE, text: yaml("_extends: acme/.github", "notify: loudly") },
      ]),
    ).toEqual([
      `${ORG}:3:16: "owners.operations[0]" has the invalid value "sre-team": an owner is a team "@org/team-slug" or a user "@login". Write it as "@sre-team".`,
      `${FILE}:2:9: "notify" must be one of "mention", "request_review", "none", not the text "loudly".`,
    ]);
  });

  it("blames the last layer when both set the same key", () => {
    expect(
      problems([
        { file: ORG, text: "allow_author: 1\n" },
        { file: FILE, text: "allow_author: maybe\n" },
      ]),
    ).toEqual([`${FILE}:1:15: "allow_author" must be true or false, not the text "maybe". Write true or false without quotes.`]);
  });

  it("locates cross-check problems in the right layer too", () => {
    const { config, locate } = loadConfigWithLocator([
      { file: ORG, text: yaml("owners:", '  securty: ["@acme/security"]') },
      { file: FILE, text: yaml("owners:", '  operations: ["@acme/sre"]', "phase: pilot") },
    ]);
    expect(checkConfigAgainstChecklist(config, preProduction, locate).map(formatProblem)).toEqual([
      `${FILE}:1:1: role "compliance" has no owners, so nobody could sign gate "compliance" of checklist "pre-production". Add owners.compliance, e.g. compliance: ["@your-org/compliance"].`,
      `${FILE}:1:1: role "infrastructure" has no owners, so nobody could sign gate "infrastructure" of checklist "pre-production". Add owners.infrastructure, e.g. infrastructure: ["@your-org/infrastructure"].`,
      `${FILE}:1:1: role "security" has no owners, so nobody could sign gate "security" of checklist "pre-production". Add owners.security, e.g. security: ["@your-org/security"].`,
      `${FILE}:1:1: role "support" has no owners, so nobody could sign gate "support" of checklist "pre-production". Add owners.support, e.g. support: ["@your-org/support"].`,
      `${FILE}:3:8: phase "pilot" is not a phase of checklist "pre-production" (phases: proof-of-concept, initial-production, enterprise-scale, optimization). Fix the name or remove phase.`,
      `${ORG}:2:3: role "securty" is not used by checklist "pre-production" (roles: compliance, infrastructure, operations, security, support). Fix the name or remove it.`,
    ]);
  });
});

describe("checkConfigAgainstChecklist", () => {
  const check = (text: string): string[] => {
    const source = parseYaml(text, FILE);
    const config = loadConfig([{ file: FILE, text }]);
    return checkConfigAgainstChecklist(config, preProduction, source).map(formatProblem);
  };

  it("accepts the issue's example", () => {
    expect(check(EXAMPLE)).toEqual([]);
  });

  it("reports a misspelt role at its key, and the role left without owners (fail closed)", () => {
    expect(check(EXAMPLE.replace("  security:", "  securty:"))).toEqual([
      `${FILE}:3:1: role "security" has no owners, so nobody could sign gate "security" of checklist "pre-production". Add owners.security, e.g. security: ["@your-org/security"].`,
      `${FILE}:4:3: role "securty" is not used by checklist "pre-production" (roles: compliance, infrastructure, operations, security, support). Fix the name or remove it.`,
    ]);
  });

  it("names every gate of a role without owners", () => {
    // operations owns both the operations gate and the phase promotion evidence.
    expect(check(EXAMPLE.replace('  operations: ["@acme/sre"]\n', ""))).toEqual([
      `${FILE}:3:1: role "operations" has no owners, so nobody could sign gates "operations", "promotion" of checklist "pre-production". Add owners.operations, e.g. operations: ["@your-org/operations"].`,
    ]);
  });

  it("reports an unknown phase", () => {
    expect(check(EXAMPLE.replace("phase: initial-production", "phase: production"))).toEqual([
      `${FILE}:2:8: phase "production" is not a phase of checklist "pre-production" (phases: proof-of-concept, initial-production, enterprise-scale, optimization). Fix the name or remove phase.`,
    ]);
    const noPhases = shippedChecklist("ai-vendor-risk")!;
    const config = loadConfig([{ file: FILE, text: "phase: pilot\n" }]);
    expect(checkConfigAgainstChecklist(config, noPhases).filter((p) => p.message.startsWith("phase"))).toEqual<Problem[]>([
      {
        file: FILE,
        line: 0,
        col: 0,
        message: 'phase "pilot" is set, but checklist "ai-vendor-risk" defines no phases. Remove phase.',
        path: ["phase"],
      },
    ]);
  });

  it("reports environments naming unknown gates or none", () => {
    const text = `${EXAMPLE}environments:\n  production: all\n  staging: [security, secrity]\n  preview: []\n`;
    expect(check(text)).toEqual([
      `${FILE}:15:23: environment "staging" requires gate "secrity", which checklist "pre-production" does not define (gates: infrastructure, security, operations, compliance, support, promotion). Fix the id or use "all".`,
      `${FILE}:16:12: environment "preview" lists no gates, so deployments to it would never wait for sign-off. List gate ids, use "all", or remove the environment.`,
    ]);
  });
});

describe("parseExtends", () => {
  it("reads the Probot forms", () => {
    expect(parseExtends(".github")).toEqual({ repo: ".github" });
    expect(parseExtends("acme/.github")).toEqual({ owner: "acme", repo: ".github" });
    expect(parseExtends("acme/policies:gatehouse/base.yml")).toEqual({ owner: "acme", repo: "policies", path: "gatehouse/base.yml" });
    expect(parseExtends("policies:base.yaml")).toEqual({ repo: "policies", path: "base.yaml" });
  });

  it("throws an actionable error for anything else", () => {
    expect(() => parseExtends("a/b/c")).toThrow('Invalid _extends "a/b/c". Use "repo", "owner/repo" or "owner/repo:path/to/file.yml"');
    expect(() => parseExtends("acme/.github:config.json")).toThrow(/Invalid _extends/);
    expect(() => parseExtends("")).toThrow(/Invalid _extends/);
  });
});
