import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WriteSpacing } from "../../src/github/write-spacing.js";

/** rate-limiter-flexible reads Date.now() and sets timers: the fake clock moves only when a test advances it. */
beforeEach(() => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] }));
afterEach(() => vi.useRealTimers());

/** Starts `n` writes for an installation; `done` lists them in the order they were let through. */
function writes(spacing: WriteSpacing, key: string, n: number, done: string[]): Promise<void>[] {
  return Array.from({ length: n }, (_, i) => spacing.acquire(key).then(() => void done.push(`${key}#${i + 1}`)));
}

describe("WriteSpacing (in memory)", () => {
  it("lets a burst through at once, then one write a second in arrival order, per installation", async () => {
    const spacing = new WriteSpacing({ burst: 4, perSecond: 1 });
    const done: string[] = [];
    const all = writes(spacing, "1", 7, done);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual(["1#1", "1#2", "1#3", "1#4"]);

    // Another installation has its own windows: its burst goes out while installation 1 waits.
    const other = writes(spacing, "2", 4, done);
    await vi.advanceTimersByTimeAsync(0);
    expect(done.slice(4)).toEqual(["2#1", "2#2", "2#3", "2#4"]);

    await vi.advanceTimersByTimeAsync(999);
    expect(done).toHaveLength(8);
    await vi.advanceTimersByTimeAsync(1);
    expect(done.slice(8)).toEqual(["1#5"]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(done.slice(8)).toEqual(["1#5", "1#6"]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(done.slice(8)).toEqual(["1#5", "1#6", "1#7"]);
    await Promise.all([...all, ...other]);
  });

  it("the burst comes back only after its own window (20 s): sustained, one write a second and little more", async () => {
    const spacing = new WriteSpacing({ burst: 4, perSecond: 1 });
    const done: string[] = [];
    writes(spacing, "1", 4, done);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toHaveLength(4);
    // Five seconds later only the steady write is there.
    await vi.advanceTimersByTimeAsync(5_000);
    writes(spacing, "1", 2, done);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(done).toHaveLength(6);
    // Idle for the burst's window: the whole burst again.
    await vi.advanceTimersByTimeAsync(20_000);
    writes(spacing, "1", 4, done);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toHaveLength(10);
  });
});

describe("WriteSpacing.whenIdle", () => {
  it("resolves at once with writes to spare, and waits while writes queue and for two writes' time after them", async () => {
    const spacing = new WriteSpacing({ burst: 4, perSecond: 1 });
    let idle = false;
    await spacing.whenIdle("1").then(() => (idle = true));
    expect(idle).toBe(true);

    // Six writes: four go out at once, then one a second.
    const all = writes(spacing, "1", 6, []);
    await vi.advanceTimersByTimeAsync(0);
    const order: string[] = [];
    idle = false;
    const whenIdle = spacing.whenIdle("1").then(() => {
      idle = true;
      order.push("idle");
    });
    for (const w of all.slice(4)) void w.then(() => order.push("write"));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(order).toEqual(["write", "write"]);
    await vi.advanceTimersByTimeAsync(1_900);
    expect(idle).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    await whenIdle;
    expect(order).toEqual(["write", "write", "idle"]);

    // Another installation is idle all along.
    let otherIdle = false;
    await spacing.whenIdle("2").then(() => (otherIdle = true));
    expect(otherIdle).toBe(true);
  });

  it("sets no timer of its own while writes queue: the last one to go out wakes it", async () => {
    const spacing = new WriteSpacing({ burst: 4, perSecond: 1 });
    const all = writes(spacing, "1", 6, []);
    await vi.advanceTimersByTimeAsync(0);
    const timers = vi.getTimerCount();
    let idle = false;
    const whenIdle = spacing.whenIdle("1").then(() => (idle = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(timers);
    // The queued writes go out at 1 s and 2 s; then it waits out the quiet time after the last one.
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all(all);
    expect(idle).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    await whenIdle;
    expect(idle).toBe(true);
  });

  it("waits while one write follows another, though each has a write to spare", async () => {
    const spacing = new WriteSpacing({ burst: 4, perSecond: 1 });
    let idle = false;
    await spacing.acquire("1");
    const whenIdle = spacing.whenIdle("1").then(() => (idle = true));
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(1_500);
      await spacing.acquire("1");
      expect(idle).toBe(false);
    }
    await vi.advanceTimersByTimeAsync(2_000);
    await whenIdle;
    expect(idle).toBe(true);
  });
});
