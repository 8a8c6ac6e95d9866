import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, startApp, type AppProcess } from "../test/support/app-process.js";
import { APP_ID } from "../test/support/release-repo.js";
import { serveStandIn } from "../test/support/stand-in-server.js";
import { BenchRepo } from "./bench-repo.js";
import { sleep } from "./delivery-stream.js";
import { cacheInstallationTokens } from "./floor.js";
import { RequestRecorder } from "./request-recorder.js";
import { measureFloorCpu, measureTicks, WARM_UP_PASSES, writeBytesPerWrite } from "./write-economy.js";

/**
 * `npm run bench -- --profile`: the App under the CPU profiler while 64 installations tick (the
 * stream of the bench's CPU-per-event figure), then the equal-calls floor (the no-op app making
 * the App's calls an event) under the profiler on the same stream. Each profile covers only the measured
 * events. Prints where CPU time per event goes, by package and by function (self time), for both.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const repo = new BenchRepo();
const recorder = new RequestRecorder();
const server = await serveStandIn(repo.github, { onServed: recorder.onServed });
const dir = mkdtempSync(join(tmpdir(), "gatehouse-profile-"));

async function profiled<T>(
  name: string,
  options: { entry?: string; env?: Record<string, string> },
  measure: (app: AppProcess, restart: () => Promise<void>) => Promise<T>,
): Promise<{ result: T; profile: Profile }> {
  const out = join(dir, `${name}.cpuprofile`);
  const app = await startApp({
    githubUrl: server.url,
    appId: APP_ID,
    launcher: join(ROOT, "lib/bench/profile-launcher.js"),
    ...(options.entry ? { entry: options.entry } : {}),
    env: { PROFILE_OUT: out, GATEHOUSE_STARTUP_SWEEP: "off", GATEHOUSE_REDELIVERY_WINDOW_HOURS: "0", ...options.env },
  });
  // SIGUSR2 makes the launcher start its profile afresh (see profile-launcher.ts).
  const restart = async () => {
    process.kill(app.pid, "SIGUSR2");
    await sleep(200);
  };
  const result = await measure(app, restart);
  await app.stop();
  return { result, profile: JSON.parse(readFileSync(out, "utf8")) as Profile };
}

const INSTALLATIONS = 64;

// Both sides are profiled warm, as `npm run bench` measures them: after WARM_UP_PASSES passes of the stream.
const gatehouse = await profiled("gatehouse", {}, async (app, restart) => {
  for (let pass = 0; pass < WARM_UP_PASSES; pass++) {
    await measureTicks(repo, app, recorder, { installations: INSTALLATIONS, prsEach: 1, ticksEach: 8 });
    await recorder.untilIdle();
  }
  return measureTicks(repo, app, recorder, { installations: INSTALLATIONS, prsEach: 1, ticksEach: 8, onMeasuring: restart });
});
const ticks = gatehouse.result;
const floor = await profiled(
  "floor",
  {
    entry: join(ROOT, "lib/bench/noop-app.js"),
    env: { NOOP_CALLS: String(ticks.callsPerEvent), NOOP_WRITE_BYTES: String(Math.round(writeBytesPerWrite(ticks))) },
  },
  async (app, restart) => {
    await cacheInstallationTokens(app, recorder, [ticks.stream]);
    return measureFloorCpu(app, ticks.stream, ticks.callsPerEvent, { passes: 1, onMeasuring: restart });
  },
);
await server.close();

const IDLE = ["(idle)", "(program)"];
/**
 * Samples per profile node outside idle. Sample counts, not time deltas, give the shares: the
 * sampler misses ticks while the process waits, and charges the whole gap to the next sample.
 */
function samplesOf(profile: Profile): {
  self: Map<number, number>;
  busy: number;
  byId: Map<number, ProfileNode>;
  parents: Map<number, number>;
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const self = new Map<number, number>();
  for (const id of profile.samples) if (!IDLE.includes(byId.get(id)!.callFrame.functionName)) self.set(id, (self.get(id) ?? 0) + 1);
  return { self, busy: [...self.values()].reduce((a, b) => a + b, 0), byId, parents };
}

const internal = (node: ProfileNode) => node.callFrame.url === "" || node.callFrame.url.startsWith("node:");
function packageOf(url: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  if (url.includes("/lib/src/")) return `gatehouse ${url.split("/lib/src/")[1]!.split("/").slice(0, -1).join("/")}`;
  if (url.includes("/lib/bench/")) return `bench ${url.split("/lib/bench/")[1]}`;
  if (url.startsWith("node:") || url === "") return "node (no caller outside it: sockets, HTTP parsing, timers)";
  return url;
}

/**
 * ms per event by key: each key's share of the busy samples times the CPU per event the process
 * used (from /proc). Node's own frames (I/O, zlib, crypto) are charged to their nearest caller outside Node.
 */
function costs(profile: Profile, cpuMsPerEvent: number, key: (node: ProfileNode) => string): Map<string, number> {
  const { self, busy, byId, parents } = samplesOf(profile);
  const owner = (node: ProfileNode): ProfileNode => {
    if (node.callFrame.functionName === "(garbage collector)") return node;
    for (let at: ProfileNode | undefined = node; at; at = byId.get(parents.get(at.id) ?? -1)) if (!internal(at)) return at;
    return node;
  };
  const perEvent = new Map<string, number>();
  for (const [id, samples] of self) {
    const node = owner(byId.get(id)!);
    const k = node.callFrame.functionName === "(garbage collector)" ? "garbage collector" : key(node);
    perEvent.set(k, (perEvent.get(k) ?? 0) + (samples / busy) * cpuMsPerEvent);
  }
  return perEvent;
}

const byPackage = (n: ProfileNode) => packageOf(n.callFrame.url);
const byFunction = (n: ProfileNode) =>
  `${n.callFrame.functionName || "(anonymous)"} ${packageOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const appCpu = ticks.cpuMsPerEvent;
const noopCpu = floor.result.cpuMsPerEvent;
const app = { package: costs(gatehouse.profile, appCpu, byPackage), function: costs(gatehouse.profile, appCpu, byFunction) };
const noop = { package: costs(floor.profile, noopCpu, byPackage), function: costs(floor.profile, noopCpu, byFunction) };

const f2 = (ms: number | undefined) => (ms ?? 0).toFixed(2);
const rows = (ours: Map<string, number>, theirs: Map<string, number>, n: number) =>
  [...ours]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, ms]) => `| ${k.replace(/\|/g, "\\|")} | ${f2(ms)} | ${f2(theirs.get(k))} |`);
const top3 = [...app.package]
  .sort((a, b) => b[1] - a[1])
  .slice(0, 3)
  .map(([k, ms]) => `${k} ${f2(ms)} ms`)
  .join(", ");
const lines = [
  `CPU profile over ${ticks.ticks} ticks from ${ticks.installations} installations (${ticks.callsPerEvent.toFixed(2)} API calls per tick), the measured events only. CPU per event under the profiler (it slows both): the App ${f2(appCpu)} ms; the no-op app ${f2(noopCpu)} ms at the same calls an event, its writes padded to the App's ${writeBytesPerWrite(ticks).toFixed(0)} bytes. Each row is its share of the profile's samples times that CPU.`,
  "",
  `Top three costs per event (App): ${top3}.`,
  "",
  "| Where (self time; Node's own frames charged to their caller) | App ms per event | no-op app ms per event |",
  "| --- | ---: | ---: |",
  ...rows(app.package, noop.package, 12),
  "",
  "| Function (self time) | App ms per event | no-op app ms per event |",
  "| --- | ---: | ---: |",
  ...rows(app.function, noop.function, 15),
];
process.stdout.write(`${lines.join("\n")}\n`);
