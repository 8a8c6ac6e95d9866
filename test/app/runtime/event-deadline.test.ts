import { describe, expect, it } from "vitest";
import { Deliveries } from "../../../src/app/runtime/deliveries.js";
import { EventDeadlineError, withDeadline } from "../../../src/app/runtime/event-deadline.js";

describe("withDeadline", () => {
  it("fails an event that runs past its deadline, and its delivery may run again", async () => {
    const deliveries = new Deliveries();
    const hung = new Promise<void>(() => {});
    const started = performance.now();
    await expect(deliveries.once("d1", () => withDeadline("issue_comment d1", 50, () => hung))).rejects.toBeInstanceOf(EventDeadlineError);
    expect(performance.now() - started).toBeLessThan(2_000);
    // Not recorded as done: GitHub's redelivery runs the handler again.
    let ran = false;
    expect(await deliveries.once("d1", () => withDeadline("issue_comment d1", 50, async () => void (ran = true)))).toBe("ran");
    expect(ran).toBe(true);
  });

  it("passes a result or an error through within the deadline", async () => {
    await expect(withDeadline("e", 1_000, async () => 7)).resolves.toBe(7);
    await expect(withDeadline("e", 1_000, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  });
});
