import { describe, expect, it } from "vitest";
import { startupSweepFromEnv } from "../../../src/app/runtime/startup-sweep-env.js";

describe("GATEHOUSE_STARTUP_SWEEP", () => {
  it("is on unless turned off, and refuses anything else", () => {
    expect(startupSweepFromEnv(undefined)).toBe(true);
    expect(startupSweepFromEnv(" ON ")).toBe(true);
    expect(startupSweepFromEnv("off")).toBe(false);
    expect(() => startupSweepFromEnv("no")).toThrow("Invalid GATEHOUSE_STARTUP_SWEEP 'no': expected on or off.");
  });
});
