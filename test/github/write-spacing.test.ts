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
  it("lets a burst through at once, then spaces the rest in arrival order, per installation", async () => {
    const spacing = new WriteSpacing({ burst: 2, perSecond: 1 });
    const done: string[] = [];
    const all = writes(spacing, "1", 5, done);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual(["1#1", "1#2"]);

    // Another installation has its own window: its burst goes out while installation 1 waits.
    const other = writes(spacing, "2", 2, done);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual(["1#1", "1#2", "2#1", "2#2"]);

    // One window (burst / perSecond = 2 s) later, the next two; then the last.
    await vi.advanceTimersByTimeAsync(1_999);
    expect(done).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toEqual(["1#1", "1#2", "2#1", "2#2", "1#3", "1#4"]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(done).toEqual(["1#1", "1#2", "2#1", "2#2", "1#3", "1#4", "1#5"]);
    await Promise.all([...all, ...other]);
  });

  it("an installation idle for a while has its whole burst again", async () => {
    const spacing = new WriteSpacing({ burst: 4, perSecond: 1 });
    const done: string[] = [];
    writes(spacing, "1", 4, done);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(10_000);
    writes(spacing, "1", 4, done);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toHaveLength(8);
  });
});

describe("WriteSpacing.whenIdle", () => {
  it("resolves at once with writes to spare, waits while writes queue, and until a write is to spare beyond the next", async () => {
    const spacing = new WriteSpacing({ burst: 4, perSecond: 1 });
    let idle = false;
    await spacing.whenIdle("1").then(() => (idle = true));
    expect(idle).toBe(true);

    // Six writes: four go out, two wait for the next window.
    const done: string[] = [];
    const all = writes(spacing, "1", 6, done);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toHaveLength(4);
    const order: string[] = [];
    idle = false;
    const whenIdle = spacing.whenIdle("1").then(() => {
      idle = true;
      order.push("idle");
    });
    for (const w of all.slice(4)) void w.then(() => order.push("write"));
    await vi.advanceTimersByTimeAsync(3_900);
    expect(idle).toBe(false);
    // The window ends: the two waiting writes go first, then, once two writes' time passed quietly, the low-priority work.
    await vi.advanceTimersByTimeAsync(400);
    expect(order).toEqual(["write", "write"]);
    await vi.advanceTimersByTimeAsync(2_000);
    await whenIdle;
    expect(order).toEqual(["write", "write", "idle"]);

    // Another installation is idle all along.
    let otherIdle = false;
    await spacing.whenIdle("2").then(() => (otherIdle = true));
    expect(otherIdle).toBe(true);
  });

  it("with no write to spare beyond the next, waits for the window to end", async () => {
    const spacing = new WriteSpacing({ burst: 4, perSecond: 1 });
    await Promise.all([...writes(spacing, "1", 3, []), vi.advanceTimersByTimeAsync(0)]);
    let idle = false;
    const whenIdle = spacing.whenIdle("1").then(() => (idle = true));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(idle).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    await whenIdle;
    expect(idle).toBe(true);
  });

  it("waits while one write follows another, though each window has writes to spare", async () => {
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
