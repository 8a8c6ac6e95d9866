import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { releaseRepo } from "../support/release-repo.js";
import { serveStandIn, type StandInServer } from "../support/stand-in-server.js";

// The README's CLI commands, run as a newcomer runs them: in a fresh clone of this commit, after
// the install step, through `npx gatehouse`. The clone reuses this checkout's node_modules
// (a full `npm ci` takes minutes on a busy machine) and runs the `prepare` script, which is
// what `npm ci` runs after installing; the bin must work from there, with no `npm run build`.

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");

let dir: string;
let clone: string;
let env: NodeJS.ProcessEnv;

/** Runs a command in the clone; resolves with its exit code and output, whatever the code. */
async function inClone(file: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(file, args, { cwd: clone, env: { ...env, ...extraEnv }, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? String(error) };
  }
}

/** The `npx gatehouse …` lines of the README's sh block that follows `heading`, optional `[…]` parts dropped. */
function readmeCommands(heading: string): string[][] {
  const section = README.slice(README.indexOf(heading));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block
    .split("\n")
    .filter((line) => line.startsWith("npx gatehouse "))
    .map((line) =>
      line
        .replace(/\s*>.*$/, "")
        .replace(/\[[^\]]*\]/g, "")
        .trim()
        .split(/\s+/)
        .slice(2),
    );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-clone-"));
  clone = join(dir, "gatehouse");
  // Nothing of the outer npm run (npm_config_local_prefix, npm_package_json…) may leak into the
  // clone, and its npx cache is its own, so an older run's cache cannot make it pass.
  env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  Object.assign(env, {
    npm_config_cache: join(dir, "npm-cache"),
    npm_config_offline: "true",
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
  });

  const head = (await run("git", ["rev-parse", "HEAD"], { cwd: ROOT })).stdout.trim();
  await run("git", ["clone", "--quiet", "--no-checkout", ROOT, clone]);
  await run("git", ["checkout", "--quiet", head], { cwd: clone });
  symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"), "dir");

  const prepare = await inClone("npm", ["run", "prepare", "--silent"]);
  if (prepare.code !== 0) throw new Error(`npm run prepare failed in the clone (${prepare.code}):\n${prepare.stderr}${prepare.stdout}`);
  // About 30 s of CPU (tsc is most of it); the limits leave room for a machine busy with other tests.
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the README's CLI commands in a fresh clone", () => {
  it("validate and preview work after the install step alone, with no `npm run build`", async () => {
    const commands = readmeCommands("### The `gatehouse` CLI");
    expect(commands.map((c) => c[0])).toEqual(["validate", "preview"]);

    const validate = await inClone("npx", ["gatehouse", ...commands[0]!]);
    expect(validate.stderr).not.toContain("not found");
    expect(validate).toMatchObject({ code: 0, stdout: expect.stringMatching(/^2 files valid$/m) });

    const preview = await inClone("npx", ["gatehouse", ...commands[1]!]);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain("gatehouse:item security.");
  }, 180_000);

  describe("with a GitHub stand-in", () => {
    let server: StandInServer;
    beforeAll(async () => {
      server = await serveStandIn(releaseRepo());
    });
    afterAll(() => server.close());

    it("runs the audit example", async () => {
      const [audit] = readmeCommands("## The `gatehouse audit` command");
      expect(audit).toEqual([
        "audit",
        "--repo",
        "acme/api",
        "--app-id",
        "123456",
        "--since",
        "2026-01-01",
        "--until",
        "2026-03-31",
        "--format",
        "csv",
      ]);

      const result = await inClone("npx", ["gatehouse", ...audit!], { GITHUB_TOKEN: "ghp_clone", GITHUB_API_URL: server.url });

      expect(result.stderr).toContain("gatehouse audit: 0 release PRs");
      expect(result.code).toBe(0);
      expect(result.stdout.split("\r\n")[0]).toBe(
        "pr,title,author,merged_by,merged_at,merge_sha,head_sha,approved_at_merge,record,kind,actor,role,gate,item,sha,at,method,evidence,note",
      );
    }, 120_000);
  });
});
