import { readFileSync } from "node:fs";
import { pullRequestEvent } from "../test/fixtures/webhooks.js";
import type { AppProcess, Delivery, WebhookEvent } from "../test/support/app-process.js";
import { inRepository, ledgerOn, tickableItems } from "../test/support/release-repo.js";
import type { BenchRepo, Subject } from "./bench-repo.js";
import { deliverAll, eventsPerSecond, FLOOR_IDLE_GAP_MS, median } from "./delivery-stream.js";
import type { RequestRecorder } from "./request-recorder.js";

/** Ticks in flight at once per installation. */
const IN_FLIGHT_PER_INSTALLATION = 4;

/** A counting semaphore, first come first served. */
class Slots {
  readonly #waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async take(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

/** The App's write spacing as shipped: a burst of 4, then 1 write a second per installation. */
const BURST = 4;
const PER_SECOND = 1;

export interface EconomyMeasurement {
  installations: number;
  prs: number;
  ticks: number;
  eventsPerSecond: number;
  /** Every write for these PRs, the deferred comment re-renders after the stream included. */
  writes: number;
  /** The JSON bodies of those writes, in bytes all told (the floor's writes are sized alike). */
  writeBytes: number;
  writesPerTick: number;
  /** events/s that 1 write/s per installation allows at this many writes per tick. */
  pacingBound: number;
  allSigned: boolean;
  /** Every final comment shows every tick ticked, with who signed it (the deferred re-render happened). */
  commentsShowAll: boolean;
  /** The App's CPU time (user + system) per event over the stream, in ms. */
  cpuMsPerEvent: number;
  /** Every API call the App made per event (but installation tokens), deferred re-renders included. */
  callsPerEvent: number;
  /** The app sent the same events at the same moments (`alongside`), if any: its CPU per event in ms, and its calls. */
  alongside?: { cpuMsPerEvent: number; callsPerEvent: number };
  /** The ticks sent, tick by tick across PRs, for the floor. */
  stream: WebhookEvent[];
}

/**
 * Owner ticks as they come on release day: each PR's owners tick one box after another (the next
 * edit once the previous one was answered), and PRs tick side by side. Each edit is built when it
 * is sent, from the comment GitHub holds then, as a browser would.
 */
export async function measureTicks(
  repo: BenchRepo,
  app: AppProcess,
  recorder: RequestRecorder,
  options: {
    installations: number;
    prsEach: number;
    ticksEach: number;
    onMeasuring?: () => Promise<void> | void;
    /**
     * Another app (the equal-calls floor) sent every event too, the moment the App is: whatever
     * the shared machine does during the pass then falls on both. The next tick does not wait for its answer.
     */
    alongside?: { app: AppProcess; recorder: RequestRecorder };
  },
): Promise<EconomyMeasurement> {
  const other = options.alongside;
  const subjects: Subject[] = [];
  for (let i = 0; i < options.installations; i++) {
    const installation = 500_000 + Math.floor(Math.random() * 1e6);
    for (let p = 0; p < options.prsEach; p++) subjects.push(repo.pull({ release: true, installation }));
  }
  // One opening per installation at a time: each costs two writes, spaced 1 s apart per installation.
  // The app alongside opens them too, so that it has each installation's token before the ticks, as the App has.
  const openings = subjects.map((s) => inRepository(pullRequestEvent("opened", s.pr), { installation: s.installation }));
  await Promise.all([deliverAll(app, openings, options.installations), other && deliverAll(other.app, openings, options.installations)]);
  await recorder.untilIdle();
  await other?.recorder.untilIdle(FLOOR_IDLE_GAP_MS);

  const items = tickableItems().slice(0, options.ticksEach);
  await options.onMeasuring?.();
  const mark = recorder.mark();
  const cpuBefore = cpuMs(app.pid);
  const otherMark = other?.recorder.mark() ?? 0;
  const otherBefore = other ? cpuMs(other.app.pid) : 0;
  const echoes: Promise<Delivery>[] = [];
  const deliveries: Delivery[] = [];
  const sent: { n: number; event: WebhookEvent }[] = [];
  // Owners keep a few ticks in flight per installation, as people ticking do, not a flood:
  // at 1 write a second, more in flight would only queue past Probot's 9 s answer.
  const slots = new Slots(options.installations * Math.min(options.prsEach, IN_FLIGHT_PER_INSTALLATION));
  await Promise.all(
    subjects.map(async (subject) => {
      for (let n = 0; n < items.length; n++) {
        await slots.take();
        try {
          const event = repo.tick(subject, items[n]!);
          sent.push({ n, event });
          if (other) echoes.push(other.app.deliver(event));
          deliveries.push(await app.deliver(event));
        } finally {
          slots.give();
        }
      }
    }),
  );
  const failed = deliveries.filter((d) => d.status !== 200);
  if (failed.length > 0) throw new Error(`${failed.length} ticks were answered ${failed[0]!.status}; the App said:\n${app.errors()}`);
  const rate = eventsPerSecond(deliveries);
  const echoed = await Promise.all(echoes);
  if (echoed.some((d) => d.status !== 200))
    throw new Error(`the app alongside answered a tick ${echoed.find((d) => d.status !== 200)!.status}`);
  // The deferred comment re-renders come after the stream: count them, and the CPU they cost.
  await recorder.untilIdle();
  const cpu = cpuMs(app.pid) - cpuBefore;
  const otherCpu = other ? cpuMs(other.app.pid) - otherBefore : 0;
  const numbers = new Set(subjects.map((s) => s.pr.number));
  const all = recorder.since(mark);
  const served = all.filter((r) => numbers.has(repo.pullOf(r) ?? -1));
  const written = served.filter((r) => r.method !== "GET");
  const writes = written.length;
  const ticks = deliveries.length;
  const writesPerTick = writes / ticks;
  return {
    installations: options.installations,
    prs: subjects.length,
    ticks,
    eventsPerSecond: rate,
    writes,
    writeBytes: written.reduce((sum, r) => sum + (r.body === undefined ? 0 : JSON.stringify(r.body).length), 0),
    writesPerTick,
    pacingBound: pacingBound(options.installations, ticks / options.installations, writesPerTick),
    allSigned: subjects.every((s) => {
      const signed = new Set(ledgerOn(repo.github, s.pr.head.sha).events.map((e) => `${e.gate}.${e.item}`));
      return items.every((i) => signed.has(i.ref));
    }),
    commentsShowAll: subjects.every((s) => items.every((i) => repo.commentShowsSigned(s.pr.number, i.ref))),
    cpuMsPerEvent: cpu / ticks,
    // Team-membership reads belong to no PR but are the ticks' calls too (and cost CPU as much).
    callsPerEvent: all.length / ticks,
    ...(other ? { alongside: { cpuMsPerEvent: otherCpu / ticks, callsPerEvent: other.recorder.since(otherMark).length / ticks } } : {}),
    stream: sent.sort((a, b) => a.n - b.n).map((s) => s.event),
  };
}

/** The App's mean write body, in bytes: what the floor's write carries (bench/noop-app.ts). */
export function writeBytesPerWrite(m: Pick<EconomyMeasurement, "writes" | "writeBytes">): number {
  return m.writes === 0 ? 0 : m.writeBytes / m.writes;
}

/**
 * What 1 write/s per installation allows: each installation's `ticks` cost ticks × writesPerTick
 * writes, of which the first BURST go out at once and the rest one a second.
 */
export function pacingBound(installations: number, ticksEach: number, writesPerTick: number): number {
  const seconds = Math.max(0, ticksEach * writesPerTick - BURST) / PER_SECOND;
  return seconds === 0 ? Number.POSITIVE_INFINITY : (installations * ticksEach) / seconds;
}

export interface FloorCpu {
  calls: number;
  /** The calls an event the floor was counted making in each pass (the stand-in served them), where counted. */
  callsMade?: number[];
  /** The median of the passes. */
  cpuMsPerEvent: number;
  passes: number[];
}

/**
 * CPU per event moves by up to a third from one pass to the next on this shared 2-core machine
 * (JIT, GC and background compile threads run when they will, and so do the other tenants of the
 * host), and V8 keeps speeding both apps up for the first few thousand events: after three passes
 * (1,536 events) the App's passes still fell from about 4.3 to 3.8 ms over the next six, and the
 * floor's first two passes read 10–20 % above its later ones. Each side is measured after
 * WARM_UP_PASSES passes of the stream, over CPU_PASSES passes, and the median is taken: a running
 * App's steady state. In `npm run bench` the floor is sent each event beside the App (see
 * `alongside`), so a slow minute of the machine falls on both sides of a pass's ratio.
 */
export const CPU_PASSES = 7;
export const WARM_UP_PASSES = 6;

/**
 * The no-op Probot app's CPU per event when it makes `calls` API calls per event on average (see
 * bench/noop-app.ts), over `passes` passes of the stream in a row, warm as the App is (the profile's).
 */
export async function measureFloorCpu(
  app: AppProcess,
  stream: WebhookEvent[],
  calls: number,
  options: { passes: number; onMeasuring?: () => Promise<void> },
): Promise<FloorCpu> {
  for (let pass = 0; pass < WARM_UP_PASSES; pass++) await deliverAll(app, stream, 64);
  await options.onMeasuring?.();
  const measured: number[] = [];
  for (let pass = 0; pass < options.passes; pass++) {
    const before = cpuMs(app.pid);
    await deliverAll(app, stream, 64);
    measured.push((cpuMs(app.pid) - before) / stream.length);
  }
  return { calls, cpuMsPerEvent: median(measured), passes: measured };
}

/**
 * The calls per event the floor makes: the median of the App's over its warm-up passes. Most
 * passes make 2.38 (a PR read and a check-run write a tick, and three calls a PR for its comment);
 * a pass in which the team-membership cache or the config cache is renewed makes up to 0.4 more
 * (reads of each owner's membership), and the first pass more still. The median is the App's usual
 * pass; a pass with renewals is then set against a floor making fewer calls than it. Measured at
 * that number rather than interpolated between 1 and 2 calls, whose difference (a few tenths of a
 * ms) is within the noise of either, so the interpolation could even slope down.
 */
export function floorCalls(app: Pick<EconomyMeasurement, "callsPerEvent">[]): number {
  return median(app.map((m) => m.callsPerEvent));
}

/** One pass of the App against the floor's CPU on the same events, sent beside it. */
export interface CpuPass {
  cpuMsPerEvent: number;
  callsPerEvent: number;
  floorMsPerEvent: number;
  floorCallsPerEvent: number;
  ratio: number;
}

/** Each App pass against the floor's on the same pass; the pass with the median ratio stands for them. */
export function cpuComparison(
  app: Pick<EconomyMeasurement, "cpuMsPerEvent" | "callsPerEvent">[],
  floor: FloorCpu,
): { passes: CpuPass[]; median: CpuPass } {
  if (floor.passes.length !== app.length) throw new Error(`${app.length} App passes against ${floor.passes.length} of the floor`);
  const passes = app.map((m, i) => ({
    cpuMsPerEvent: m.cpuMsPerEvent,
    callsPerEvent: m.callsPerEvent,
    floorMsPerEvent: floor.passes[i]!,
    floorCallsPerEvent: floor.callsMade?.[i] ?? floor.calls,
    ratio: m.cpuMsPerEvent / floor.passes[i]!,
  }));
  const sorted = [...passes].sort((a, b) => a.ratio - b.ratio);
  return { passes, median: sorted[Math.floor((sorted.length - 1) / 2)]! };
}

/** A process's CPU time so far (user + system), in ms, from /proc; 0 where /proc is missing. */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 a second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** When the idle window starts after the last write, and how long it lasts. */
export const IDLE_SETTLE_MS = 30_000;
export const IDLE_WINDOW_MS = 15_000;

/**
 * A process's CPU while it waits for webhooks, in ms per second: what it costs to keep running
 * between releases (timers, metrics sampling). Measured over IDLE_WINDOW_MS, once IDLE_SETTLE_MS
 * passed without writes, so the deferred re-renders and the collection after the stream are over.
 */
export async function measureIdleCpu(app: AppProcess, recorder: RequestRecorder): Promise<number> {
  await recorder.untilIdle(IDLE_SETTLE_MS);
  const before = cpuMs(app.pid);
  await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
  return (cpuMs(app.pid) - before) / (IDLE_WINDOW_MS / 1000);
}
