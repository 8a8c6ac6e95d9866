import { describe, expect, it } from "vitest";
import { globProblem, isValidGlob, matchesAny, matchingGlobs, MAX_MATCHED_PATH } from "../../../src/core/config/glob.js";

describe("isValidGlob / globProblem", () => {
  it("accepts ordinary globs", () => {
    for (const good of ["src/auth/**", "**/*.tf", "infra/*.{yml,yaml}", "Dockerfile", ".github/workflows/**", "release/*", "src/[ab]/**"]) {
      expect(globProblem(good), good).toBeUndefined();
      expect(isValidGlob(good)).toBe(true);
    }
  });

  it("explains what is wrong with a bad glob", () => {
    expect(globProblem("")).toBe("it is empty");
    expect(globProblem("src/**[")).toBe('"[" is not closed');
    expect(globProblem("src/{a,b")).toBe('"{" is not closed');
    expect(globProblem("src/a]")).toBe('"]" has no opening bracket');
    expect(globProblem("src/{a]")).toBe('"{" is closed by "]"');
    expect(globProblem("/src/**")).toMatch(/drop the leading "\/"/);
    expect(globProblem("./src/**")).toMatch(/drop the leading "\.\/"/);
    expect(globProblem("!src/**")).toMatch(/negated globs/);
    expect(globProblem("src\\auth")).toMatch(/use "\/" as the path separator/);
    expect(globProblem("[z-a]")).toBe("it never matches anything");
    expect(isValidGlob(" src/** ")).toBe(false);
  });
});

describe("matchesAny", () => {
  it("matches nested paths and dotfiles", () => {
    expect(matchesAny(["src/auth/**"], "src/auth/login/session.ts")).toBe(true);
    expect(matchesAny(["src/auth/**"], "src/authz/x.ts")).toBe(false);
    expect(matchesAny(["**/*.tf"], "infra/prod/main.tf")).toBe(true);
    expect(matchesAny([".github/workflows/**"], ".github/workflows/ci.yml")).toBe(true);
    expect(matchesAny(["**/secrets/**"], "config/.secrets/x")).toBe(false);
    expect(matchesAny(["config/**"], "config/.env")).toBe(true);
    expect(matchesAny([], "anything")).toBe(false);
  });

  it("treats * as one path segment, as branch globs expect", () => {
    expect(matchesAny(["release/*"], "release/1.2")).toBe(true);
    expect(matchesAny(["release/*"], "release/1.2/hotfix")).toBe(false);
    expect(matchesAny(["release/*"], "main")).toBe(false);
  });

  it("reports which globs matched", () => {
    expect(matchingGlobs(["docs/**", "src/**", "**/*.ts"], "src/a.ts")).toEqual(["src/**", "**/*.ts"]);
  });
});

describe("globs stay cheap on hostile paths", () => {
  it("refuses glob shapes whose regex backtracks without bound", () => {
    expect(globProblem("**/*a*a*b")).toMatch(/"\*a\*a\*b" has more than 2 "\*" wildcards/);
    expect(globProblem("src/+(a|aa)/**")).toMatch(/extglobs/);
    expect(globProblem("**/**/**/**/x")).toMatch(/more than 3 "\*\*" segments/);
    expect(globProblem(`src/${"a".repeat(300)}`)).toMatch(/keep globs under 256/);
    // The shapes real checklists use remain fine.
    for (const glob of ["**/ai/**", "src/**/*.test.*", "**/*.tf", ".github/workflows/**", "release/*"])
      expect(globProblem(glob)).toBeUndefined();
  });

  it("matches a path longer than any real one against every glob, failing closed", () => {
    const path = `src/${"a".repeat(MAX_MATCHED_PATH)}`;
    const started = performance.now();
    expect(matchesAny(["**/*a*b"], path)).toBe(true);
    expect(matchesAny(["docs/**"], path)).toBe(true);
    expect(matchesAny([], path)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
