import type { AppProcess, Delivery, WebhookEvent } from "../test/support/app-process.js";

/** What webhooks are sent to: one App process, or replicas behind a load balancer (bench/round-robin.ts). */
export type Receiver = Pick<AppProcess, "deliver" | "errors">;

/** Sends every event, at most `concurrency` at a time, in order; resolves with their deliveries in the same order. */
export async function deliverAll(app: Receiver, events: WebhookEvent[], concurrency: number): Promise<Delivery[]> {
  const deliveries: Delivery[] = new Array(events.length);
  let next = 0;
  const worker = async () => {
    while (next < events.length) {
      const index = next++;
      deliveries[index] = await app.deliver(events[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, events.length) }, worker));
  const failed = deliveries.filter((d) => d.status !== 200);
  if (failed.length > 0) {
    throw new Error(
      `${failed.length} of ${events.length} deliveries were answered ${[...new Set(failed.map((d) => d.status))].join(", ")}; the App said:\n${app.errors()}`,
    );
  }
  return deliveries;
}

/** Events per second over a stream: from the first send to the last answer. */
export function eventsPerSecond(deliveries: Delivery[]): number {
  const first = Math.min(...deliveries.map((d) => d.sentAt));
  const last = Math.max(...deliveries.map((d) => d.answeredAt));
  return deliveries.length / ((last - first) / 1000);
}

/** The nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `test` until it holds (true) or `timeoutMs` passed (false): what never happened is reported, not a crash. */
export async function until(test: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!test()) {
    if (performance.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

/**
 * Writes are spaced per installation: the App spends from a small per-installation budget that
 * refills at one write a second. Every measured pass of the App starts after this long without
 * writes, so it finds its installations idle and one pass never slows the next.
 */
export const IDLE_GAP_MS = 4_000;
/** Probot's throttle, which the floor runs with, spaces an installation's writes 1 s apart. */
export const FLOOR_IDLE_GAP_MS = 1_100;
