import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliRepo } from "./cli-harness.js";

let repo: CliRepo;
beforeEach(() => (repo = new CliRepo()));
afterEach(() => repo.remove());

describe("gatehouse", () => {
  it("prints usage with --help and exits 0", async () => {
    const result = await repo.run("--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: gatehouse <command> [options]");
    expect(result.stdout).toMatch(/validate\s+check checklists and \.github\/gatehouse\.yml/);
    expect(result.stdout).toMatch(/preview\s+print the comment a release PR would get/);
  });

  it("prints usage to stderr and exits 2 without a command", async () => {
    const result = await repo.run();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: gatehouse");
  });

  it("rejects an unknown command", async () => {
    expect(await repo.run("deploy")).toEqual({
      code: 2,
      stdout: "",
      stderr: 'gatehouse: unknown command "deploy". Commands: validate, preview, audit. Run `gatehouse --help`.\n',
    });
  });

  it("prints a command's usage", async () => {
    const result = await repo.run("preview", "--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: gatehouse preview \[--config FILE\]/);
  });

  it("rejects unknown options with the command's usage", async () => {
    const result = await repo.run("preview", "--phaze", "pilot");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^gatehouse preview: Unknown option '--phaze'/);
    expect(result.stderr).toContain("Usage: gatehouse preview");
  });
});
