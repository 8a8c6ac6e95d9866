import { describe, expect, it } from "vitest";
import { describeThreshold, meetsThreshold, parseThreshold } from "../../../src/core/evaluate/threshold.js";

describe("parseThreshold", () => {
  it("reads metric, operator and number", () => {
    expect(parseThreshold("uptime_percent >= 99.9")).toEqual({
      metric: "uptime_percent",
      op: ">=",
      value: 99.9,
      source: "uptime_percent >= 99.9",
    });
    expect(parseThreshold("error_rate_percent<2")).toMatchObject({ metric: "error_rate_percent", op: "<", value: 2 });
    expect(parseThreshold("delta == -1")).toMatchObject({ op: "==", value: -1 });
  });

  it("rejects malformed thresholds", () => {
    for (const bad of ["uptime", "uptime >= high", ">= 99", "Uptime >= 99", "uptime => 99", "uptime >= 99 %", "uptime != 1", ""]) {
      expect(parseThreshold(bad), bad).toBeUndefined();
    }
  });
});

describe("meetsThreshold", () => {
  const at = (s: string) => parseThreshold(s)!;

  it("compares with each operator at the boundary", () => {
    expect(meetsThreshold(at("u >= 99.9"), 99.9)).toBe(true);
    expect(meetsThreshold(at("u >= 99.9"), 99.89)).toBe(false);
    expect(meetsThreshold(at("s > 80"), 80)).toBe(false);
    expect(meetsThreshold(at("s > 80"), 80.1)).toBe(true);
    expect(meetsThreshold(at("e < 2"), 2)).toBe(false);
    expect(meetsThreshold(at("e <= 2"), 2)).toBe(true);
    expect(meetsThreshold(at("n == 3"), 3)).toBe(true);
    expect(meetsThreshold(at("n == 3"), 3.01)).toBe(false);
  });

  it("never accepts NaN or infinity", () => {
    expect(meetsThreshold(at("u >= 1"), Number.NaN)).toBe(false);
    expect(meetsThreshold(at("u >= 1"), Infinity)).toBe(false);
  });
});

describe("describeThreshold", () => {
  it("reads naturally", () => {
    expect(describeThreshold(parseThreshold("uptime_percent >= 99.9")!)).toBe("uptime_percent ≥ 99.9");
    expect(describeThreshold(parseThreshold("roi_ratio>=3")!)).toBe("roi_ratio ≥ 3");
    expect(describeThreshold(parseThreshold("error_rate_percent < 2")!)).toBe("error_rate_percent < 2");
  });
});
