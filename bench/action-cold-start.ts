import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pushEvent } from "../test/fixtures/webhooks.js";
import { ROOT } from "../test/support/app-process.js";
import { APP_ID } from "../test/support/release-repo.js";
import { median } from "./delivery-stream.js";

export interface ColdStartMeasurement {
  runs: number;
  medianMs: number;
  minMs: number;
  exitCode: number | null;
  /** `node -e ""` on the same machine: the part no bundle can save. */
  nodeMedianMs: number;
}

/** Wall time of `node action/dist/index.js` from spawn to exit, deciding one release PR against the stand-in. */
export async function measureActionColdStart(input: {
  githubUrl: string;
  pr: number;
  sha: string;
  runs: number;
}): Promise<ColdStartMeasurement> {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-bench-action-"));
  const files = { event: join(dir, "event.json"), output: join(dir, "output"), summary: join(dir, "summary.md") };
  writeFileSync(
    files.event,
    JSON.stringify(pushEvent({ ref: "refs/heads/main", after: input.sha, modified: ["src/app.ts"], sender: "rm" }).payload),
  );
  const env = {
    PATH: process.env.PATH ?? "",
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: "push",
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: "acme/api",
    GITHUB_SHA: input.sha,
    GITHUB_API_URL: input.githubUrl,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    INPUT_TOKEN: "ghs_workflow",
    "INPUT_APP-ID": String(APP_ID),
    "INPUT_PULL-REQUEST": String(input.pr),
    "INPUT_WAIT-MINUTES": "0",
    "INPUT_POLL-SECONDS": "30",
  };
  const time = async (args: string[]) => {
    writeFileSync(files.output, "");
    writeFileSync(files.summary, "");
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: "ignore" });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    return { ms: performance.now() - started, code };
  };
  const action: { ms: number; code: number | null }[] = [];
  const node: number[] = [];
  for (let run = 0; run < input.runs; run++) {
    action.push(await time([join(ROOT, "action/dist/index.js")]));
    node.push((await time(["-e", ""])).ms);
  }
  return {
    runs: input.runs,
    medianMs: median(action.map((a) => a.ms)),
    minMs: Math.min(...action.map((a) => a.ms)),
    exitCode: action.at(-1)!.code,
    nodeMedianMs: median(node),
  };
}
