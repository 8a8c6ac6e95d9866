import type { AppProcess, WebhookEvent } from "../test/support/app-process.js";
import type { StandInServer } from "../test/support/stand-in-server.js";
import type { BenchRepo } from "./bench-repo.js";
import { deliverAll, eventsPerSecond, percentile } from "./delivery-stream.js";
import { countReadsWrites, sequentialRoundTrips, type RequestRecorder } from "./request-recorder.js";
import type { BenchEvent, Scenario } from "./scenarios.js";

export interface ScenarioSettings {
  /** Events per pass (each on its own PR and installation). */
  events: number;
  concurrency: number;
  /** API latency of the latency pass. */
  latencyMs: number;
  /** Events traced one at a time for per-event cost and round trips. */
  traced: number;
}

export interface ScenarioMeasurement {
  id: string;
  title: string;
  /** Per event, traced alone with warm caches (the largest of the traced events). */
  reads: number;
  writes: number;
  roundTrips: number;
  /** Per event, averaged over the concurrent throughput pass. */
  readsAvg: number;
  writesAvg: number;
  eventsPerSecond: number;
  /** Webhook sent → last write answered (or → webhook answered when the event writes nothing). */
  p50Ms: number;
  p99Ms: number;
  latencyTo: "final write" | "webhook answered";
  peakRssMb: number | undefined;
  /** The throughput pass's events, replayed against the floor. */
  stream: WebhookEvent[];
}

/** Runs one scenario against a fresh App process: prepare, throughput pass, latency pass, traced events. */
export async function measureScenario(input: {
  scenario: Scenario;
  repo: BenchRepo;
  app: AppProcess;
  server: StandInServer;
  recorder: RequestRecorder;
  settings: ScenarioSettings;
}): Promise<ScenarioMeasurement> {
  const { scenario, repo, app, server, recorder, settings } = input;
  const subjects = await scenario.prepare(repo, app, settings.events + 1);
  // One event first, so config, membership and token caches are as warm as in a running App.
  const warmUp = subjects.pop()!;
  await deliverAll(app, [scenario.event(repo, warmUp, 0).event], 1);
  // The subjects' installations wrote while being prepared: let them go idle before measuring.
  await recorder.untilIdle();

  const throughputEvents = subjects.map((s) => scenario.event(repo, s, 0));
  let mark = recorder.mark();
  const throughput = await deliverAll(
    app,
    throughputEvents.map((e) => e.event),
    settings.concurrency,
  );
  const totals = countReadsWrites(recorder.since(mark));
  await recorder.untilIdle();

  server.setLatency(settings.latencyMs);
  const latencyEvents = subjects.map((s) => scenario.event(repo, s, 1));
  mark = recorder.mark();
  const deliveries = await deliverAll(
    app,
    latencyEvents.map((e) => e.event),
    settings.concurrency,
  );
  const served = recorder.since(mark);
  const latencies = deliveries.map((delivery, i) => {
    const writes = served.filter((r) => r.method !== "GET" && r.startedAt >= delivery.sentAt && repo.pullOf(r) === latencyEvents[i]!.pr);
    return writes.length ? Math.max(...writes.map((w) => w.endedAt)) - delivery.sentAt : undefined;
  });
  const anyWrites = latencies.some((l) => l !== undefined);
  const latencyMs = deliveries.map((d, i) => latencies[i] ?? d.answeredAt - d.sentAt);

  await recorder.untilIdle();
  const traces: { reads: number; writes: number; roundTrips: number }[] = [];
  for (const subject of subjects.slice(0, settings.traced)) {
    const event: BenchEvent = scenario.event(repo, subject, 2);
    const before = recorder.mark();
    await deliverAll(app, [event.event], 1);
    const requests = recorder.since(before);
    traces.push({ ...countReadsWrites(requests), roundTrips: sequentialRoundTrips(requests) });
  }
  server.setLatency(0);

  const peak = app.peakRssKb();
  return {
    id: scenario.id,
    title: scenario.title,
    reads: Math.max(...traces.map((t) => t.reads)),
    writes: Math.max(...traces.map((t) => t.writes)),
    roundTrips: Math.max(...traces.map((t) => t.roundTrips)),
    readsAvg: totals.reads / throughput.length,
    writesAvg: totals.writes / throughput.length,
    eventsPerSecond: eventsPerSecond(throughput),
    p50Ms: percentile(latencyMs, 50),
    p99Ms: percentile(latencyMs, 99),
    latencyTo: anyWrites ? "final write" : "webhook answered",
    peakRssMb: peak === undefined ? undefined : peak / 1024,
    stream: throughputEvents.map((e) => e.event),
  };
}
