import type { ServedRequest } from "../test/support/stand-in-server.js";
import { isTokenCreation } from "./bench-repo.js";
import { IDLE_GAP_MS, sleep } from "./delivery-stream.js";

/** Keeps every request the stand-in server answered, with its timing, for the bench to slice. */
export class RequestRecorder {
  readonly served: ServedRequest[] = [];
  #lastWrite = -Infinity;
  readonly onServed = (request: ServedRequest) => {
    this.served.push(request);
    if (request.method !== "GET" && !isTokenCreation(request.path)) this.#lastWrite = Math.max(this.#lastWrite, request.endedAt);
  };

  /** Waits until no write has been answered for `gapMs` (see IDLE_GAP_MS). */
  async untilIdle(gapMs = IDLE_GAP_MS): Promise<void> {
    // Writes may land while waiting (deferred comment re-renders): wait out a whole quiet gap.
    for (let wait = this.#lastWrite + gapMs - performance.now(); wait > 0; wait = this.#lastWrite + gapMs - performance.now())
      await sleep(wait);
  }

  mark(): number {
    return this.served.length;
  }

  /** Requests answered since `mark`, without installation-token creation. */
  since(mark: number): ServedRequest[] {
    return this.served.slice(mark).filter((r) => !isTokenCreation(r.path));
  }
}

export function countReadsWrites(requests: ServedRequest[]): { reads: number; writes: number } {
  return { reads: requests.filter((r) => r.method === "GET").length, writes: requests.filter((r) => r.method !== "GET").length };
}

/**
 * Round trips on the critical path: the most requests of the set that ran one after another
 * (each starting after the previous one was answered). Parallel requests count once.
 */
export function sequentialRoundTrips(requests: ServedRequest[]): number {
  let count = 0;
  let lastEnd = -Infinity;
  for (const request of [...requests].sort((a, b) => a.endedAt - b.endedAt)) {
    if (request.startedAt >= lastEnd) {
      count++;
      lastEnd = request.endedAt;
    }
  }
  return count;
}
