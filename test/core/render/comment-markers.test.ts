import { describe, expect, it } from "vitest";
import { COMMENT_MARKER, isChecklistComment, itemMarker, itemMarkerAtEnd } from "../../../src/core/render/comment-markers.js";

describe("comment markers", () => {
  it("identifies a checklist comment by its first line only", () => {
    expect(isChecklistComment(`${COMMENT_MARKER}\n## Checklist`)).toBe(true);
    expect(isChecklistComment(`${COMMENT_MARKER}\r\n## Checklist`)).toBe(true);
    expect(isChecklistComment(`\uFEFF${COMMENT_MARKER}  \nx`)).toBe(true);
    expect(isChecklistComment(`Look at this:\n${COMMENT_MARKER}`)).toBe(false);
    expect(isChecklistComment("")).toBe(false);
  });

  it("maps a box line to its item only when the marker ends the line", () => {
    expect(itemMarker("security", "waf")).toBe("<!-- gatehouse:item security.waf -->");
    expect(itemMarkerAtEnd(`- [ ] WAF ${itemMarker("security", "waf")}  `)).toEqual({ gate: "security", item: "waf" });
    expect(itemMarkerAtEnd("- [ ] WAF <!--gatehouse:item  security.waf-->")).toEqual({ gate: "security", item: "waf" });
    expect(itemMarkerAtEnd(`- [ ] ${itemMarker("security", "waf")} trailing text`)).toBeUndefined();
    expect(itemMarkerAtEnd("- [ ] &lt;!-- gatehouse:item security.waf --&gt;")).toBeUndefined();
  });
});
