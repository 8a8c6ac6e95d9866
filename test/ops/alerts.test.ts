import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../support/app-process.js";
import { metricNames } from "../support/promql-names.js";

const RULES = join(ROOT, "ops/prometheus/alerts.yml");
const RULE_TESTS = join(ROOT, "ops/prometheus/alerts.test.yml");
const promtool = spawnSync("promtool", ["--version"], { encoding: "utf8" }).status === 0;
const inCi = process.env.CI === "true";
if (!promtool && !inCi)
  console.warn(
    "test/ops/alerts.test.ts: promtool is not installed, so `promtool check rules` and `promtool test rules` are SKIPPED (apt-get install prometheus).",
  );

/**
 * The shipped alert rules are valid Prometheus rules and fire when they should (promtool). CI
 * installs promtool (.ci/run); a CI run without it fails rather than skipping.
 */
describe("ops/prometheus/alerts.yml", () => {
  it.runIf(inCi && !promtool)("has promtool in CI", () => {
    expect.fail("promtool is missing: .ci/run installs Debian's prometheus package before npm test");
  });

  describe.skipIf(!promtool)(promtool ? "promtool" : "promtool (SKIPPED: promtool is not installed; apt-get install prometheus)", () => {
    it("passes promtool check rules", () => {
      const out = execFileSync("promtool", ["check", "rules", RULES], { encoding: "utf8" });
      expect(out).toMatch(/SUCCESS: \d+ rules found/);
    });

    it("passes promtool test rules (alerts.test.yml)", () => {
      const run = spawnSync("promtool", ["test", "rules", RULE_TESTS], { encoding: "utf8" });
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toContain("SUCCESS");
    });
  });

  it("gives every alert a severity and a runbook section that exists", () => {
    const runbook = readFileSync(join(ROOT, "docs/runbook.md"), "utf8");
    const anchors = new Set(
      [...runbook.matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replace(/[^\w\- ]/g, "")
          .replace(/ /g, "-"),
      ),
    );
    const rules = (
      parse(readFileSync(RULES, "utf8")) as {
        groups: { rules: { alert: string; labels: Record<string, string>; annotations: Record<string, string> }[] }[];
      }
    ).groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThanOrEqual(6);
    for (const rule of rules) {
      expect(["page", "warn"], rule.alert).toContain(rule.labels.severity);
      const anchor = rule.annotations.runbook_url?.split("#")[1];
      expect(anchor, rule.alert).toBe(rule.alert.toLowerCase());
      expect(anchors.has(anchor!), `docs/runbook.md has no section "${rule.alert}"`).toBe(true);
    }
  });

  it("reads only Gatehouse's metrics, process metrics and Prometheus's own up", () => {
    const rules = (parse(readFileSync(RULES, "utf8")) as { groups: { rules: { expr: string }[] }[] }).groups.flatMap((g) => g.rules);
    const names = new Set(rules.flatMap((r) => metricNames(r.expr)));
    for (const name of names) expect(name).toMatch(/^(gatehouse_|process_|up$|time$)/);
  });
});
