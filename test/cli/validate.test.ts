import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliRepo, OWNERS } from "./cli-harness.js";

let repo: CliRepo;
beforeEach(() => (repo = new CliRepo()));
afterEach(() => repo.remove());

const CHECKLIST = [
  "id: launch",
  "title: Launch",
  "gates:",
  "  - id: security",
  "    title: Security",
  "    owner: security",
  "    items:",
  "      - id: waf",
  "        title: WAF",
].join("\n");

describe("gatehouse validate", () => {
  it("exits 0 for a valid config and names what it checked", async () => {
    repo.write(".github/gatehouse.yml", `checklist: pre-production\nphase: initial-production\n${OWNERS}\n`);
    const result = await repo.run("validate");
    expect(result).toEqual({
      code: 0,
      stdout: 'ok .github/gatehouse.yml (repo config for checklist "pre-production", phase "initial-production")\n1 file valid\n',
      stderr: "",
    });
  });

  it("by default also checks .github/checklists and checklists, and cross-checks a repo checklist", async () => {
    repo.write(".github/gatehouse.yml", 'checklist: .github/checklists/launch.yml\nowners:\n  security: ["@acme/security"]\n');
    repo.write(".github/checklists/launch.yml", CHECKLIST);
    repo.write("checklists/other.yaml", CHECKLIST.replace("id: launch", "id: other"));
    repo.write("checklists/notes.txt", "not yaml");
    const result = await repo.run("validate");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      'ok .github/gatehouse.yml (repo config for checklist ".github/checklists/launch.yml")',
      'ok .github/checklists/launch.yml (checklist "launch": 1 gate, 1 item, 0 phases)',
      'ok checklists/other.yaml (checklist "other": 1 gate, 1 item, 0 phases)',
      "3 files valid",
      "",
    ]);
  });

  it("exits 1 and prints file:line:col for every problem in a config", async () => {
    repo.write(".github/gatehouse.yml", `checklist: pre-production\n${OWNERS.replace("  security:", "  securty:")}\n`);
    const result = await repo.run("validate", ".github/gatehouse.yml");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        '.github/gatehouse.yml:2:1: role "security" has no owners, so nobody could sign gate "security" of checklist "pre-production". Add owners.security, e.g. security: ["@your-org/security"].',
        '.github/gatehouse.yml:3:3: role "securty" is not used by checklist "pre-production" (roles: compliance, infrastructure, operations, security, support). Fix the name or remove it.',
        "2 problems in 1 of 1 file",
        "",
      ].join("\n"),
    );
  });

  it("tells a checklist from a config by its gates: key", async () => {
    repo.write("launch.yml", CHECKLIST.replace("owner: security", "owner: Security"));
    const result = await repo.run("validate", "launch.yml");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `launch.yml:6:12: gate "security": "owner" has the invalid value "Security": owner role must be lowercase letters, digits, '-' or '_' (e.g. "security"). Try "security".`,
    );
  });

  it("reports YAML syntax errors", async () => {
    repo.write("bad.yml", "gates:\n  - id: x\n   title: y\n");
    const result = await repo.run("validate", "bad.yml");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^bad\.yml:3:\d+: YAML syntax error: /);
  });

  it("reports a missing checklist file at the config's checklist: line", async () => {
    repo.write(".github/gatehouse.yml", "checklist: .github/checklists/nope.yml\n");
    const result = await repo.run("validate");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `.github/gatehouse.yml:1:12: checklist file ".github/checklists/nope.yml" does not exist (looked for ${repo.dir}/.github/checklists/nope.yml). Fix the path, relative to the repo root, or use a shipped checklist (ai-vendor-risk, pre-production).`,
    );
  });

  it("reports problems inside a repo checklist the config names", async () => {
    repo.write(".github/gatehouse.yml", "checklist: .github/checklists/launch.yml\n");
    repo.write(".github/checklists/launch.yml", CHECKLIST.replace("title: WAF", "title: WAF\n        expires_after: forever"));
    const result = await repo.run("validate", ".github/gatehouse.yml");
    expect(result.stdout.split("\n")[0]).toBe(
      '.github/checklists/launch.yml:10:24: item "waf" in gate "security": expires_after "forever" is not a duration. Use a whole number and a unit: "30m" (minutes), "12h" (hours), "90d" (days) or "2w" (weeks).',
    );
  });

  it("reports an unknown shipped checklist", async () => {
    repo.write(".github/gatehouse.yml", "checklist: pre-prod\n");
    const result = await repo.run("validate");
    expect(result.stdout).toContain(
      '.github/gatehouse.yml:1:12: checklist "pre-prod" is not a shipped checklist (shipped: ai-vendor-risk, pre-production).',
    );
  });

  it("reports files that cannot be read, and keeps checking the rest", async () => {
    repo.write("ok.yml", CHECKLIST);
    const result = await repo.run("validate", "missing.yml", "ok.yml");
    expect(result).toMatchObject({
      code: 1,
      stdout: [
        "missing.yml: the file does not exist. Check the path (relative to the current directory).",
        'ok ok.yml (checklist "launch": 1 gate, 1 item, 0 phases)',
        "1 problem in 1 of 2 files",
        "",
      ].join("\n"),
    });
  });

  it("notes that _extends is not followed and skips the cross-check", async () => {
    repo.write(".github/gatehouse.yml", "_extends: acme/.github\nphase: initial-production\n");
    const result = await repo.run("validate");
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      '.github/gatehouse.yml: note: _extends "acme/.github" is read by the App and the Action, not by the CLI; owners and phase were not cross-checked against checklist "pre-production".\n',
    );
  });

  it("exits 2 when there is nothing to validate", async () => {
    const result = await repo.run("validate");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^gatehouse validate: nothing to validate here: no \.github\/gatehouse\.yml/);
  });

  it("validates the shipped checklists in this repo", async () => {
    const { readFileSync } = await import("node:fs");
    for (const id of ["pre-production", "ai-vendor-risk"]) {
      repo.write(`checklists/${id}.yml`, readFileSync(new URL(`../../checklists/${id}.yml`, import.meta.url), "utf8"));
    }
    const result = await repo.run("validate");
    expect(result).toEqual({
      code: 0,
      stdout: [
        'ok checklists/ai-vendor-risk.yml (checklist "ai-vendor-risk": 7 gates, 28 items, 0 phases)',
        'ok checklists/pre-production.yml (checklist "pre-production": 6 gates, 31 items, 4 phases)',
        "2 files valid",
        "",
      ].join("\n"),
      stderr: "",
    });
  });
});
