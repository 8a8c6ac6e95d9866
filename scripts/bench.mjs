#!/usr/bin/env node
// `npm run bench` (after `npm run build`): bundles the bench (bench/*.ts, which imports the test
// stand-in and src/core) into lib/bench/ and runs it. Dependencies stay external, so the bench
// runs the same packages the App does.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

await build({
  absWorkingDir: root,
  entryPoints: ["bench/run.ts", "bench/noop-app.ts", "bench/profile.ts", "bench/profile-launcher.ts", "bench/tick-cost.ts"],
  outdir: "lib/bench",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});

// `npm run bench -- --profile`: where the App's CPU time per event goes, instead of the figures;
// `-- --tick-cost`: the CPU of a tick without sockets (see bench/tick-cost.ts).
const main = process.argv.includes("--profile")
  ? "lib/bench/profile.js"
  : process.argv.includes("--tick-cost")
    ? "lib/bench/tick-cost.js"
    : "lib/bench/run.js";
const child = spawn(process.execPath, ["--enable-source-maps", join(root, main)], { cwd: root, stdio: "inherit" });
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
