import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { COMMENT_MARKER } from "../../src/core/render/comment-markers.js";
import { CliRepo, OWNERS } from "./cli-harness.js";

let repo: CliRepo;
beforeEach(() => (repo = new CliRepo()));
afterEach(() => repo.remove());

describe("gatehouse preview", () => {
  it("prints the default checklist's comment with placeholder owners when there is no config", async () => {
    const result = await repo.run("preview");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe(COMMENT_MARKER);
    expect(result.stdout).toContain("Pre-Production Launch Checklist");
    expect(result.stdout).toContain("0 of 5 required gates approved");
    expect(result.stdout).toMatch(/- \[ \] Web application firewall enforced.*<!-- gatehouse:item security\.waf -->/);
    expect(result.stdout).toContain("@your-org/security");
    expect(result.stdout).not.toContain("- [x]");
    expect(result.stderr).toBe(
      'note: no .github/gatehouse.yml here; previewing checklist "pre-production" with placeholder owners @your-org/<role>.\n',
    );
  });

  it("uses the repo config: its phase and its owners", async () => {
    repo.write(".github/gatehouse.yml", `phase: initial-production\n${OWNERS}\n`);
    const result = await repo.run("preview");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Phase 2: Initial Production");
    expect(result.stdout).toContain("5–8 use cases spanning 4–5 departments");
    // security, compliance, operations, support and the promotion evidence the phase requires.
    expect(result.stdout).toContain("0 of 5 required gates approved");
    expect(result.stdout).toContain("@acme/security");
    expect(result.stdout).not.toContain("@your-org");
    expect(result.stderr).toBe("");
  });

  it("--phase previews another phase", async () => {
    repo.write(".github/gatehouse.yml", `phase: proof-of-concept\n${OWNERS}\n`);
    const result = await repo.run("preview", "--phase", "enterprise-scale");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Phase 3: Enterprise Scale");
    expect(result.stdout).toContain("0 of 6 required gates approved");
  });

  it("--checklist previews a shipped checklist or a file", async () => {
    const shipped = await repo.run("preview", "--checklist", "ai-vendor-risk");
    expect(shipped.code).toBe(0);
    expect(shipped.stdout).toContain("Managing AI Risk: Vendor Evaluation &amp; Governance");

    repo.write(
      "launch.yml",
      "id: launch\ntitle: Launch day\ngates:\n  - id: qa\n    title: QA\n    owner: qa\n    items:\n      - id: smoke\n        title: Smoke tests pass\n",
    );
    const file = await repo.run("preview", "--checklist", "launch.yml");
    expect(file.code).toBe(0);
    expect(file.stdout).toContain("Launch day");
    expect(file.stdout).toMatch(/- \[ \] Smoke tests pass.*<!-- gatehouse:item qa\.smoke -->/);
  });

  it("cross-checks --checklist against the config's owners", async () => {
    repo.write(".github/gatehouse.yml", 'owners:\n  security: ["@acme/security"]\n');
    const result = await repo.run("preview", "--checklist", "ai-vendor-risk");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('.github/gatehouse.yml:1:1: role "compliance" has no owners');
    expect(result.stdout).not.toContain(COMMENT_MARKER);
  });

  it("prints config problems instead of a comment", async () => {
    repo.write(".github/gatehouse.yml", `phase: production\n${OWNERS}\n`);
    const result = await repo.run("preview");
    expect(result).toEqual({
      code: 1,
      stdout:
        '.github/gatehouse.yml:1:8: phase "production" is not a phase of checklist "pre-production" (phases: proof-of-concept, initial-production, enterprise-scale, optimization). Fix the name or remove phase.\n',
      stderr: "",
    });
  });

  it("rejects an unknown --phase, --checklist or --config", async () => {
    expect(await repo.run("preview", "--phase", "beta")).toMatchObject({
      code: 1,
      stdout:
        '--phase: phase "beta" is not a phase of checklist "pre-production" (phases: proof-of-concept, initial-production, enterprise-scale, optimization). Pick one of those.\n',
    });
    expect(await repo.run("preview", "--checklist", "nope")).toMatchObject({
      code: 1,
      stdout:
        '--checklist: checklist "nope" is not a shipped checklist (shipped: ai-vendor-risk, pre-production). Use one of those, or a path in the repo such as ".github/checklists/nope.yml".\n',
    });
    expect(await repo.run("preview", "--config", "gh.yml")).toMatchObject({
      code: 1,
      stdout: "gh.yml: the file does not exist. Check the path (relative to the current directory).\n",
    });
  });
});
