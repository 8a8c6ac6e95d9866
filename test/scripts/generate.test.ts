import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main, staleFiles } from "../../scripts/generate.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let dir: string;
let log: string[];
const run = (...argv: string[]) => main(argv, dir, (line) => log.push(line));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-generate-"));
  cpSync(join(ROOT, "checklists"), join(dir, "checklists"), { recursive: true });
  log = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("scripts/generate", () => {
  it("writes the schemas and the embedded checklists, then --check passes", async () => {
    expect(await run("--check")).toBe(1);
    expect(log).toEqual([
      "stale: schemas/checklist.schema.json",
      "stale: schemas/config.schema.json",
      "stale: src/core/config/shipped-checklists.generated.ts",
      "Run `npm run generate` and commit the result.",
    ]);

    log = [];
    expect(await run()).toBe(0);
    expect(log.join("\n")).toContain("wrote src/core/config/shipped-checklists.generated.ts");
    log = [];
    expect(await run("--check")).toBe(0);
    expect(log).toEqual(["generated files are up to date"]);

    const schema = JSON.parse(readFileSync(join(dir, "schemas/checklist.schema.json"), "utf8"));
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.required).toEqual(["id", "title", "gates"]);
    // Fields with defaults are optional for editors (io: "input").
    expect(schema.properties.gates.items.required).toEqual(["id", "title", "owner", "items"]);
    const config = JSON.parse(readFileSync(join(dir, "schemas/config.schema.json"), "utf8"));
    expect(config.required ?? []).toEqual([]);
    expect(config.additionalProperties).toBe(false);
    expect(Object.keys(config.properties)).toContain("owners");
  });

  it("--check detects a checklist edited without regenerating, and writes nothing", async () => {
    await run();
    const file = join(dir, "checklists/pre-production.yml");
    writeFileSync(file, readFileSync(file, "utf8").replace("CDN support", "CDN in front of the API"));
    const before = readFileSync(join(dir, "src/core/config/shipped-checklists.generated.ts"), "utf8");
    log = [];
    expect(await run("--check")).toBe(1);
    expect(log[0]).toBe("stale: src/core/config/shipped-checklists.generated.ts");
    expect(readFileSync(join(dir, "src/core/config/shipped-checklists.generated.ts"), "utf8")).toBe(before);
  });

  it("refuses to embed a broken checklist", async () => {
    writeFileSync(
      join(dir, "checklists/broken.yml"),
      "# yaml-language-server: $schema=../schemas/checklist.schema.json\nid: broken\ntitle: Broken\ngates: []\n",
    );
    expect(await run()).toBe(1);
    expect(log).toEqual(['checklists/broken.yml:4:8: "gates" must list at least 1 entry; it is empty. Add one or remove the field.']);
  });

  it("requires the schema line and a file name matching the id", async () => {
    const text = readFileSync(join(dir, "checklists/ai-vendor-risk.yml"), "utf8");
    writeFileSync(join(dir, "checklists/vendor.yml"), text.split("\n").slice(1).join("\n"));
    expect(await run()).toBe(1);
    expect(log).toEqual([
      'checklists/vendor.yml:1:1: the checklist id is "ai-vendor-risk" but the file is vendor.yml. Rename one so they match.',
      'checklists/vendor.yml:1:1: the first line must be "# yaml-language-server: $schema=../schemas/checklist.schema.json" so editors can validate the file. Add it.',
    ]);
  });

  it("the committed generated files are fresh", async () => {
    expect(await staleFiles(ROOT)).toEqual([]);
  });
});
