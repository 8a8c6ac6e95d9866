import { describe, expect, it } from "vitest";
import { checkCommandTarget, parseCommands, type Command, type GateCommand } from "../../../src/core/parse/parse-commands.js";
import { launchChecklist } from "../../fixtures/hand-verdict.js";

const only = (body: string): Command => {
  const commands = parseCommands(body);
  expect(commands).toHaveLength(1);
  return commands[0]!;
};

describe("parseCommands", () => {
  it("parses a sign-off of one item", () => {
    expect(only("/signoff security.waf")).toEqual({ kind: "signoff", gate: "security", item: "waf", metrics: {}, line: 1 });
  });

  it("parses a sign-off of a whole gate", () => {
    expect(only("/signoff security")).toEqual({ kind: "signoff", gate: "security", metrics: {}, line: 1 });
  });

  it("takes a URL as evidence and the rest as a note", () => {
    expect(only("/signoff security.penetration-test https://example.com/pt/2026.pdf passed, 2 low findings")).toEqual({
      kind: "signoff",
      gate: "security",
      item: "penetration-test",
      url: "https://example.com/pt/2026.pdf",
      note: "passed, 2 low findings",
      metrics: {},
      line: 1,
    });
  });

  it("accepts URLs in angle brackets, as Markdown links, and with trailing punctuation", () => {
    expect(only("/signoff security.penetration-test <https://example.com/r?a=1&b=2>")).toMatchObject({
      url: "https://example.com/r?a=1&b=2",
    });
    expect(only("/signoff security.penetration-test [report](https://example.com/r).")).toMatchObject({ url: "https://example.com/r" });
    expect(only("/signoff security.penetration-test see https://example.com/r.")).toMatchObject({
      url: "https://example.com/r",
      note: "see",
    });
    expect(only("/signoff security.penetration-test (https://en.wikipedia.org/wiki/Foo_(bar))")).toMatchObject({
      note: "(https://en.wikipedia.org/wiki/Foo_(bar))",
    });
    expect(only("/signoff x.y https://a.example/one https://b.example/two")).toMatchObject({
      url: "https://a.example/one",
      note: "https://b.example/two",
    });
  });

  it("parses metric values: decimals, negatives, percentages and ratios", () => {
    expect(
      (
        only(
          "/signoff promotion.initial-uptime uptime_percent=99.95 error_rate_percent=-0.5 roi_ratio=3.5:1 sat=85% x=.5 big=1e3",
        ) as GateCommand
      ).metrics,
    ).toEqual({
      uptime_percent: 99.95,
      error_rate_percent: -0.5,
      roi_ratio: 3.5,
      sat: 85,
      x: 0.5,
      big: 1000,
    });
  });

  it("lowercases the command word, ids and metric names", () => {
    expect(only("/SignOff Security.WAF Uptime_Percent=99.9")).toMatchObject({
      kind: "signoff",
      gate: "security",
      item: "waf",
      metrics: { uptime_percent: 99.9 },
    });
    expect(only("/REVOKE security")).toMatchObject({ kind: "revoke", gate: "security" });
  });

  it("parses a revoke with its reason as written", () => {
    expect(only("/revoke security.waf rule set   rolled back: see INC-42")).toEqual({
      kind: "revoke",
      gate: "security",
      item: "waf",
      note: "rule set   rolled back: see INC-42",
      metrics: {},
      line: 1,
    });
    expect(only("/revoke security")).toEqual({ kind: "revoke", gate: "security", metrics: {}, line: 1 });
  });

  it("finds several commands in one body, with their line numbers", () => {
    const body = [
      "Checked everything.",
      "",
      "/signoff security.waf",
      "  /signoff security.rate-limits 600 rpm",
      "/revoke infrastructure.cdn wrong PR",
      "Thanks!",
    ].join("\r\n");
    expect(parseCommands(body).map((c) => [c.kind, c.line, (c as GateCommand).item])).toEqual([
      ["signoff", 3, "waf"],
      ["signoff", 4, "rate-limits"],
      ["revoke", 5, "cdn"],
    ]);
  });

  it("ignores commands that are not at the start of a line", () => {
    expect(parseCommands("Please run /signoff security.waf when ready")).toEqual([]);
    expect(parseCommands("- /signoff security.waf")).toEqual([]);
    expect(parseCommands("`/signoff security.waf`")).toEqual([]);
    expect(parseCommands("/signoffs security.waf\n/sign security")).toEqual([]);
  });

  it("ignores fenced code with backticks and tildes, including longer and unclosed fences", () => {
    const body = [
      "```",
      "/signoff security.waf",
      "```",
      "~~~markdown",
      "/signoff security.cdn",
      "~~~",
      "````",
      "```",
      "/signoff security.inner",
      "````",
      "/signoff security.real",
      "```",
      "/signoff security.unclosed",
    ].join("\n");
    expect(parseCommands(body).map((c) => (c as GateCommand).item)).toEqual(["real"]);
  });

  it("ignores indented code", () => {
    expect(parseCommands("Example:\n\n    /signoff security.waf\n\t/signoff security.cdn")).toEqual([]);
  });

  it("ignores blockquotes, including a lazily continued quoted paragraph", () => {
    expect(parseCommands("> /signoff security.waf")).toEqual([]);
    expect(parseCommands("> > /signoff security.waf")).toEqual([]);
    expect(parseCommands("> @alice asked:\n/signoff security.waf")).toEqual([]);
    expect(only("> @alice asked for this\n\n/signoff security.waf")).toMatchObject({ item: "waf", line: 3 });
  });

  it("ignores commands hidden in HTML comments", () => {
    expect(parseCommands("<!--\n/signoff security.waf\n-->\n/signoff security.cdn").map((c) => (c as GateCommand).item)).toEqual(["cdn"]);
  });

  it("explains malformed commands", () => {
    const cases: [string, RegExp][] = [
      ["/signoff", /needs a gate or an item.*\/signoff security\.waf/],
      ["/revoke", /needs a gate or an item.*\/revoke security\.waf/],
      ["/signoff security/waf", /is not a gate or gate\.item id/],
      ["/signoff security.waf.extra", /is not a gate or gate\.item id/],
      ["/signoff promotion.initial-uptime uptime_percent=abc", /must be a number/],
      ["/signoff promotion.initial-uptime uptime_percent=", /must be a number/],
      ["/signoff promotion.initial-uptime uptime_percent=1 uptime_percent=2", /given twice/],
      [`/signoff security.waf ${"long ".repeat(120)}`, /under 500/],
    ];
    for (const [body, error] of cases) {
      const command = only(body);
      expect(command.kind, body).toBe("invalid");
      if (command.kind === "invalid") {
        expect(command.error).toMatch(error);
        expect(command.line).toBe(1);
        expect(command.text).toBe(body.trim());
      }
    }
  });

  it("escapes user text quoted in an error message", () => {
    const command = only("/signoff <img/src=x>@everyone");
    expect(command.kind).toBe("invalid");
    if (command.kind === "invalid") {
      expect(command.error).not.toContain("<img");
      expect(command.error).not.toMatch(/@everyone/);
    }
  });

  it("keeps valid commands next to an invalid one", () => {
    expect(parseCommands("/signoff security.waf\n/signoff\n/revoke security.cdn").map((c) => c.kind)).toEqual([
      "signoff",
      "invalid",
      "revoke",
    ]);
  });
});

describe("checkCommandTarget", () => {
  const check = (body: string) => {
    const command = only(body);
    if (command.kind === "invalid") throw new Error(command.error);
    return checkCommandTarget(command, launchChecklist);
  };

  it("accepts known gates and items with the evidence they need", () => {
    expect(check("/signoff security")).toBeUndefined();
    expect(check("/signoff security.waf")).toBeUndefined();
    expect(check("/signoff security.penetration-test https://example.com/report")).toBeUndefined();
    expect(check("/signoff promotion.initial-uptime uptime_percent=99.95")).toBeUndefined();
    expect(check("/revoke security.penetration-test")).toBeUndefined();
  });

  it("names the gates or items that exist", () => {
    expect(check("/signoff secrity.waf")).toMatch(/no gate `secrity`.*`infrastructure`, `security`, `promotion`/);
    expect(check("/signoff security.wafx")).toMatch(/no item `wafx`.*`waf`, `rate-limits`/);
  });

  it("asks for the evidence an item needs", () => {
    expect(check("/signoff security.penetration-test")).toMatch(/needs a link/);
    expect(check("/signoff promotion.initial-uptime")).toMatch(/uptime_percent ≥ 99\.9.*uptime_percent=<value>/);
    expect(check("/signoff promotion.initial-uptime uptime=99.95")).toMatch(/uptime_percent/);
    expect(check("/signoff security.waf uptime_percent=99.95")).toMatch(/takes no metric/);
  });
});

describe("parseCommands on text longer than GitHub stores", () => {
  it("reads a URL followed by 65,000 ')' as the URL, at once", () => {
    const body = `/signoff a.b https://x.example/${")".repeat(65_000)}`;
    expect(only(body)).toMatchObject({ kind: "signoff", gate: "a", item: "b", url: "https://x.example/" });
  });

  it("refuses a body over 65,536 characters with a message, and ignores one without commands", () => {
    expect(parseCommands(`/signoff a.b\n${"x".repeat(65_536)}`)).toEqual([
      {
        kind: "invalid",
        line: 1,
        text: "",
        error: "the text is 65549 characters; GitHub allows at most 65536, so Gatehouse does not read it.",
      },
    ]);
    expect(parseCommands("x".repeat(65_537))).toEqual([]);
  });
});
