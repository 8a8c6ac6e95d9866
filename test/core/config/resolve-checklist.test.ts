import { describe, expect, it } from "vitest";
import {
  isRepoChecklistPath,
  SHIPPED_CHECKLIST_IDS,
  shippedChecklist,
  unknownChecklistMessage,
} from "../../../src/core/config/resolve-checklist.js";

describe("shippedChecklist", () => {
  it("returns the parsed shipped checklists, once", () => {
    expect(SHIPPED_CHECKLIST_IDS).toEqual(["ai-vendor-risk", "pre-production"]);
    const checklist = shippedChecklist("pre-production");
    expect(checklist?.title).toBe("Pre-Production Launch Checklist: What Must Be True Before Scaling");
    expect(shippedChecklist("pre-production")).toBe(checklist);
  });

  it("returns undefined for unknown ids, including object built-ins", () => {
    expect(shippedChecklist("pre-prod")).toBeUndefined();
    expect(shippedChecklist("constructor")).toBeUndefined();
    expect(shippedChecklist("__proto__")).toBeUndefined();
  });

  it("explains an unknown checklist", () => {
    expect(unknownChecklistMessage("pre-prod")).toBe(
      'checklist "pre-prod" is not a shipped checklist (shipped: ai-vendor-risk, pre-production). Use one of those, or a path in the repo such as ".github/checklists/pre-prod.yml".',
    );
  });
});

describe("isRepoChecklistPath", () => {
  it("tells a path from a shipped id", () => {
    expect(isRepoChecklistPath(".github/checklists/launch.yml")).toBe(true);
    expect(isRepoChecklistPath("launch.yaml")).toBe(true);
    expect(isRepoChecklistPath("pre-production")).toBe(false);
  });
});
