import { describe, expect, it } from "vitest";
import {
  auditRecord,
  csvField,
  formatAuditCsv,
  formatAuditJson,
  formatAuditMarkdown,
  type AuditPullRequest,
  type AuditReport,
  type LedgerEvidence,
} from "../../../src/core/audit/audit-report.js";
import { RepoConfigSchema } from "../../../src/core/config/config-schema.js";
import type { LedgerEvent } from "../../../src/core/ledger/ledger.js";
import { launchChecklist } from "../../fixtures/launch-checklist.js";

const HEAD = "a".repeat(40);
const config = RepoConfigSchema.parse({ owners: { security: ["@acme/security"], operations: ["@acme/sre"], compliance: ["@acme/grc"] } });
const rules = { checklist: launchChecklist, config, appId: 4242 };

const pr: AuditPullRequest = {
  number: 12,
  title: "Release 1.4",
  url: "https://github.com/acme/api/pull/12",
  author: "dev",
  mergedBy: "lead",
  mergedAt: "2026-06-01T12:00:00Z",
  mergeSha: "c".repeat(40),
  headSha: HEAD,
  baseRef: "release/1.4",
  labels: [],
};

function signed(gate: string, item: string, actor: string, at: string, extra: Partial<LedgerEvent> = {}): LedgerEvent {
  return { kind: "signoff", actor, role: gate, gate, item, sha: HEAD, at, method: "tick", ...extra };
}

/** Every required item of the launch checklist, signed a day before the merge. */
const approving: LedgerEvent[] = [
  signed("security", "waf", "sam", "2026-05-31T10:00:00Z"),
  signed("security", "rate-limits", "sam", "2026-05-31T10:00:00Z"),
  signed("security", "penetration-test", "sam", "2026-05-31T10:00:00Z", { method: "command", url: "https://pentest.example.com/r.pdf" }),
  signed("operations", "dashboards", "olga", "2026-05-31T11:00:00Z"),
  signed("operations", "on-call", "olga", "2026-05-31T11:00:00Z"),
  signed("compliance", "soc2", "dana", "2026-05-31T12:00:00Z"),
  signed("compliance", "dpia", "dana", "2026-05-31T12:00:00Z"),
];

const trusted = (events: LedgerEvent[]): LedgerEvidence => ({ status: "trusted", checkRunId: 77, ledger: { version: 1, pr: 12, events } });

describe("auditRecord", () => {
  it("finds no deviation in a release approved before it merged", () => {
    const record = auditRecord({ pr, ledger: trusted(approving), forged: [] }, rules);
    expect(record).toMatchObject({
      approvedAtMerge: true,
      verdictAtMerge: "all 3 required gates approved",
      ledger: "trusted",
      checkRunId: 77,
      deviations: [],
    });
    expect(record.events).toHaveLength(7);
  });

  it("judges at the merge: a sign-off after it is reported, but did not approve the merge", () => {
    const late = approving.map((e, i) => (i === 6 ? { ...e, at: "2026-06-01T12:00:01Z" } : e));
    const record = auditRecord({ pr, ledger: trusted(late), forged: [] }, rules);
    expect(record.approvedAtMerge).toBe(false);
    expect(record.events).toHaveLength(7);
    expect(record.deviations).toEqual([
      {
        kind: "merged_unapproved",
        sha: pr.mergeSha,
        at: pr.mergedAt,
        detail: expect.stringMatching(/^merged while not approved: 2 of 3 required gates approved; waiting for compliance/),
      },
    ]);
  });

  it("a sign-off by the PR's author does not count at merge time either", () => {
    const byAuthor = approving.map((e) => (e.gate === "compliance" ? { ...e, actor: "dev" } : e));
    expect(auditRecord({ pr, ledger: trusted(byAuthor), forged: [] }, rules).approvedAtMerge).toBe(false);
  });

  it("reports sign-offs that had expired at merge time", () => {
    // The penetration test is valid for 90 days.
    const old = approving.map((e) => (e.item === "penetration-test" ? { ...e, at: "2026-02-01T10:00:00Z" } : e));
    const record = auditRecord({ pr, ledger: trusted(old), forged: [] }, rules);
    expect(record.deviations.map((d) => d.kind)).toEqual(["merged_unapproved", "signoff_expired"]);
    expect(record.deviations[1]).toMatchObject({
      gate: "security",
      item: "penetration-test",
      at: "2026-02-01T10:00:00Z",
      detail: "required item's sign-off by @sam had expired on 2026-05-02 (valid 90d) when the PR merged",
    });
  });

  it("reports every invalidation, even when the gate was signed again before the merge", () => {
    const invalidation: LedgerEvent = {
      kind: "invalidate",
      actor: "dev",
      role: "security",
      gate: "security",
      sha: "b".repeat(40),
      at: "2026-05-30T09:00:00Z",
      method: "push",
      note: "invalidated by push bbbbbbb: src/auth/** changed",
      files: ["src/auth/login.ts"],
    };
    const record = auditRecord({ pr, ledger: trusted([invalidation, ...approving]), forged: [] }, rules);
    expect(record.approvedAtMerge).toBe(true);
    expect(record.deviations).toEqual([
      {
        kind: "signoff_invalidated",
        gate: "security",
        sha: "b".repeat(40),
        at: "2026-05-30T09:00:00Z",
        detail: "invalidated by push bbbbbbb: src/auth/** changed (files: src/auth/login.ts)",
      },
    ]);
  });

  it("a missing or corrupt ledger means merged without approval; look-alike checks are named", () => {
    const missing = auditRecord({ pr, ledger: { status: "missing" }, forged: [{ id: 9, app: "github-actions", appId: 15368 }] }, rules);
    expect(missing).toMatchObject({ approvedAtMerge: false, ledger: "missing", checkRunId: null, events: [] });
    expect(missing.deviations.map((d) => d.detail)).toEqual([
      "merged while not approved: no Gatehouse check run from app 4242 on head aaaaaaa, so no sign-off is on record",
      'check run 9 named "Gatehouse" on aaaaaaa was created by github-actions (app 15368), not app 4242; it was not read',
    ]);
    const corrupt = auditRecord({ pr, ledger: { status: "corrupt", checkRunId: 5, error: "bad base64" }, forged: [] }, rules);
    expect(corrupt.deviations[0]!.detail).toBe(
      "merged while not approved: the ledger in check run 5 on aaaaaaa cannot be read: bad base64",
    );
  });
});

describe("formats", () => {
  const hostile: AuditPullRequest = { ...pr, title: '@here <img src=x onerror=alert(1)> | "q", =1+1\r\nline', author: "mallory" };
  const report: AuditReport = {
    repo: "acme/api",
    appId: 4242,
    checklist: "launch",
    since: "2026-06-01T00:00:00.000Z",
    until: "2026-06-30T23:59:59.999Z",
    generatedAt: "2026-07-01T00:00:00.000Z",
    pullRequestsScanned: 40,
    records: [
      auditRecord(
        {
          pr: hostile,
          ledger: trusted([
            signed("promotion", "uptime", "olga", "2026-05-31T10:00:00Z", {
              method: "command",
              metrics: { uptime_percent: 99.95 },
              url: "https://grafana.example.com/d/a|b",
              note: "see [here](javascript:alert(1))",
            }),
          ]),
          forged: [],
        },
        rules,
      ),
    ],
  };

  it("csvField quotes commas, quotes and line breaks, and defuses formulas", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("=SUM(A1)")).toBe("'=SUM(A1)");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-1")).toBe("'-1");
    expect(csvField("@cmd")).toBe("'@cmd");
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });

  it("CSV rows have one field per column, whatever the text holds", () => {
    const csv = formatAuditCsv(report);
    expect(csv.endsWith("\r\n")).toBe(true);
    // A minimal RFC 4180 reader: every record must have as many fields as the header.
    const records: string[][] = [];
    let field = "";
    let row: string[] = [];
    let quoted = false;
    for (let i = 0; i < csv.length; i++) {
      const c = csv[i]!;
      if (quoted) {
        if (c === '"' && csv[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") {
        row.push(field);
        field = "";
      } else if (c === "\r" && csv[i + 1] === "\n") {
        row.push(field);
        records.push(row);
        row = [];
        field = "";
        i++;
      } else field += c;
    }
    expect(records.map((r) => r.length)).toEqual(records.map(() => 19));
    expect(records[1]![1]).toBe(`'${hostile.title}`);
    expect(records[2]).toContain("https://grafana.example.com/d/a|b; uptime_percent=99.95");
  });

  it("Markdown escapes every PR-supplied string and keeps table rows whole", () => {
    const md = formatAuditMarkdown(report);
    expect(md).not.toContain("<img");
    expect(md).not.toMatch(/@here/);
    expect(md).not.toContain("](javascript:");
    expect(md).toContain("[link](<https://grafana.example.com/d/a%7Cb>); uptime\\_percent=99.95");
    expect(md).toContain("Release PRs merged from 2026-06-01 to 2026-06-30");
    // Each table row still has exactly the header's number of cells.
    for (const line of md.split("\n").filter((l) => l.startsWith("| 2026-"))) {
      expect(line.split(/(?<!\\)\|/).length - 2).toBe(10);
    }
  });

  it("JSON is the report itself", () => {
    expect(JSON.parse(formatAuditJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
  });
});
