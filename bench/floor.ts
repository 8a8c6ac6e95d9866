import type { AppProcess, WebhookEvent } from "../test/support/app-process.js";
import { deliverAll, eventsPerSecond, FLOOR_IDLE_GAP_MS } from "./delivery-stream.js";
import type { RequestRecorder } from "./request-recorder.js";

/**
 * Sends one event of each installation in the streams, so the floor, like the App, has its
 * installation tokens cached before it is measured; then lets the installations go idle.
 */
export async function cacheInstallationTokens(app: AppProcess, recorder: RequestRecorder, streams: WebhookEvent[][]): Promise<void> {
  const first = new Map<number, WebhookEvent>();
  for (const event of streams.flat()) {
    const installation = (event.payload.installation as { id: number }).id;
    if (!first.has(installation)) first.set(installation, event);
  }
  await deliverAll(app, [...first.values()], 64);
  await recorder.untilIdle(FLOOR_IDLE_GAP_MS);
}

/** The floor's events/s on the same stream (installations warmed; streams share no installation). */
export async function measureFloor(app: AppProcess, stream: WebhookEvent[], concurrency: number): Promise<number> {
  return eventsPerSecond(await deliverAll(app, stream, concurrency));
}
