import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { audit } from "../../src/cli/audit.js";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { AUDIT_CSV_COLUMNS } from "../../src/core/audit/audit-report.js";
import { encodeLedger } from "../../src/core/ledger/ledger-codec.js";
import type { LedgerEvent } from "../../src/core/ledger/ledger.js";
import { AUDIT_CALLS_PER_PULL_REQUEST } from "../../src/github/audit-source.js";
import { GitHubStandIn, type PullRecord } from "../support/github-stand-in.js";
import { mountStandIn } from "../support/nock-stand-in.js";

const APP_ID = 4242;

const CONFIG = `checklist: .github/checklists/launch.yml
owners:
  security: ["@acme/security"]
  operations: ["@acme/sre"]
release:
  branches: ["release/*"]
  labels: ["release"]
`;

const CHECKLIST = `id: launch
title: Launch
gates:
  - id: security
    title: Security
    owner: security
    items:
      - { id: review, title: Threat model reviewed, expires_after: 30d }
  - id: operations
    title: Operations
    owner: operations
    items:
      - { id: runbook, title: Runbook written }
`;

const sha = (n: number, c = "a") => `${c}${String(n).padStart(39, "0")}`;

function signoff(gate: string, item: string, actor: string, at: string, extra: Partial<LedgerEvent> = {}): LedgerEvent {
  return { kind: "signoff", actor, role: gate, gate, item, sha: sha(0), at, method: "tick", ...extra };
}

/** A merged release PR whose ledger sits in the App's check run on its head. */
function mergedRelease(
  github: GitHubStandIn,
  input: {
    number: number;
    mergedAt: string;
    events?: LedgerEvent[];
    title?: string;
    labels?: string[];
    appId?: number | null;
    mergedBy?: string;
  },
): PullRecord {
  const head = sha(input.number);
  const pr = github.addPull({
    number: input.number,
    author: "dev",
    headSha: head,
    title: input.title ?? `Release ${input.number}`,
    state: "closed",
    merged: true,
    merge_commit_sha: sha(input.number, "c"),
    merged_at: input.mergedAt,
    updated_at: input.mergedAt,
    merged_by: { login: input.mergedBy ?? "lead", type: "User" },
    labels: (input.labels ?? ["release"]).map((name) => ({ name })),
  });
  if (input.appId !== null) {
    const appId = input.appId ?? APP_ID;
    const events = (input.events ?? []).map((e) => ({ ...e, sha: e.sha === sha(0) ? head : e.sha }));
    github.checkRuns.push({
      id: 10_000 + input.number * 10 + (appId === APP_ID ? 0 : 1),
      name: "Gatehouse",
      head_sha: head,
      status: "completed",
      conclusion: "success",
      details_url: null,
      output: { title: "", summary: "", text: encodeLedger({ version: 1, pr: input.number, events }), annotations_count: 0 },
      annotations: [],
      actions: [],
      app: { id: appId, slug: appId === APP_ID ? "gatehouse" : "github-actions" },
      pull_requests: [],
    });
  }
  return pr;
}

function standIn(): GitHubStandIn {
  const github = new GitHubStandIn({ slug: "auditor" }, "acme/api");
  github.files.set(".github/gatehouse.yml", CONFIG);
  github.files.set(".github/checklists/launch.yml", CHECKLIST);
  return github;
}

async function run(
  args: string[],
  env: Record<string, string | undefined> = { GITHUB_TOKEN: "ghp_test" },
  entry: "audit" | "main" = "audit",
) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: "/nonexistent",
    readFile: () => Promise.reject(new Error("no files")),
    readDir: () => Promise.reject(new Error("no files")),
    now: () => new Date("2026-11-25T12:00:00Z"),
  };
  const code = entry === "audit" ? await audit(args, io, env) : await main(args, io);
  return { code, stdout, stderr };
}

const ARGS = ["--repo", "acme/api", "--app-id", String(APP_ID)];

describe("gatehouse audit", () => {
  let github: GitHubStandIn;
  beforeEach(() => {
    nock.disableNetConnect();
    github = standIn();
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  describe("a quarter of releases", () => {
    beforeEach(() => {
      mountStandIn(github);
      // Approved: both gates signed before the merge.
      mergedRelease(github, {
        number: 101,
        mergedAt: "2026-02-10T15:00:00Z",
        events: [
          signoff("security", "review", "sam", "2026-02-09T10:00:00Z", { method: "command", url: "https://wiki.example.com/threat-model" }),
          signoff("operations", "runbook", "olga", "2026-02-10T09:00:00Z"),
        ],
      });
      // A push invalidated security; nobody re-signed before the merge; a late sign-off came after.
      mergedRelease(github, {
        number: 102,
        mergedAt: "2026-02-20T15:00:00Z",
        events: [
          signoff("security", "review", "sam", "2026-02-18T10:00:00Z"),
          signoff("operations", "runbook", "olga", "2026-02-18T11:00:00Z"),
          {
            kind: "invalidate",
            actor: "dev",
            role: "security",
            gate: "security",
            sha: sha(102, "b"),
            at: "2026-02-19T10:00:00Z",
            method: "push",
            note: "invalidated by push bbbbbbb: src/auth/** changed (src/auth/login.ts)",
            files: ["src/auth/login.ts"],
          },
          signoff("security", "review", "sam", "2026-02-21T10:00:00Z"),
        ],
      });
      // The security sign-off was 40 days old at merge; it is valid for 30.
      mergedRelease(github, {
        number: 103,
        mergedAt: "2026-03-12T15:00:00Z",
        events: [
          signoff("security", "review", "sam", "2026-01-31T10:00:00Z"),
          signoff("operations", "runbook", "olga", "2026-03-11T10:00:00Z"),
        ],
      });
      // Only a workflow's look-alike check: no trusted ledger at all.
      mergedRelease(github, {
        number: 104,
        mergedAt: "2026-03-20T15:00:00Z",
        appId: 15368,
        events: [signoff("security", "review", "sam", "2026-03-19T10:00:00Z")],
      });
      // A title that spreadsheets and Markdown must not interpret.
      mergedRelease(github, {
        number: 105,
        mergedAt: "2026-03-25T15:00:00Z",
        title: '=HYPERLINK("http://evil"), "quoted" | <b>@everyone</b>\nsecond line',
        events: [
          signoff("security", "review", "sam", "2026-03-24T10:00:00Z"),
          signoff("operations", "runbook", "olga", "2026-03-24T11:00:00Z"),
        ],
      });
      // Not in the export: not a release PR, closed without merging, merged before --since.
      mergedRelease(github, { number: 106, mergedAt: "2026-02-11T15:00:00Z", labels: [] });
      github.addPull({ number: 107, author: "dev", headSha: sha(107), state: "closed", merged: false, updated_at: "2026-02-12T00:00:00Z" });
      mergedRelease(github, { number: 108, mergedAt: "2025-12-30T15:00:00Z" });
    });

    it("exports CSV: one pr row, its events and its deviations, quoted for spreadsheets", async () => {
      const result = await run([...ARGS, "--since", "2026-01-01", "--until", "2026-03-31", "--format", "csv"]);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/^gatehouse audit: 5 release PRs \(\d+ closed PRs scanned\), 3 with deviations; \d+ API calls\.\n$/);
      const lines = result.stdout.split("\r\n");
      expect(lines[0]).toBe(AUDIT_CSV_COLUMNS.join(","));
      expect(lines.at(-1)).toBe("");
      const rows = lines.slice(1, -1);
      expect(new Set(rows.map((r) => r.split(",")[0]))).toEqual(new Set(["101", "102", "103", "104", "105"]));

      const of = (pr: number) => rows.filter((r) => r.startsWith(`${pr},`));
      expect(of(101)).toEqual([
        `101,Release 101,dev,lead,2026-02-10T15:00:00Z,${sha(101, "c")},${sha(101)},yes,pr,trusted,,,,,,,,,all 2 required gates approved`,
        `101,Release 101,dev,lead,2026-02-10T15:00:00Z,${sha(101, "c")},${sha(101)},yes,event,signoff,sam,security,security,review,${sha(101)},2026-02-09T10:00:00Z,command,https://wiki.example.com/threat-model,`,
        `101,Release 101,dev,lead,2026-02-10T15:00:00Z,${sha(101, "c")},${sha(101)},yes,event,signoff,olga,operations,operations,runbook,${sha(101)},2026-02-10T09:00:00Z,tick,,`,
      ]);
      const kinds = (pr: number) => of(pr).map((r) => r.split(",").slice(8, 10).join(":"));
      expect(kinds(102)).toEqual([
        "pr:trusted",
        "event:signoff",
        "event:signoff",
        "event:invalidate",
        "event:signoff",
        "deviation:merged_unapproved",
        "deviation:signoff_invalidated",
      ]);
      expect(of(102).at(-1)).toContain(
        `deviation,signoff_invalidated,,,security,,${sha(102, "b")},2026-02-19T10:00:00Z,,,invalidated by push bbbbbbb: src/auth/** changed (src/auth/login.ts) (files: src/auth/login.ts)`,
      );
      expect(of(102).at(-2)).toContain("merged while not approved: 1 of 2 required gates approved; waiting for security");
      expect(kinds(103)).toEqual([
        "pr:trusted",
        "event:signoff",
        "event:signoff",
        "deviation:merged_unapproved",
        "deviation:signoff_expired",
      ]);
      expect(of(103).at(-1)).toContain("security,review");
      expect(of(103).at(-1)).toContain("had expired on 2026-03-02 (valid 30d) when the PR merged");
      expect(kinds(104)).toEqual(["pr:missing", "deviation:merged_unapproved", "deviation:forged_check"]);
      expect(of(104).at(-1)).toContain(
        '"check run 11041 named ""Gatehouse"" on a000000 was created by github-actions (app 15368), not app 4242; it was not read"',
      );

      // The title is one quoted field: its formula is neutralised, quotes doubled, the newline kept inside.
      expect(result.stdout).toContain(`105,"'=HYPERLINK(""http://evil""), ""quoted"" | <b>@everyone</b>\nsecond line",dev,lead,`);
    });

    it("exports JSON with every ledger event's actor, role, gate, item, SHA, time, method and evidence", async () => {
      const result = await run([...ARGS, "--since", "2026-02-01", "--until", "2026-02-28"]);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report).toMatchObject({
        repo: "acme/api",
        appId: APP_ID,
        checklist: "launch",
        since: "2026-02-01T00:00:00.000Z",
        until: "2026-02-28T23:59:59.999Z",
      });
      expect(report.records.map((r: { pr: { number: number } }) => r.pr.number)).toEqual([101, 102]);
      expect(report.records[0]).toMatchObject({
        pr: {
          number: 101,
          title: "Release 101",
          author: "dev",
          mergedBy: "lead",
          mergedAt: "2026-02-10T15:00:00Z",
          mergeSha: sha(101, "c"),
        },
        ledger: "trusted",
        approvedAtMerge: true,
        deviations: [],
      });
      expect(report.records[0].events[0]).toEqual({
        kind: "signoff",
        actor: "sam",
        role: "security",
        gate: "security",
        item: "review",
        sha: sha(101),
        at: "2026-02-09T10:00:00Z",
        method: "command",
        url: "https://wiki.example.com/threat-model",
      });
    });

    it("exports Markdown with every PR-supplied string escaped", async () => {
      const result = await run([...ARGS, "--since", "2026-03-21", "--format", "md"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^# Gatehouse audit: acme\/api\n/);
      expect(result.stdout).toContain("Release PRs merged from 2026-03-21 to now");
      expect(result.stdout).toContain("| [#105](<https://github.com/acme/api/pull/105>) |");
      expect(result.stdout).not.toContain("<b>");
      expect(result.stdout).not.toMatch(/@everyone/);
      expect(result.stdout).toContain("&lt;b&gt;@&#8203;everyone&lt;/b&gt;");
      // The title's pipe cannot split the table row.
      expect(result.stdout).toContain("\\| &lt;b&gt;");
    });
  });

  it("reads only the App's newest Gatehouse run on the head: an older approving run it superseded counts for nothing", async () => {
    mountStandIn(github);
    const pr = mergedRelease(github, {
      number: 201,
      mergedAt: "2026-02-10T15:00:00Z",
      events: [
        signoff("security", "review", "sam", "2026-02-09T10:00:00Z"),
        signoff("operations", "runbook", "olga", "2026-02-09T11:00:00Z"),
      ],
    });
    // The PR came back to this commit later and the App wrote a new run there, without those sign-offs.
    const older = github.checkRunsOn(pr.head.sha, "Gatehouse")[0]!;
    github.checkRuns.push({
      ...structuredClone(older),
      id: older.id + 1,
      conclusion: "action_required",
      output: { ...older.output, text: encodeLedger({ version: 1, pr: 201, events: [] }) },
    });
    const result = await run([...ARGS, "--since", "2026-02-01", "--until", "2026-02-28"]);
    const record = JSON.parse(result.stdout).records[0];
    expect(record).toMatchObject({ pr: { number: 201 }, ledger: "trusted", checkRunId: older.id + 1, approvedAtMerge: false });
    expect(record.events).toEqual([]);
  });

  it("pages through hundreds of PRs at a constant number of calls per release PR", async () => {
    mountStandIn(github);
    const releases: number[] = [];
    for (let n = 1; n <= 250; n++) {
      const mergedAt = new Date(Date.UTC(2026, 0, 1) + n * 3_600_000).toISOString();
      // Every fifth merged PR is not a release PR: it costs nothing beyond its share of a list page.
      const release = n % 5 !== 0;
      mergedRelease(github, {
        number: n,
        mergedAt,
        labels: release ? ["release"] : [],
        events: release ? [signoff("security", "review", "sam", mergedAt)] : [],
      });
      if (release) releases.push(n);
    }
    const result = await run([...ARGS, "--format", "json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.pullRequestsScanned).toBe(250);
    expect(report.records.map((r: { pr: { number: number } }) => r.pr.number)).toEqual(releases);

    const calls = (pattern: RegExp) => github.log.filter((r) => pattern.test(r.path)).length;
    expect(calls(/\/pulls\?/)).toBe(3);
    expect(calls(/\/pulls\/\d+$/)).toBe(releases.length);
    expect(calls(/\/check-runs\?/)).toBe(releases.length);
    const configReads = calls(/\/contents\//);
    expect(configReads).toBe(2);
    expect(github.log).toHaveLength(configReads + 3 + AUDIT_CALLS_PER_PULL_REQUEST * releases.length);
    expect(result.stderr).toContain(`; ${github.log.length} API calls.`);
  });

  it("stops listing at the first page that reaches back before --since", async () => {
    mountStandIn(github);
    for (let n = 1; n <= 250; n++)
      mergedRelease(github, { number: n, mergedAt: new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString() });
    // The 30 most recently merged PRs are in range; they all fit in the first page of 100.
    const result = await run([...ARGS, "--since", new Date(Date.UTC(2026, 0, 1) + 221 * 86_400_000).toISOString().slice(0, 10)]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).records).toHaveLength(30);
    expect(github.log.filter((r) => /\/pulls\?/.test(r.path))).toHaveLength(1);
  });

  it("honours GITHUB_API_URL for GitHub Enterprise Server", async () => {
    mountStandIn(github, "https://ghe.example.com");
    mergedRelease(github, { number: 1, mergedAt: "2026-02-01T00:00:00Z" });
    const result = await run([...ARGS, "--format", "csv"], { GITHUB_TOKEN: "t", GITHUB_API_URL: "https://ghe.example.com/api/v3/" });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("\r\n1,Release 1,");
  });

  it("fails with the config's problems when release PRs cannot be told apart", async () => {
    mountStandIn(github);
    github.files.set(".github/gatehouse.yml", "release: {branches: 3}\n");
    const result = await run(ARGS);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^acme\/api:\.github\/gatehouse\.yml:1:\d+: /);
  });

  it.each([
    [["--app-id", "1"], "--repo is required."],
    [["--repo", "acme", "--app-id", "1"], "Invalid repository 'acme'. Expected format {owner}/{repo}."],
    [["--repo", "acme/api"], "--app-id is required"],
    [["--repo", "acme/api", "--app-id", "gatehouse"], "Invalid --app-id 'gatehouse'. Expected the App's numeric id"],
    [[...ARGS, "--since", "last week"], "Invalid --since 'last week'. Expected a date like 2026-01-31"],
    [[...ARGS, "--since", "2026-03-01", "--until", "2026-02-01"], "--since 2026-03-01 is after --until 2026-02-01."],
    [[...ARGS, "--format", "xlsx"], "Invalid --format 'xlsx'. Expected json, csv or md."],
  ])("rejects %j with a message a user can act on", async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`gatehouse audit: ${message}`);
    expect(result.stderr).toContain("Usage: gatehouse audit");
  });

  it("is a gatehouse subcommand with its own usage", async () => {
    const help = await run(["audit", "--help"], {}, "main");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: gatehouse audit --repo OWNER\/NAME --app-id N/);
    const typo = await run(["audit", "--repo", "acme/api", "--app", "1"], {}, "main");
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^gatehouse audit: Unknown option '--app'/);
  });

  it("needs GITHUB_TOKEN", async () => {
    const result = await run(ARGS, {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("GITHUB_TOKEN is not set.");
  });
});
