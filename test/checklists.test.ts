import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Checklist } from "../src/core/config/checklist-schema.js";
import { loadChecklist } from "../src/core/config/load-checklist.js";
import { checkConfigAgainstChecklist, loadConfig } from "../src/core/config/load-config.js";
import { parseThreshold } from "../src/core/evaluate/threshold.js";

const read = (id: string) => readFileSync(new URL(`../checklists/${id}.yml`, import.meta.url), "utf8");
const load = (id: string) => loadChecklist(read(id), `checklists/${id}.yml`);
const items = (c: Checklist, gate: string) => c.gates.find((g) => g.id === gate)!.items;
const ROLES = ["compliance", "infrastructure", "operations", "security", "support"];

describe("checklists/pre-production.yml", () => {
  const checklist = load("pre-production");

  it("starts with the schema line editors use", () => {
    expect(read("pre-production").split("\n")[0]).toBe("# yaml-language-server: $schema=../schemas/checklist.schema.json");
  });

  it("has the seed's five gates, owned by the five roles, plus the promotion evidence", () => {
    expect(checklist.id).toBe("pre-production");
    expect(checklist.gates.map((g) => [g.id, g.title, g.owner, g.required])).toEqual([
      ["infrastructure", "Infrastructure Readiness", "infrastructure", true],
      ["security", "Security Controls", "security", true],
      ["operations", "Observability & Operations", "operations", true],
      ["compliance", "Compliance Readiness", "compliance", true],
      ["support", "Training & Support Enablement", "support", true],
      ["promotion", "Phase promotion evidence", "operations", false],
    ]);
  });

  it("has the seed's items under each gate", () => {
    const titles = (gate: string) => items(checklist, gate).map((i) => [i.id, i.title]);
    expect(titles("infrastructure")).toEqual([
      ["multi-region", "Multi-region availability"],
      ["cdn", "CDN support"],
      ["dns-failover", "DNS failover"],
    ]);
    expect(titles("security")).toEqual([
      ["waf", "Web application firewall enforced"],
      ["rate-limits", "API rate limits enforced"],
      ["secret-rotation", "Secret rotation in place"],
      ["tls-certificates", "Valid TLS certificates"],
      ["penetration-test", "Recent penetration test"],
    ]);
    expect(titles("operations")).toEqual([
      ["dashboards", "Dashboards for uptime, latency and error rates"],
      ["alerts", "Real-time alerts"],
      ["on-call", "Defined on-call rotation"],
      ["runbooks", "Documented runbooks"],
      ["log-retention", "Enforced log retention"],
    ]);
    expect(titles("compliance")).toEqual([
      ["soc2", "SOC 2 status confirmed"],
      ["dpia", "Approved DPIAs"],
      ["consent-flows", "Tested consent flows"],
      ["privacy-policy", "Updated privacy policies"],
      ["data-retention", "Automated data retention"],
    ]);
    expect(titles("support")).toEqual([
      ["training", "Tiered training completed"],
      ["support-portal", "Live support portal"],
      ["champions", "Identified champions"],
      ["office-hours", "Scheduled office hours"],
      ["rollback-plan", "Documented rollback plan"],
    ]);
    const gateItems = checklist.gates.filter((g) => g.id !== "promotion").flatMap((g) => g.items);
    expect(gateItems).toHaveLength(23);
    expect(gateItems.every((i) => i.required)).toBe(true);
  });

  it("needs a recent, linked penetration test report", () => {
    expect(items(checklist, "security").find((i) => i.id === "penetration-test")).toMatchObject({
      expires_after: "365d",
      evidence: { link: true },
    });
  });

  it("holds every phase's success signals as metric evidence", () => {
    expect(items(checklist, "promotion").map((i) => [i.id, i.evidence?.metric])).toEqual([
      ["poc-satisfaction", "user_satisfaction_percent > 80"],
      ["poc-error-rate", "error_rate_percent < 2"],
      ["initial-uptime", "uptime_percent >= 99.9"],
      ["initial-roi", "roi_ratio >= 3"],
      ["enterprise-uptime", "uptime_percent >= 99.95"],
      ["enterprise-roi", "roi_ratio >= 5"],
      ["optimization-uptime", "uptime_percent >= 99.99"],
      ["optimization-roi", "roi_ratio >= 8"],
    ]);
  });

  it("has the four phases, each requiring more, and promotion requiring the previous phase's signals", () => {
    expect(
      checklist.phases.map((p) => ({
        id: p.id,
        name: p.name,
        scope: p.scope,
        signals: p.success_signals.map((s) => s.metric),
        gates: p.requires.gates,
        items: p.requires.items,
      })),
    ).toEqual([
      {
        id: "proof-of-concept",
        name: "Phase 1: Proof of Concept",
        scope: "1–2 use cases within a single department",
        signals: ["user_satisfaction_percent > 80", "error_rate_percent < 2"],
        gates: ["security"],
        items: [],
      },
      {
        id: "initial-production",
        name: "Phase 2: Initial Production",
        scope: "5–8 use cases spanning 4–5 departments",
        signals: ["uptime_percent >= 99.9", "roi_ratio >= 3"],
        gates: ["security", "compliance", "operations", "support"],
        items: ["promotion.poc-satisfaction", "promotion.poc-error-rate"],
      },
      {
        id: "enterprise-scale",
        name: "Phase 3: Enterprise Scale",
        scope: "15–20 use cases across all departments",
        signals: ["uptime_percent >= 99.95", "roi_ratio >= 5"],
        gates: ["infrastructure", "security", "operations", "compliance", "support"],
        items: ["promotion.initial-uptime", "promotion.initial-roi"],
      },
      {
        id: "optimization",
        name: "Phase 4: Optimization",
        scope: "30+ use cases, autonomous or semi-autonomous agents",
        signals: ["uptime_percent >= 99.99", "roi_ratio >= 8"],
        gates: ["infrastructure", "security", "operations", "compliance", "support"],
        items: ["promotion.enterprise-uptime", "promotion.enterprise-roi"],
      },
    ]);
  });

  it("uses the seed's goals and signal wording", () => {
    expect(checklist.phases.map((p) => p.goal)).toEqual([
      "Validate feasibility and ROI assumptions",
      "Prove operational viability across teams",
      "Organization-wide deployment",
      "Maximize efficiency and advanced capability",
    ]);
    expect(checklist.phases[0]!.success_signals.map((s) => s.title)).toEqual([">80% user satisfaction", "<2% error rate"]);
  });

  it("a phase's success signals are the evidence the next phase requires", () => {
    const promotion = new Map(items(checklist, "promotion").map((i) => [i.id, i.evidence?.metric]));
    checklist.phases.slice(1).forEach((phase, i) => {
      const previous = checklist.phases[i]!;
      const required = phase.requires.items.map((ref) => promotion.get(ref.split(".")[1]!));
      expect(required, phase.id).toEqual(previous.success_signals.map((s) => s.metric));
    });
  });
});

describe("checklists/ai-vendor-risk.yml", () => {
  const checklist = load("ai-vendor-risk");

  it("starts with the schema line editors use", () => {
    expect(read("ai-vendor-risk").split("\n")[0]).toBe("# yaml-language-server: $schema=../schemas/checklist.schema.json");
  });

  it("covers the seed's AI risk areas", () => {
    expect(checklist.gates.map((g) => [g.id, g.owner])).toEqual([
      ["data-exposure", "security"],
      ["vendor-evaluation", "security"],
      ["vendor-dependency", "infrastructure"],
      ["cost-control", "operations"],
      ["regulatory-accountability", "compliance"],
      ["risk-register", "compliance"],
      ["user-safeguards", "support"],
    ]);
    expect(items(checklist, "vendor-dependency").map((i) => i.id)).toEqual(expect.arrayContaining(["lock-in", "exit-plan"]));
    expect(items(checklist, "risk-register").map((i) => i.id)).toEqual(["visible", "owned", "defensible"]);
  });

  it("uses all five roles, so one owners map serves both shipped checklists", () => {
    expect([...new Set(checklist.gates.map((g) => g.owner))].sort()).toEqual(ROLES);
    const owners = `owners:\n${ROLES.map((r) => `  ${r}: ["@acme/${r}"]`).join("\n")}\n`;
    const config = loadConfig([{ file: ".github/gatehouse.yml", text: owners }]);
    expect(checkConfigAgainstChecklist(config, checklist)).toEqual([]);
    expect(checkConfigAgainstChecklist(config, load("pre-production"))).toEqual([]);
  });
});

describe("every shipped checklist", () => {
  it.each(["pre-production", "ai-vendor-risk"])("%s has parseable thresholds and plain ids", (id) => {
    const checklist = load(id);
    for (const item of checklist.gates.flatMap((g) => g.items)) {
      if (item.evidence?.metric) expect(parseThreshold(item.evidence.metric), item.id).toBeDefined();
    }
    expect(checklist.gates.flatMap((g) => g.items).length).toBeGreaterThan(20);
  });
});
