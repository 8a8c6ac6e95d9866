import { describe, expect, it } from "vitest";
import { closest, describePath, describeValue } from "../../../src/core/config/schema-problems.js";

const checklist = {
  gates: [{ id: "security", items: [{ id: "waf" }, { title: "no id" }], paths: ["a"] }, { items: [] }],
  phases: [{ id: "pilot", requires: { gates: ["security"] } }],
};

describe("describePath", () => {
  it("names gates, items and phases by id", () => {
    expect(describePath(checklist, ["gates", 0, "items", 0, "evidence", "metric"])).toEqual({
      context: 'item "waf" in gate "security"',
      field: "evidence.metric",
    });
    expect(describePath(checklist, ["phases", 0, "requires", "gates", 0])).toEqual({
      context: 'phase "pilot"',
      field: "requires.gates[0]",
    });
  });

  it("numbers entries without an id from 1", () => {
    expect(describePath(checklist, ["gates", 0, "items", 1, "id"])).toEqual({ context: 'item #2 in gate "security"', field: "id" });
    expect(describePath(checklist, ["gates", 1, "title"])).toEqual({ context: "gate #2", field: "title" });
  });

  it("leaves plain lists and mappings as a field path", () => {
    expect(describePath({ owners: { security: ["x"] } }, ["owners", "security", 0])).toEqual({ context: "", field: "owners.security[0]" });
    expect(describePath(checklist, ["gates", 0, "paths", 0])).toEqual({ context: 'gate "security"', field: "paths[0]" });
  });
});

describe("closest", () => {
  it("suggests near misses, including swapped letters", () => {
    expect(closest("titel", ["id", "title", "description"])).toBe("title");
    expect(closest("securty", ["security", "support"])).toBe("security");
    expect(closest("colour", ["checklist", "owners", "phase"])).toBeUndefined();
  });
});

describe("describeValue", () => {
  it("describes values briefly", () => {
    expect(describeValue("yes")).toBe('the text "yes"');
    expect(describeValue(3)).toBe("the number 3");
    expect(describeValue(null)).toBe("empty");
    expect(describeValue([1])).toBe("a list");
    expect(describeValue({})).toBe("a mapping");
    expect(describeValue("x".repeat(100))).toHaveLength(`the text ""`.length + 60);
  });
});
