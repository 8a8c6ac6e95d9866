import { describe, expect, it } from "vitest";
import { auditRecord, formatAuditMarkdown, type AuditPullRequest } from "../../../src/core/audit/audit-report.js";
import { RepoConfigSchema } from "../../../src/core/config/config-schema.js";
import type { LedgerEvent } from "../../../src/core/ledger/ledger.js";
import { launchChecklist } from "../../fixtures/launch-checklist.js";

const HEAD = "a".repeat(40);
const config = RepoConfigSchema.parse({ owners: { security: ["@acme/security"], operations: ["@acme/sre"], compliance: ["@acme/grc"] } });
const pr: AuditPullRequest = {
  number: 12,
  title: "Release 1.4",
  url: "https://github.com/acme/api/pull/12",
  author: "dev",
  mergedBy: "lead",
  mergedAt: "2026-06-01T12:00:00Z",
  mergeSha: "c".repeat(40),
  headSha: HEAD,
  baseRef: "main",
  labels: [],
};
const events: LedgerEvent[] = [
  {
    kind: "relabel",
    actor: "dev",
    actorId: 11,
    role: "write",
    gate: "",
    sha: HEAD,
    at: "2026-05-30T10:00:00Z",
    method: "label",
    note: 'removed the release label "release" (role: write); Gatehouse put it back',
  },
  {
    kind: "revoke",
    actor: "gatehouse",
    role: "security",
    gate: "security",
    item: "waf",
    sha: HEAD,
    at: "2026-05-30T11:00:00Z",
    method: "recheck",
    note: "the sign-off by @sam no longer counts: @sam is no longer an owner",
  },
  {
    kind: "unlabel",
    actor: "mona",
    actorId: 77,
    role: "maintain",
    gate: "",
    sha: HEAD,
    at: "2026-05-31T10:00:00Z",
    method: "label",
    note: 'removed the release label "release" as maintain; the PR is no longer gated',
  },
];

describe("audit: release label and re-check events", () => {
  it("reports an allowed removal, a reverted one and a withdrawn sign-off as deviations", () => {
    const record = auditRecord(
      { pr, ledger: { status: "trusted", checkRunId: 1, ledger: { version: 1, pr: 12, events } }, forged: [] },
      { checklist: launchChecklist, config, appId: 4242 },
    );
    expect(record.deviations.map((d) => d.kind)).toEqual([
      "merged_unapproved",
      "release_label_restored",
      "signoff_withdrawn",
      "release_label_removed",
    ]);
    expect(record.deviations.find((d) => d.kind === "release_label_removed")!.detail).toBe(
      '@mona (id 77), maintain, removed the release label "release" as maintain; the PR is no longer gated',
    );
    const md = formatAuditMarkdown({
      repo: "acme/api",
      appId: 4242,
      checklist: "launch",
      since: null,
      until: null,
      generatedAt: "2026-06-02T00:00:00Z",
      pullRequestsScanned: 1,
      records: [record],
    });
    expect(md).toContain("`release_label_removed`");
    expect(md).toContain("whole PR");
    expect(md).toContain("id 77");
  });
});
