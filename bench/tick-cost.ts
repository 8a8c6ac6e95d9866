import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Probot, ProbotOctokit } from "probot";
import { gatehouse } from "../src/app/index.js";
import type { Runtime } from "../src/app/runtime/runtime.js";
import { pullRequestEvent } from "../test/fixtures/webhooks.js";
import type { WebhookEvent } from "../test/support/app-process.js";
import { APP_ID, inRepository, tickableItems } from "../test/support/release-repo.js";
import { BenchRepo } from "./bench-repo.js";
import { median } from "./delivery-stream.js";
import noopApp from "./noop-app.js";

/**
 * `npm run bench -- --tick-cost`: CPU per owner tick with no sockets, so what the App's own code
 * costs stands out from HTTP and the kernel, which move a whole pass by 10–20 % in `npm run bench`.
 * Each side runs in its own process: Probot receives the webhooks in-process (`probot.receive`), and
 * Octokit's `fetch` is answered by the GitHub stand-in directly. The stand-in's work and building
 * the webhooks are timed and taken out. Rounds: 64 release PRs opened, then 8 owner ticks each, 64
 * at a time. The no-op app replays the App's first round at the App's calls per tick.
 *
 * Two settings. Unpaced: writes are not spaced, so ticks run back to back with warm caches, which
 * prices the code. Paced, as shipped: the App spaces each installation's writes (1 a second after a
 * burst of 4; every PR has an installation of its own) and the no-op app has Probot's throttle,
 * so ticks wake the process one at a time, as they do in `npm run bench`.
 */
const ROUNDS = 12;
const PRS = 64;
const TICKS_EACH = 8;

interface SideResult {
  usPerTick: number;
  callsPerTick: number;
  gcUsPerTick: number;
}

type Side = "app" | "floor";

if (process.argv[2] === "--side") {
  const [side, paced, streamFile, calls] = process.argv.slice(3) as [Side, string, string, string];
  const result = await runSide(side, paced === "paced", streamFile, Number(calls));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "gatehouse-tick-cost-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
for (const paced of [false, true]) {
  const stream = join(dir, `stream-${paced ? "paced" : "unpaced"}.json`);
  const app = side("app", paced, stream, 0);
  const floor = side("floor", paced, stream, app.callsPerTick);
  const extra = app.usPerTick - floor.usPerTick;
  console.log(
    `${paced ? "paced  " : "unpaced"}: App ${app.usPerTick.toFixed(0)} µs a tick (GC ${app.gcUsPerTick.toFixed(0)}) at ${app.callsPerTick.toFixed(2)} calls, ` +
      `no-op app ${floor.usPerTick.toFixed(0)} µs (GC ${floor.gcUsPerTick.toFixed(0)}): ${(app.usPerTick / floor.usPerTick).toFixed(2)}×, ${extra.toFixed(0)} µs more`,
  );
}

function side(which: Side, paced: boolean, stream: string, calls: number): SideResult {
  const run = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), "--side", which, paced ? "paced" : "unpaced", stream, String(calls)],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 },
  );
  if (run.status !== 0) throw new Error(`the ${which} side failed (exit ${run.status})`);
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as SideResult;
}

async function runSide(which: Side, paced: boolean, streamFile: string, calls: number): Promise<SideResult> {
  const repo = new BenchRepo();
  let requests = 0;
  /** The stand-in's and the harness's own time, taken out of the CPU readings. */
  let harnessMs = 0;
  const fetchStandIn = async (url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const started = performance.now();
    requests++;
    const { pathname, search } = new URL(url);
    const body = typeof init.body === "string" && init.body.length > 0 ? (JSON.parse(init.body) as unknown) : undefined;
    const answer = repo.github.handle({ method: init.method ?? "GET", path: pathname + search, headers: init.headers ?? {}, body });
    const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body ?? {});
    const response = new Response(text, {
      status: answer.status,
      headers: { "content-type": "application/json; charset=utf-8", ...(answer.headers as Record<string, string> | undefined) },
    });
    harnessMs += performance.now() - started;
    return response;
  };
  const probot = new Probot({
    githubToken: "bench-token",
    Octokit: ProbotOctokit.defaults((options: Record<string, any>) => ({
      ...options,
      request: { ...options.request, fetch: fetchStandIn },
      retry: { enabled: false },
      // The no-op app, paced, keeps Probot's throttle as `probot run` has it; the App turns it off itself.
      throttle: { ...options.throttle, enabled: which === "floor" && paced },
    })),
    logLevel: "warn",
  });
  let runtime: Runtime | undefined;
  if (which === "app") {
    await probot.load(
      gatehouse({
        appId: APP_ID,
        ...(paced ? {} : { writeSpacing: { burst: Number.MAX_SAFE_INTEGER, perSecond: Number.MAX_SAFE_INTEGER } }),
        onRuntime: (rt) => (runtime = rt),
      }),
    );
  } else {
    process.env.NOOP_CALLS = String(calls);
    process.env.NOOP_WRITE_BYTES = "4600";
    await probot.load(noopApp);
  }
  const deliver = (event: WebhookEvent) => probot.receive({ id: randomUUID(), name: event.name, payload: event.payload } as never);

  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  }).observe({ entryTypes: ["gc"] });

  const items = tickableItems().slice(0, TICKS_EACH);
  const recorded: WebhookEvent[][] = which === "floor" ? (JSON.parse(readFileSync(streamFile, "utf8")) as WebhookEvent[][]) : [];
  if (which === "floor") for (let pr = 0; pr < PRS; pr++) repo.pull({ release: true });
  const rounds: SideResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const subjects = which === "app" ? Array.from({ length: PRS }, () => repo.pull({ release: true })) : [];
    for (const s of subjects) await deliver(inRepository(pullRequestEvent("opened", s.pr), { installation: s.installation }));
    await runtime?.views.settled();

    const cpu = process.cpuUsage();
    const [requests0, harness0, gc0] = [requests, harnessMs, gcMs];
    let ticks = 0;
    for (let n = 0; n < TICKS_EACH; n++) {
      if (which === "floor") {
        await Promise.all(recorded[n]!.map((event) => deliver(event)));
        ticks += recorded[n]!.length;
        continue;
      }
      if (round === 0) recorded.push([]);
      await Promise.all(
        subjects.map(async (s) => {
          const started = performance.now();
          const event = repo.tick(s, items[n]!);
          if (round === 0) recorded[n]!.push(event);
          harnessMs += performance.now() - started;
          await deliver(event);
          ticks++;
        }),
      );
    }
    // The deferred comment re-renders belong to the ticks.
    await runtime?.views.settled();
    const used = process.cpuUsage(cpu);
    if (round === 0 && which === "app") writeFileSync(streamFile, JSON.stringify(recorded));
    rounds.push({
      usPerTick: (used.user + used.system - (harnessMs - harness0) * 1000) / ticks,
      callsPerTick: (requests - requests0) / ticks,
      gcUsPerTick: ((gcMs - gc0) * 1000) / ticks,
    });
  }
  // The first half warms V8 up; the median round of the second half stands for the side.
  const warm = rounds.slice(ROUNDS / 2);
  return {
    usPerTick: median(warm.map((r) => r.usPerTick)),
    callsPerTick: median(warm.map((r) => r.callsPerTick)),
    gcUsPerTick: median(warm.map((r) => r.gcUsPerTick)),
  };
}
