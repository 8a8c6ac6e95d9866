import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, startApp } from "../test/support/app-process.js";
import { APP_ID } from "../test/support/release-repo.js";
import { serveStandIn } from "../test/support/stand-in-server.js";
import { BenchRepo } from "./bench-repo.js";
import { RequestRecorder } from "./request-recorder.js";
import { measureTicks } from "./write-economy.js";

/**
 * `npm run bench:profile`: the App under the CPU profiler while 16 installations tick (like the
 * stream as the bench's write-economy figure); prints where its CPU time per event goes, by
 * package and by function (self time).
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
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
const out = join(mkdtempSync(join(tmpdir(), "gatehouse-profile-")), "app.cpuprofile");
const app = await startApp({
  githubUrl: server.url,
  appId: APP_ID,
  launcher: join(ROOT, "lib/bench/profile-launcher.js"),
  env: { PROFILE_OUT: out, GATEHOUSE_STARTUP_SWEEP: "off" },
});
const measured = await measureTicks(repo, app, recorder, { installations: 16, prsEach: 1, ticksEach: 8 });
await app.stop();
await server.close();

const profile = JSON.parse(readFileSync(out, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
});
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfMs]
  .filter(([id]) => ["(idle)", "(program)"].includes(byId.get(id)!.callFrame.functionName))
  .reduce((a, [, ms]) => a + ms, 0);
const busy = total - idle;

const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
const internal = (node: ProfileNode) => node.callFrame.url === "" || node.callFrame.url.startsWith("node:");
/** Node's own frames (I/O, zlib, crypto, timers) are charged to the nearest caller outside Node. */
function owner(node: ProfileNode): ProfileNode {
  if (node.callFrame.functionName === "(garbage collector)") return node;
  for (let at: ProfileNode | undefined = node; at; at = byId.get(parents.get(at.id) ?? -1)) if (!internal(at)) return at;
  return node;
}

function packageOf(url: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  if (url.includes("/lib/src/")) return `gatehouse ${url.split("/lib/src/")[1]!.split("/").slice(0, -1).join("/")}`;
  if (url.startsWith("node:") || url === "") return "node (no caller outside it; GC)";
  return url;
}
function top(key: (node: ProfileNode) => string, n: number): [string, number][] {
  const sums = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const node = byId.get(id)!;
    if (["(idle)", "(program)"].includes(node.callFrame.functionName)) continue;
    const k = key(owner(node));
    sums.set(k, (sums.get(k) ?? 0) + ms);
  }
  return [...sums].sort((a, b) => b[1] - a[1]).slice(0, n);
}
const perEvent = (ms: number) => (ms / measured.ticks).toFixed(2);
const lines = [
  `CPU profile of the App: ${measured.ticks} ticks from ${measured.installations} installations; ${busy.toFixed(0)} ms busy, ${perEvent(busy)} ms per event.`,
  "",
  "| Where (self time; Node's own frames charged to their caller) | ms per event | share |",
  "| --- | ---: | ---: |",
  ...top((n) => packageOf(n.callFrame.url), 8).map(([k, ms]) => `| ${k} | ${perEvent(ms)} | ${((ms / busy) * 100).toFixed(0)} % |`),
  "",
  "| Function (self time) | ms per event | share |",
  "| --- | ---: | ---: |",
  ...top((n) => `${n.callFrame.functionName || "(anonymous)"} ${packageOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`, 10).map(
    ([k, ms]) => `| ${k.replace(/\|/g, "\\|")} | ${perEvent(ms)} | ${((ms / busy) * 100).toFixed(0)} % |`,
  ),
];
process.stdout.write(`${lines.join("\n")}\n`);
