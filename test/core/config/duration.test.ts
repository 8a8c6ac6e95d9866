import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../../src/core/config/duration.js";

const DAY = 86_400_000;

describe("parseDuration", () => {
  it("reads minutes, hours, days and weeks", () => {
    expect(parseDuration("30m")).toBe(30 * 60_000);
    expect(parseDuration("12h")).toBe(12 * 3_600_000);
    expect(parseDuration("90d")).toBe(90 * DAY);
    expect(parseDuration("2w")).toBe(14 * DAY);
    expect(parseDuration(" 7d ")).toBe(7 * DAY);
  });

  it("rejects anything else, including zero", () => {
    for (const bad of ["", "90", "d", "90x", "1.5d", "-3d", "0d", "90 days", "P90D", "1y"]) {
      expect(parseDuration(bad), bad).toBeUndefined();
    }
  });
});

describe("formatDuration", () => {
  it("uses the largest unit that is exact, so configured durations read back as written", () => {
    expect(formatDuration(14 * DAY)).toBe("2w");
    expect(formatDuration(90 * DAY)).toBe("90d");
    expect(formatDuration(36 * 3_600_000)).toBe("36h");
    expect(formatDuration(3.5 * DAY)).toBe("84h");
    expect(formatDuration(3 * DAY + 4 * 3_600_000 + 12 * 60_000)).toBe("3d");
    expect(formatDuration(45 * 60_000)).toBe("45m");
  });
});
