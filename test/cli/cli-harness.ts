import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";

/** A temporary repo checkout to run `gatehouse` in, in-process. */
export class CliRepo {
  readonly dir = mkdtempSync(join(tmpdir(), "gatehouse-cli-"));

  write(path: string, text: string): this {
    mkdirSync(dirname(join(this.dir, path)), { recursive: true });
    writeFileSync(join(this.dir, path), text);
    return this;
  }

  async run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const io: CliIo = {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      cwd: this.dir,
      readFile: (path) => readFile(path, "utf8"),
      readDir: (path) => readdir(path),
      now: () => new Date("2026-11-25T12:00:00Z"),
    };
    const code = await main(argv, io);
    return { code, stdout, stderr };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const OWNERS = [
  "owners:",
  '  security: ["@acme/security"]',
  '  compliance: ["@acme/grc", "@dana"]',
  '  support: ["@acme/support"]',
  '  operations: ["@acme/sre"]',
  '  infrastructure: ["@acme/platform"]',
].join("\n");
