import { describe, expect, it } from "vitest";
import { loadChecklist } from "../../../src/core/config/load-checklist.js";
import { ProblemError } from "../../../src/core/config/problem.js";

const yaml = (...lines: string[]) => `${lines.join("\n")}\n`;

function problems(text: string): string[] {
  try {
    loadChecklist(text, "launch.yml");
  } catch (error) {
    if (error instanceof ProblemError) return error.problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`);
    throw error;
  }
  throw new Error("expected the checklist to be rejected");
}

/** A valid checklist; tests change one line at a time so the positions stay readable. */
const VALID = [
  "id: launch", //                                 1
  "title: Launch readiness", //                    2
  "gates:", //                                     3
  "  - id: security", //                           4
  "    title: Security Controls", //               5
  "    owner: security", //                        6
  "    paths: [src/auth/**]", //                   7
  "    items:", //                                 8
  "      - id: waf", //                            9
  "        title: Web application firewall", //   10
  "      - id: pentest", //                       11
  "        title: Recent penetration test", //    12
  "        expires_after: 90d", //                13
  "        evidence: { link: true }", //          14
  "  - id: operations", //                        15
  "    title: Observability", //                  16
  "    owner: operations", //                     17
  "    items:", //                                18
  "      - id: uptime", //                        19
  "        title: Uptime", //                     20
  "        evidence:", //                         21
  "          metric: uptime_percent >= 99.9", //  22
  "phases:", //                                   23
  "  - id: pilot", //                             24
  "    name: Pilot", //                           25
  "    scope: One team", //                       26
  "    requires:", //                             27
  "      gates: [security]", //                   28
  "      items: [operations.uptime]", //          29
];
const withLine = (line: number, text: string) => yaml(...VALID.map((l, i) => (i + 1 === line ? text : l)));

describe("loadChecklist: valid input", () => {
  it("parses and applies defaults", () => {
    const checklist = loadChecklist(yaml(...VALID), "launch.yml");
    expect(checklist.gates.map((g) => [g.id, g.owner, g.required])).toEqual([
      ["security", "security", true],
      ["operations", "operations", true],
    ]);
    expect(checklist.gates[0]!.items[1]).toEqual({
      id: "pentest",
      title: "Recent penetration test",
      required: true,
      expires_after: "90d",
      evidence: { link: true },
    });
    expect(checklist.phases[0]!.requires).toEqual({ gates: ["security"], items: ["operations.uptime"] });
    expect(checklist.phases[0]!.success_signals).toEqual([]);
  });
});

describe("loadChecklist: every bad input is located and explained", () => {
  it("YAML syntax", () => {
    expect(problems(withLine(10, "        title: Web application: firewall"))).toEqual([
      'launch.yml:10:16: YAML syntax error: Nested mappings are not allowed in compact mappings. Quote the value if it contains ": ", or put the nested mapping on its own lines.',
    ]);
  });

  it("an empty file", () => {
    expect(problems("# nothing yet\n")).toEqual([
      'launch.yml:1:1: the checklist is empty. A checklist needs "id", "title" and "gates"; see checklists/pre-production.yml for an example.',
    ]);
  });

  it("a wrong type", () => {
    expect(problems(withLine(13, "        required: yes"))).toEqual([
      'launch.yml:13:19: item "pentest" in gate "security": "required" must be true or false, not the text "yes". Write true or false without quotes.',
    ]);
    expect(problems(withLine(7, "    paths: src/auth/**"))).toEqual([
      'launch.yml:7:12: gate "security": "paths" must be a list, not the text "src/auth/**". Write it as a list: ["src/auth/**"].',
    ]);
  });

  it("a missing field, with what it is for", () => {
    expect(problems(withLine(6, "    # no owner"))).toEqual([
      'launch.yml:4:5: gate "security": required field "owner" is missing (the role that signs this gate off). Add it.',
    ]);
  });

  it("an unknown field, with a spelling suggestion", () => {
    expect(problems(withLine(10, "        titel: Web application firewall"))).toEqual([
      'launch.yml:9:9: item "waf" in gate "security": required field "title" is missing (what must be true, as one line shown next to the box). Add it.',
      'launch.yml:10:9: item "waf" in gate "security": unknown field "titel" (did you mean "title"?). Allowed fields: id, title, description, help_url, required, expires_after, evidence. Fix the spelling or remove it.',
    ]);
  });

  it("an id that is not a plain slug, and what it breaks", () => {
    expect(problems(withLine(4, "  - id: Security Controls"))).toEqual([
      `launch.yml:4:9: gate "Security Controls": "id" has the invalid value "Security Controls": gate id must be lowercase letters, digits, '-' or '_' (e.g. "security"). Try "security-controls".`,
      'launch.yml:28:15: phase "pilot": requires.gates names gate "security", which this checklist does not define (gates: Security Controls, operations). Fix the id or remove it.',
    ]);
  });

  it("a duplicate gate id", () => {
    expect(problems(withLine(15, "  - id: security"))).toEqual([
      'launch.yml:15:9: duplicate gate id "security" (first used on line 4). Gate ids must be unique; rename or remove one of them.',
      // The renamed gate took "operations" away, so the phase's reference to it breaks too.
      'launch.yml:29:15: phase "pilot": requires.items names gate "operations" in "operations.uptime", which this checklist does not define (gates: security). Fix the id or remove it.',
    ]);
  });

  it("a duplicate item id within a gate", () => {
    expect(problems(withLine(11, "      - id: waf"))).toEqual([
      'launch.yml:11:13: gate "security": duplicate item id "waf" (first used on line 9). Item ids must be unique within a gate; rename or remove one of them.',
    ]);
  });

  it("allows the same item id in different gates", () => {
    expect(() => loadChecklist(withLine(19, "      - id: waf").replace("operations.uptime", "operations.waf"), "launch.yml")).not.toThrow();
  });

  it("a bad glob", () => {
    expect(problems(withLine(7, '    paths: [src/auth/**, "src/{a,b"]'))).toEqual([
      'launch.yml:7:26: gate "security": path "src/{a,b" is not a usable glob: "{" is not closed. Globs are relative to the repo root, e.g. "src/auth/**" or "**/*.tf".',
    ]);
  });

  it("a bad duration", () => {
    expect(problems(withLine(13, "        expires_after: 3 months"))).toEqual([
      'launch.yml:13:24: item "pentest" in gate "security": expires_after "3 months" is not a duration. Use a whole number and a unit: "30m" (minutes), "12h" (hours), "90d" (days) or "2w" (weeks).',
    ]);
  });

  it("a bad threshold", () => {
    expect(problems(withLine(22, "          metric: uptime >= high"))).toEqual([
      'launch.yml:22:19: item "uptime" in gate "operations": evidence.metric "uptime >= high" is not a threshold. Write "<metric> <op> <number>", e.g. "uptime_percent >= 99.9"; metric names use lowercase letters, digits and "_"; ops are >=, >, <=, < and ==.',
    ]);
  });

  it("empty evidence", () => {
    expect(problems(withLine(14, "        evidence: {}"))).toEqual([
      'launch.yml:14:19: item "pentest" in gate "security": evidence is empty. Set "link: true" or a "metric" threshold, or remove evidence.',
    ]);
  });

  it("a phase requiring an unknown gate", () => {
    expect(problems(withLine(28, "      gates: [securty]"))).toEqual([
      'launch.yml:28:15: phase "pilot": requires.gates names gate "securty", which this checklist does not define (did you mean "security"?) (gates: security, operations). Fix the id or remove it.',
    ]);
  });

  it("a phase requiring an unknown or malformed item", () => {
    expect(problems(withLine(29, "      items: [operations.uptme, billing.invoices, uptime]"))).toEqual([
      'launch.yml:29:15: phase "pilot": requires.items names item "uptme" of gate "operations", which does not exist (did you mean "uptime"?) (items: uptime). Fix the id or remove it.',
      'launch.yml:29:33: phase "pilot": requires.items names gate "billing" in "billing.invoices", which this checklist does not define (gates: security, operations). Fix the id or remove it.',
      'launch.yml:29:51: phase "pilot": requires.items entry "uptime" must be "gate.item", e.g. "security.waf".',
    ]);
  });

  it("a phase that requires nothing", () => {
    expect(problems(yaml(...VALID.slice(0, 27), "      gates: []"))).toEqual([
      'launch.yml:28:7: phase "pilot": requires no gates and no items, so no release in this phase could ever be approved. List gate ids under requires.gates or "gate.item" under requires.items.',
    ]);
  });

  it("a duplicate phase id", () => {
    expect(problems(yaml(...VALID, "  - id: pilot", "    name: Again", "    scope: All", "    requires: { gates: [operations] }"))).toEqual(
      ['launch.yml:30:9: duplicate phase id "pilot" (first used on line 24). Phase ids must be unique; rename or remove one of them.'],
    );
  });

  it("lists every problem at once, top to bottom", () => {
    const text = withLine(13, "        expires_after: soon").replace("id: operations", "id: security").replace("[security]", "[nope]");
    expect(problems(text).map((p) => p.split(": ")[0])).toEqual([
      "launch.yml:13:24",
      "launch.yml:15:9",
      "launch.yml:28:15",
      "launch.yml:29:15",
    ]);
  });
});
