import { Octokit } from "@octokit/rest";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { formatProblem, ProblemError } from "../../src/core/config/problem.js";
import { loadRepoConfig } from "../../src/github/config-files.js";
import { API, CONFIG_YAML } from "../fixtures/gate-api.js";

const repo = { owner: "acme", repo: "api" };
const gh = new Octokit({ auth: "ghs_test" });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** Serves files as GET /contents (raw); a null text answers 404. */
function files(entries: [repoPath: string, text: string | null, ref?: string][]): nock.Scope {
  const scope = nock(API);
  for (const [repoPath, text, ref] of entries) {
    const [owner, name, path] = /^([^/]+)\/([^:]+):(.+)$/.exec(repoPath)!.slice(1);
    const interceptor = scope.get(`/repos/${owner}/${name}/contents/${encodeURIComponent(path!)}`);
    const withQuery = ref ? interceptor.query({ ref }) : interceptor;
    if (text === null) withQuery.reply(404, { message: "Not Found" });
    else withQuery.reply(200, text, { "content-type": "application/vnd.github.raw" });
  }
  return scope;
}

async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProblemError);
  return (error as ProblemError).problems.map(formatProblem);
}

const LAUNCH_CHECKLIST = `id: launch
title: Launch checklist
gates:
  - id: security
    title: Security review
    owner: security
    items:
      - id: threat-model
        title: Threat model reviewed
`;

describe("loadRepoConfig", () => {
  it("loads the repo's own config with the shipped checklist it names", async () => {
    const scope = files([["acme/api:.github/gatehouse.yml", CONFIG_YAML]]);

    const loaded = await loadRepoConfig(gh, repo);

    scope.done();
    expect(loaded.checklist.id).toBe("pre-production");
    expect(loaded.config.owners.security).toEqual(["@sam-sec"]);
    expect(loaded.source.map((s) => s.file)).toEqual(["acme/api:.github/gatehouse.yml"]);
  });

  it("falls back to the org's .github repo", async () => {
    const scope = files([
      ["acme/api:.github/gatehouse.yml", null],
      ["acme/.github:.github/gatehouse.yml", CONFIG_YAML],
    ]);

    const loaded = await loadRepoConfig(gh, repo);

    scope.done();
    expect(loaded.source.map((s) => s.file)).toEqual(["acme/.github:.github/gatehouse.yml"]);
  });

  it("follows _extends, with the repo's own values winning", async () => {
    const scope = files([
      ["acme/api:.github/gatehouse.yml", "_extends: acme/policies:gatehouse/base.yml\nallow_author: true\n"],
      ["acme/policies:gatehouse/base.yml", "_extends: .github\nrelease:\n  labels: [ship-it]\n"],
      ["acme/.github:.github/gatehouse.yml", `${CONFIG_YAML}allow_author: false\n`],
    ]);

    const loaded = await loadRepoConfig(gh, repo);

    scope.done();
    expect(loaded.config.allow_author).toBe(true);
    expect(loaded.config.release.labels).toEqual(["ship-it"]);
    expect(loaded.config.owners.support).toEqual(["@sue-support"]);
    expect(loaded.source.map((s) => s.file)).toEqual([
      "acme/.github:.github/gatehouse.yml",
      "acme/policies:gatehouse/base.yml",
      "acme/api:.github/gatehouse.yml",
    ]);
  });

  it("reports an _extends target that does not exist at the _extends line", async () => {
    const scope = files([
      ["acme/api:.github/gatehouse.yml", "checklist: pre-production\n_extends: acme/policy\n"],
      ["acme/policy:.github/gatehouse.yml", null],
    ]);

    expect(await problemsOf(loadRepoConfig(gh, repo))).toEqual([
      "acme/api:.github/gatehouse.yml:2:11: _extends: acme/policy:.github/gatehouse.yml does not exist, or the token cannot read it. Fix the reference or give the token read access to acme/policy.",
    ]);
    scope.done();
  });

  it("reports an _extends cycle", async () => {
    const scope = files([
      ["acme/api:.github/gatehouse.yml", "_extends: .github\n"],
      ["acme/.github:.github/gatehouse.yml", "_extends: api\n"],
    ]);

    const problems = await problemsOf(loadRepoConfig(gh, repo));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^acme\/\.github:\.github\/gatehouse\.yml:1:11: _extends loops back to acme\/api:\.github\/gatehouse\.yml/);
    scope.done();
  });

  it("stops an _extends chain after three hops", async () => {
    const scope = files([
      ["acme/api:.github/gatehouse.yml", "_extends: one\n"],
      ["acme/one:.github/gatehouse.yml", "_extends: two\n"],
      ["acme/two:.github/gatehouse.yml", "_extends: three\n"],
      ["acme/three:.github/gatehouse.yml", "_extends: four\n"],
    ]);

    expect(await problemsOf(loadRepoConfig(gh, repo))).toEqual([
      "acme/three:.github/gatehouse.yml:1:11: _extends goes more than 3 levels deep. Point it directly at the base config.",
    ]);
    scope.done();
  });

  it("loads a checklist kept in the repo, at the ref asked for", async () => {
    const ref = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
    const scope = files([
      ["acme/api:.github/gatehouse.yml", 'checklist: .github/checklists/launch.yml\nowners:\n  security: ["@acme/security"]\n', ref],
      ["acme/api:.github/checklists/launch.yml", LAUNCH_CHECKLIST, ref],
    ]);

    const loaded = await loadRepoConfig(gh, repo, { ref });

    scope.done();
    expect(loaded.checklist.gates.map((g) => g.id)).toEqual(["security"]);
    expect(loaded.checklistSource?.file).toBe("acme/api:.github/checklists/launch.yml");
  });

  it("reports a missing repo checklist at the checklist key", async () => {
    const scope = files([
      ["acme/api:.github/gatehouse.yml", 'owners:\n  security: ["@acme/security"]\nchecklist: .github/checklists/launch.yml\n'],
      ["acme/api:.github/checklists/launch.yml", null],
    ]);

    expect(await problemsOf(loadRepoConfig(gh, repo))).toEqual([
      "acme/api:.github/gatehouse.yml:3:12: checklist '.github/checklists/launch.yml' does not exist in acme/api. Fix the path or use a shipped checklist.",
    ]);
    scope.done();
  });

  it("reports an unknown shipped checklist", async () => {
    const scope = files([["acme/api:.github/gatehouse.yml", "checklist: pre-prod\n"]]);

    const problems = await problemsOf(loadRepoConfig(gh, repo));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBe(
      'acme/api:.github/gatehouse.yml:1:12: checklist "pre-prod" is not a shipped checklist (shipped: ai-vendor-risk, pre-production). Use one of those, or a path in the repo such as ".github/checklists/pre-prod.yml".',
    );
    scope.done();
  });

  it("fails closed when a role the checklist uses has no owners", async () => {
    const scope = files([["acme/api:.github/gatehouse.yml", CONFIG_YAML.replace(/ {2}support: .*\n/, "")]]);

    const problems = await problemsOf(loadRepoConfig(gh, repo));
    expect(problems.join("\n")).toMatch(/acme\/api:\.github\/gatehouse\.yml:\d+:\d+: role "support" has no owners/);
    scope.done();
  });

  it("fails closed when there is no config anywhere", async () => {
    const scope = files([
      ["acme/api:.github/gatehouse.yml", null],
      ["acme/.github:.github/gatehouse.yml", null],
    ]);

    const problems = await problemsOf(loadRepoConfig(gh, repo));
    expect(problems[0]).toContain("no .github/gatehouse.yml in acme/api or acme/.github. Gatehouse fails closed without a config");
    scope.done();
  });
});
