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

describe("escapeMarkdown's cache", () => {
  // Results are cached by text, with a separate cache for texts longer than their cut: a text
  // seen with one cut must come back right with another, in either order.
  const TEXT = "Threat model reviewed for prompt injection";
  const CUT = "Threat mo…";

  it("returns the cut and the uncut text for the same text, in both call orders", () => {
    const a = `${TEXT} (a)`;
    expect(escapeMarkdown(a)).toBe(`${TEXT} \\(a\\)`);
    expect(escapeMarkdown(a, { maxLength: 10 })).toBe(CUT);
    expect(escapeMarkdown(a)).toBe(`${TEXT} \\(a\\)`);
    const b = `${TEXT} (b)`;
    expect(escapeMarkdown(b, { maxLength: 10 })).toBe(CUT);
    expect(escapeMarkdown(b)).toBe(`${TEXT} \\(b\\)`);
    expect(escapeMarkdown(b, { maxLength: 10 })).toBe(CUT);
    expect(escapeMarkdown(b, { maxLength: 200 })).toBe(`${TEXT} \\(b\\)`);
  });

  it("treats a cut at or above the text's length as no cut, and cuts the cleaned text otherwise", () => {
    expect(escapeMarkdown("security-owner-42", { maxLength: 17 })).toBe("security-owner-42");
    expect(escapeMarkdown("security-owner-42", { maxLength: 16 })).toBe("security-owner-…");
    // Longer than the cut, but not once whitespace collapses.
    expect(escapeMarkdown("a    b\n\n c", { maxLength: 6 })).toBe("a b c");
    expect(escapeMarkdown("a    b\n\n c")).toBe("a b c");
    expect(escapeMarkdown("a    b\n\n c", { maxLength: 4 })).toBe("a b…");
  });

  it("keeps results apart for many cuts of the same text, past the number of cached cuts", () => {
    const text = "abcdefghijklmnopqrstuvwxyz0123456789";
    const expected = (n: number) => (n >= text.length ? text : `${text.slice(0, n - 1)}…`);
    for (let round = 0; round < 2; round++) {
      for (let n = 2; n <= 40; n++) expect(escapeMarkdown(text, { maxLength: n }), `cut ${n}`).toBe(expected(n));
      for (let n = 40; n >= 2; n--) expect(escapeTableCell(text, { maxLength: n }), `cut ${n}`).toBe(expected(n));
      expect(escapeMarkdown(text)).toBe(text);
    }
  });

  it("escapes texts too long to cache the same way", () => {
    const long = `@alice ${"x".repeat(600)} #12`;
    expect(escapeMarkdown(long)).toBe(`@&#8203;alice ${"x".repeat(600)} \\#&#8203;12`);
    expect(escapeMarkdown(long, { maxLength: 10 })).toBe("@&#8203;alice xx…");
    expect(escapeMarkdown(long)).toBe(`@&#8203;alice ${"x".repeat(600)} \\#&#8203;12`);
  });
});
