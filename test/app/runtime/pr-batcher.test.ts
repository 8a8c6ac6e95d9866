import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PrBatcher } from "../../../src/app/runtime/pr-batcher.js";
import { manualClock } from "../../support/fake-clock.js";

describe("PrBatcher", () => {
  // Only the timers are faked: the batcher must take "how long since the first request" from the injected clock.
  beforeEach(() => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] }));
  afterEach(() => vi.useRealTimers());

  it("starts a batch after a quiet period, but never later than maxWaitMs after its first request", async () => {
    const clock = manualClock();
    const batches: number[][] = [];
    const batcher = new PrBatcher<number, number>(
      async (_key, batch) => {
        batches.push(batch);
        return batch.map((n) => n * 10);
      },
      { now: clock.now, quietMs: 25, maxWaitMs: 100 },
    );
    const step = async (ms: number) => {
      clock.advance(ms);
      await vi.advanceTimersByTimeAsync(ms);
    };
    const results: Promise<number>[] = [];
    // A request every 20 ms never leaves a 25 ms quiet period: only the 100 ms cap starts the batch.
    for (let n = 0; n < 6; n++) {
      results.push(batcher.submit("pr", n));
      await step(20);
    }
    expect(batches).toEqual([[0, 1, 2, 3, 4]]);
    await step(25);
    expect(batches).toEqual([[0, 1, 2, 3, 4], [5]]);
    expect(await Promise.all(results)).toEqual([0, 10, 20, 30, 40, 50]);
  });
});
