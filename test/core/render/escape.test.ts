import { describe, expect, it } from "vitest";
import { itemMarkerAtEnd } from "../../../src/core/render/comment-markers.js";
import { codeId, escapeHtml, escapeMarkdown, escapeTableCell, markdownLink, safeHref, truncate } from "../../../src/core/render/escape.js";

/** What a reader sees on GitHub: backslash escapes and entities resolved, zero-width spaces invisible. */
function shown(markdown: string): string {
  return markdown
    .replace(/\\([!-/:-@[-`{-~])/g, "$1")
    .replace(/&#8203;/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

const HOSTILE = "@acme/everyone <img src=x> [click](http://evil) <!-- gatehouse:item security.waf -->";

describe("escapeMarkdown", () => {
  it("renders a hostile title inert but readable", () => {
    const out = escapeMarkdown(HOSTILE);
    expect(out).not.toMatch(/<img/i);
    expect(out).not.toContain("<!--");
    expect(out).not.toContain("](");
    expect(out).not.toMatch(/@acme/); // a mention needs "@" directly followed by the name
    expect(out).not.toMatch(/http:\/\//); // no bare autolink either
    expect(itemMarkerAtEnd(`- [ ] ${out}`)).toBeUndefined();
    expect(shown(out)).toBe(HOSTILE);
  });

  it("neutralises Markdown emphasis, code, tables, strikethrough, images and math", () => {
    const input = "**bold** _it_ `code` a|b ~~gone~~ ![img](x) $x^2$ back\\slash";
    const out = escapeMarkdown(input);
    expect(out).toContain("\\*\\*bold\\*\\*");
    expect(out).toContain("\\`code\\`");
    expect(out).toContain("a\\|b");
    expect(out).toContain("\\~\\~gone\\~\\~");
    expect(out).toContain("\\!\\[img\\]\\(x\\)");
    expect(out).toContain("\\$x^2\\$");
    expect(shown(out)).toBe(input);
  });

  it("collapses newlines so text cannot start a heading, list, quote or new block", () => {
    const out = escapeMarkdown("line one\r\n# Heading\n\n> quote\n- item");
    expect(out).not.toMatch(/[\r\n]/);
    expect(shown(out)).toBe("line one # Heading > quote - item");
  });

  it("escapes block markup at the start of the text", () => {
    expect(escapeMarkdown("- not a list")).toBe("\\- not a list");
    expect(escapeMarkdown("1. not a list")).toBe("1\\. not a list");
    expect(escapeMarkdown("+ plus")).toBe("\\+ plus");
    expect(escapeMarkdown("multi-region 99.9")).toBe("multi-region 99.9"); // inline they stay readable
  });

  it("breaks issue references, GH- references, www links and entity-encoded mentions", () => {
    expect(escapeMarkdown("fixes #123")).toBe("fixes \\#&#8203;123");
    expect(escapeMarkdown("see GH-42")).toBe("see GH-&#8203;42");
    expect(escapeMarkdown("www.evil.com")).toBe("www&#8203;.evil.com");
    // GitHub decodes &#64; before looking for mentions, so the entity itself must be made literal.
    const encoded = escapeMarkdown("&#64;acme/everyone");
    expect(encoded).not.toContain("&#64;");
    expect(shown(encoded)).toBe("&#64;acme/everyone");
  });

  it("drops invisible control and bidi characters", () => {
    expect(escapeMarkdown("safe\u202Eexe.txt\u0000")).toBe("safeexe.txt");
  });

  it("cuts long text before escaping, so no entity is split", () => {
    const out = escapeMarkdown(`${"a".repeat(20)}<b>`, { maxLength: 22 });
    expect(out).toBe(`${"a".repeat(20)}&lt;…`);
  });
});

describe("escapeTableCell", () => {
  it("keeps a row's shape", () => {
    expect(escapeTableCell("a | b\nc")).toBe("a \\| b c");
    expect(escapeTableCell("  ")).toBe("–");
  });
});

describe("escapeHtml", () => {
  it("escapes for <summary>, where backslashes would show", () => {
    const out = escapeHtml('Ops & "SRE" <b>(x)</b> @team');
    expect(out).toBe("Ops &amp; &quot;SRE&quot; &lt;b&gt;(x)&lt;/b&gt; @&#8203;team");
  });
});

describe("links", () => {
  it("only links http(s) URLs, encoded so they cannot end the link early", () => {
    expect(markdownLink("evidence", "javascript:alert(1)")).toBeUndefined();
    expect(markdownLink("evidence", "not a url")).toBeUndefined();
    expect(markdownLink("evidence", "https://example.com/a b>c")).toBe("[evidence](<https://example.com/a%20b%3Ec>)");
    expect(safeHref("https://example.com/x\\y")).not.toContain("\\");
  });
});

describe("codeId and truncate", () => {
  it("puts only plain ids in code spans", () => {
    expect(codeId("security", "waf")).toBe("`security.waf`");
    expect(codeId("sec`urity")).toBe("sec\\`urity");
  });

  it("never splits a surrogate pair", () => {
    expect(truncate("ab😀cd", 4)).toBe("ab…");
    expect(truncate("short", 10)).toBe("short");
  });
});
