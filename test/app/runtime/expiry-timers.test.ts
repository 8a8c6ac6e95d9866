import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ExpiryTimers, MAX_TIMER_MS } from "../../../src/app/runtime/expiry-timers.js";

const DAY = 86_400_000;

describe("ExpiryTimers", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-11-25T12:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  const timers = () => new ExpiryTimers(() => Date.now());

  it("fires once when the moment comes, not before", () => {
    const t = timers();
    const fire = vi.fn();
    t.schedule("pr#1", new Date(Date.now() + 5_000), fire);
    vi.advanceTimersByTime(4_999);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledOnce();
    expect(t.size).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(fire).toHaveBeenCalledOnce();
  });

  it("chains waits longer than Node's 24.8-day timer limit instead of firing at once", () => {
    const t = timers();
    const fire = vi.fn();
    t.schedule("pr#1", new Date(Date.now() + 90 * DAY), fire);
    vi.advanceTimersByTime(MAX_TIMER_MS + 1);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(90 * DAY - MAX_TIMER_MS - 2);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledOnce();
  });

  it("keeps one timer per PR: a new moment replaces the old, cancel drops it", () => {
    const t = timers();
    const first = vi.fn();
    const second = vi.fn();
    t.schedule("pr#1", new Date(Date.now() + 1_000), first);
    t.schedule("pr#1", new Date(Date.now() + 2_000), second);
    expect(t.size).toBe(1);
    expect(t.due("pr#1")).toEqual(new Date(Date.now() + 2_000));
    vi.advanceTimersByTime(2_000);
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledOnce();

    const third = vi.fn();
    t.schedule("pr#2", new Date(Date.now() + 1_000), third);
    t.cancel("pr#2");
    vi.advanceTimersByTime(5_000);
    expect(third).not.toHaveBeenCalled();
  });

  it("fires at once for a moment already past", () => {
    const t = timers();
    const fire = vi.fn();
    t.schedule("pr#1", new Date(Date.now() - DAY), fire);
    vi.advanceTimersByTime(0);
    expect(fire).toHaveBeenCalledOnce();
  });
});
