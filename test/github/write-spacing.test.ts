import { describe, expect, it } from "vitest";
import { WriteSpacing } from "../../src/github/write-spacing.js";

describe("WriteSpacing", () => {
  it("lets a burst through, then spaces writes, per installation", async () => {
    let now = 0;
    const sleeps: number[] = [];
    const spacing = new WriteSpacing({
      burst: 2,
      perSecond: 1,
      clock: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    });
    await spacing.acquire("1");
    await spacing.acquire("1");
    expect(sleeps).toEqual([]);
    await spacing.acquire("1");
    expect(sleeps).toEqual([1000]);
    // Another installation has its own bucket.
    await spacing.acquire("2");
    await spacing.acquire("2");
    expect(sleeps).toEqual([1000]);
    // Idle time refills, up to the burst.
    now += 10_000;
    await spacing.acquire("1");
    await spacing.acquire("1");
    await spacing.acquire("1");
    expect(sleeps).toEqual([1000, 1000]);
  });
});

describe("WriteSpacing.whenIdle", () => {
  it("waits while writes queue and until a token is to spare beyond the next write", async () => {
    let now = 0;
    const spacing = new WriteSpacing({
      burst: 4,
      perSecond: 1,
      clock: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });
    await spacing.whenIdle("1");
    expect(now).toBe(0);
    for (let i = 0; i < 4; i++) await spacing.acquire("1");
    await spacing.whenIdle("1");
    // Two tokens had to come back (one spare beyond the next write): two seconds.
    expect(now).toBe(2000);
  });
});
