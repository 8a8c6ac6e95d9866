import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { writeLastRun } from "./readme-section.js";
import { cpus } from "node:os";
import { join } from "node:path";
import { ROOT, startApp, type AppProcess } from "../test/support/app-process.js";
import { APP_ID, gatehouseRun } from "../test/support/release-repo.js";
import { serveStandIn } from "../test/support/stand-in-server.js";
import { measureActionColdStart } from "./action-cold-start.js";
import { BenchRepo } from "./bench-repo.js";
import { FLOOR_IDLE_GAP_MS, median } from "./delivery-stream.js";
import { measureBurst, measureInstallations } from "./group-commit-figures.js";
import { measureGrowth } from "./growth.js";
import { cacheInstallationTokens, measureFloor } from "./floor.js";
import {
  cpuComparison,
  CPU_PASSES,
  floorCalls,
  measureIdleCpu,
  measureTicks,
  WARM_UP_PASSES,
  writeBytesPerWrite,
  type EconomyMeasurement,
  type FloorCpu,
} from "./write-economy.js";
import { setFloorCalls } from "./noop-app.js";
import { measureScenario, type ScenarioMeasurement, type ScenarioSettings } from "./measure-scenario.js";
import {
  judgeTargets,
  renderMarkdown,
  type BenchResults,
  type InstallationsResult,
  type ReplicasResult,
  type ScenarioResult,
} from "./report.js";
import { measureReplicas } from "./replicas.js";
import { RequestRecorder } from "./request-recorder.js";
import { SCENARIOS } from "./scenarios.js";

/**
 * `npm run bench`: the App as a real process (`probot run lib/src/app/index.js`) against the
 * GitHub stand-in over HTTP, with signed webhooks; the same streams against a no-op Probot app
 * (the floor); group-commit and write-economy figures; core growth; the Action's cold start. Prints
 * Markdown to stdout (progress to stderr) and writes bench/results.json.
 */
const SETTINGS: ScenarioSettings = { events: 32, concurrency: 16, latencyMs: 50, traced: 1 };
const INSTALLATIONS = 64;
const FLOOR_PASSES = 3;
/** Replicas: ticks a pass (each on its own PR and installation), passes per setup; recovery: PRs × ticks missed. */
const REPLICA_THROUGHPUT = { events: 48, concurrency: SETTINGS.concurrency, passes: 3 };
const RECOVERY = { prs: 10, ticksEach: 5 };
const started = performance.now();
const progress = (message: string) =>
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);

const repo = new BenchRepo();
const recorder = new RequestRecorder();
const server = await serveStandIn(repo.github, { onServed: recorder.onServed });
const githubUrl = server.url;

async function withApp<T>(
  options: { entry?: string; env?: Record<string, string>; githubUrl?: string },
  use: (app: AppProcess) => Promise<T>,
): Promise<T> {
  // Each scenario starts the App afresh; its start-up sweep of every open PR would run into the
  // measurement, and so would the redelivery sweep, which pages through the stand-in's whole delivery
  // log (thousands of deliveries by then) every 5 minutes. The replicas' recovery measures that sweep.
  const app = await startApp({
    githubUrl,
    appId: APP_ID,
    ...options,
    env: { GATEHOUSE_STARTUP_SWEEP: "off", GATEHOUSE_REDELIVERY_WINDOW_HOURS: "0", ...options.env },
  });
  try {
    return await use(app);
  } finally {
    await app.stop();
  }
}

const measured: ScenarioMeasurement[] = [];
for (const scenario of SCENARIOS) {
  progress(`${scenario.title}: Gatehouse as shipped`);
  measured.push(await withApp({}, (app) => measureScenario({ scenario, repo, app, server, recorder, settings: SETTINGS })));
}

progress(`group commit: burst of 20 ticks; ${INSTALLATIONS} installations`);
const { burst, installations } = await withApp({}, async (app) => {
  const burst = await measureBurst(repo, app, recorder);
  await recorder.untilIdle();
  const one = await measureInstallations(repo, app, recorder, { installations: INSTALLATIONS, ticksEach: 1 });
  await recorder.untilIdle();
  const five = await measureInstallations(repo, app, recorder, { installations: INSTALLATIONS, ticksEach: 5 });
  return { burst, installations: [one, five] };
});

progress("write economy: one installation with 16 release PRs; 64 installations ticking in turn");
const economy = await withApp({}, async (app) => {
  const one = await measureTicks(repo, app, recorder, { installations: 1, prsEach: 16, ticksEach: 10 });
  await recorder.untilIdle();
  const tickOptions = { installations: 64, prsEach: 1, ticksEach: 8 };
  const many = await measureTicks(repo, app, recorder, tickOptions);
  // The equal-calls floor is then sent every tick of the App's passes at the moment the App is, so
  // whatever this shared machine does during a pass falls on both sides of its ratio, and both
  // run warm without a pause (a process left idle for a minute takes its next pass dearer). It
  // talks to GitHub through a server of its own (the same stand-in), so that the App's calls are
  // counted apart from its.
  progress("the equal-calls floor: the no-op app making the App's calls an event, sent each tick beside the App");
  const floorRecorder = new RequestRecorder();
  const floorServer = await serveStandIn(repo.github, { onServed: floorRecorder.onServed });
  const noop = { NOOP_CALLS: String(many.callsPerEvent), NOOP_WRITE_BYTES: String(Math.round(writeBytesPerWrite(many))) };
  const alongside = async (floor: AppProcess) => {
    await recorder.untilIdle();
    return measureTicks(repo, app, recorder, { ...tickOptions, alongside: { app: floor, recorder: floorRecorder } });
  };
  try {
    return await withApp({ entry: join(ROOT, "lib/bench/noop-app.js"), env: noop, githubUrl: floorServer.url }, async (floor) => {
      // `many` was the App's first pass; WARM_UP_PASSES more warm both, and the floor is set to the
      // median of the App's calls an event so far after each (see floorCalls).
      const warm: EconomyMeasurement[] = [many];
      for (let n = 0; n < WARM_UP_PASSES; n++) {
        warm.push(await alongside(floor));
        await setFloorCalls(floor, floorCalls(warm));
      }
      const calls = floorCalls(warm);
      const cpu: EconomyMeasurement[] = [];
      for (let n = 0; n < CPU_PASSES; n++) cpu.push(await alongside(floor));
      const floorIdleMsPerSecond = await measureIdleCpu(floor, floorRecorder);
      const floorPasses = cpu.map((m) => m.alongside!.cpuMsPerEvent);
      const floorCpu: FloorCpu = {
        calls,
        cpuMsPerEvent: median(floorPasses),
        passes: floorPasses,
        callsMade: cpu.map((m) => m.alongside!.callsPerEvent),
      };
      const idleMsPerSecond = await measureIdleCpu(app, recorder);
      const passes = cpu.map(({ cpuMsPerEvent, callsPerEvent }) => ({ cpuMsPerEvent, callsPerEvent }));
      return { one, many, idleMsPerSecond, floorIdleMsPerSecond, floorCpu, cpu: passes };
    });
  } finally {
    await floorServer.close();
  }
});

const replicas = await measureReplicas({ repo, recorder, githubUrl, throughput: REPLICA_THROUGHPUT, recovery: RECOVERY, progress });

progress("the floor: a no-op Probot app on the same streams");
const floor = await withApp({ entry: join(ROOT, "lib/bench/noop-app.js") }, async (app) => {
  const replicaStream = replicas.throughput.stream;
  await cacheInstallationTokens(app, recorder, [...measured.map((m) => m.stream), ...installations.map((i) => i.stream), replicaStream]);
  // Its passes are short (a fraction of a second), so take the median of three; streams share no
  // installation, so only a pass over the same stream needs an idle gap before it.
  const passes: number[][] = measured.map(() => []);
  const replicaPasses: number[] = [];
  for (let pass = 0; pass < FLOOR_PASSES; pass++) {
    if (pass > 0) await recorder.untilIdle(FLOOR_IDLE_GAP_MS);
    for (const [i, m] of measured.entries()) passes[i]!.push(await measureFloor(app, m.stream, SETTINGS.concurrency));
    replicaPasses.push(await measureFloor(app, replicaStream, REPLICA_THROUGHPUT.concurrency));
  }
  const scenarios = passes.map(median);
  // Read here, comparable with the App's per-scenario peaks (the 64-installation streams send hundreds at once).
  const peak = app.peakRssKb();
  await recorder.untilIdle(FLOOR_IDLE_GAP_MS);
  const perInstallations: number[] = [];
  for (const i of installations) perInstallations.push(await measureFloor(app, i.stream, i.stream.length));
  return { scenarios, replicas: median(replicaPasses), perInstallations, peakRssMb: peak === undefined ? undefined : peak / 1024 };
});

progress("the Action's cold start");
const gated = [...repo.github.pulls.values()].find((pr) => pr.labels.length > 0 && gatehouseRun(repo.github, pr.head.sha))!;
const action = await measureActionColdStart({ githubUrl, pr: gated.number, sha: gated.head.sha, runs: 5 });
await server.close();

progress("growth: evaluate + render");
const growth = [10, 100, 1000].flatMap((items) => [0, 500].map((signoffs) => measureGrowth(items, signoffs)));

const scenarios: ScenarioResult[] = measured.map(({ stream: _stream, ...m }, i) => ({
  ...m,
  floorEventsPerSecond: floor.scenarios[i]!,
  ratioToFloor: m.eventsPerSecond / floor.scenarios[i]!,
}));
const installationResults: InstallationsResult[] = installations.map(({ stream: _stream, ...m }, i) => ({
  ...m,
  floorEventsPerSecond: floor.perInstallations[i]!,
  ratioToFloor: m.eventsPerSecond / floor.perInstallations[i]!,
}));
const { stream: _replicaStream, setups, ...replicaThroughput } = replicas.throughput;
const asToday = setups.find((s) => !s.redis)!;
const replicaResults: ReplicasResult = {
  ...replicaThroughput,
  setups: setups.map((s) => ({ ...s, ratioToNoRedis: s.eventsPerSecond / asToday.eventsPerSecond })),
  floorEventsPerSecond: floor.replicas,
  burst: replicas.burst,
  recovery: replicas.recovery,
};
const partial: Omit<BenchResults, "targets"> = {
  meta: {
    date: new Date().toISOString(),
    commit: measuredCommit(),
    node: process.version,
    cpus: cpus().length,
    platform: `${process.platform}/${process.arch}`,
    seconds: (performance.now() - started) / 1000,
    settings: SETTINGS,
    floorPeakRssMb: floor.peakRssMb,
  },
  scenarios,
  burst,
  installations: installationResults,
  replicas: replicaResults,
  growth,
  action,
  economy: {
    one: withoutStream(economy.one),
    many: withoutStream(economy.many),
    floorCpu: economy.floorCpu,
    cpu: cpuComparison(economy.cpu, economy.floorCpu),
    idle: { appMsPerSecond: economy.idleMsPerSecond, floorMsPerSecond: economy.floorIdleMsPerSecond },
  },
};
const results: BenchResults = { ...partial, targets: judgeTargets(partial) };
writeFileSync(join(ROOT, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);
const markdown = renderMarkdown(results);
process.stdout.write(`${markdown}\n`);
writeLastRun(join(ROOT, "bench/README.md"), markdown);
progress("wrote bench/results.json and the last run in bench/README.md");

function withoutStream<T extends { stream: unknown }>({ stream: _stream, ...rest }: T): Omit<T, "stream"> {
  return rest;
}

/** The commit measured, marked "+changes" when src/ differs from it; "unknown" outside a git checkout. */
function measuredCommit(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return git("rev-parse", "--short", "HEAD") + (git("status", "--porcelain", "--", "src") ? "+changes" : "");
  } catch {
    return "unknown";
  }
}
