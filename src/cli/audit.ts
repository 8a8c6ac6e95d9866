import { parseArgs } from "node:util";
import { ProbotOctokit } from "probot";
import {
  auditRecord,
  formatAuditCsv,
  formatAuditJson,
  formatAuditMarkdown,
  sortRecords,
  type AuditReport,
} from "../core/audit/audit-report.js";
import { ProblemError } from "../core/config/problem.js";
import { matchRelease } from "../core/evaluate/release-match.js";
import { listMergedPullRequests, readAuditEvidence, type AuditRange } from "../github/audit-source.js";
import type { GitHubClient, RepoRef } from "../github/client.js";
import { loadRepoConfig } from "../github/config-files.js";
import { errorMessage, httpStatus } from "../github/http-error.js";
import type { CliIo } from "./io.js";
import { formatCliProblem } from "./local-files.js";

export const AUDIT_USAGE = `Usage: gatehouse audit --repo OWNER/NAME --app-id N [--since DATE] [--until DATE] [--format json|csv|md]

Exports the sign-off evidence of every release PR merged in a date range: the PR (number, title,
author, merged by and at, merge SHA), every ledger event (actor, role, gate, item, SHA, time,
method, evidence) and the deviations (merged while not approved, sign-offs invalidated or
expired, "Gatehouse" checks created by another app).

  --repo OWNER/NAME  the repository
  --app-id N         the Gatehouse App's id: only its check runs are read as ledgers
  --since DATE       first merge date, e.g. 2026-01-01 or 2026-01-01T09:00:00Z (default: no limit)
  --until DATE       last merge date, inclusive (a date alone means the whole day, UTC)
  --format FORMAT    json (default), csv or md

The token comes from GITHUB_TOKEN (read access to pull requests, checks and contents);
GITHUB_API_URL points at GitHub Enterprise Server (default https://api.github.com).
Release PRs are chosen by the release rules of .github/gatehouse.yml on the default branch.

Exit status: 0 exported (deviations are in the report), 1 the config cannot be loaded,
2 wrong usage or a GitHub error.
`;

const FORMATS = { json: formatAuditJson, csv: formatAuditCsv, md: formatAuditMarkdown } as const;
type Format = keyof typeof FORMATS;

/** Release PRs read at once: enough to hide latency, few enough for GitHub's secondary limits. */
const CONCURRENCY = 4;

/** `gatehouse audit`: writes the report to stdout and a one-line summary to stderr. */
export async function audit(args: string[], io: CliIo, env: Record<string, string | undefined> = process.env): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      repo: { type: "string" },
      "app-id": { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      format: { type: "string", default: "json" },
    },
  });
  let input: { repo: RepoRef; appId: number; range: AuditRange; format: Format; token: string };
  try {
    input = auditInput(values, env);
  } catch (error) {
    io.stderr(`gatehouse audit: ${errorMessage(error)}\n\n${AUDIT_USAGE}`);
    return 2;
  }

  let calls = 0;
  const gh = auditClient(input.token, env.GITHUB_API_URL, io, () => calls++);
  let report: AuditReport;
  try {
    report = await collectAudit(gh, input, io.now());
  } catch (error) {
    if (error instanceof ProblemError) {
      for (const p of error.problems) io.stderr(`${formatCliProblem(p)}\n`);
      io.stderr("gatehouse audit: the repo config cannot be loaded, so release PRs cannot be told apart. Fix it and run again.\n");
      return 1;
    }
    const status = httpStatus(error);
    io.stderr(`gatehouse audit: GitHub answered ${status ?? "with an error"}: ${errorMessage(error)}\n`);
    return 2;
  }

  io.stdout(FORMATS[input.format](report));
  const deviating = report.records.filter((r) => r.deviations.length > 0).length;
  io.stderr(
    `gatehouse audit: ${report.records.length} release PRs (${report.pullRequestsScanned} closed PRs scanned), ` +
      `${deviating} with deviations; ${calls} API calls.\n`,
  );
  return 0;
}

/** Reads the config, lists merged PRs in range, keeps the release PRs and reads each one's evidence. */
export async function collectAudit(
  gh: GitHubClient,
  input: { repo: RepoRef; appId: number; range: AuditRange },
  now: Date,
): Promise<AuditReport> {
  const { repo, appId, range } = input;
  const { config, checklist } = await loadRepoConfig(gh, repo);
  const { pulls, scanned } = await listMergedPullRequests(gh, repo, range);
  const releases = pulls.filter((pr) => matchRelease(config, pr).release);
  const records = await mapLimit(releases, CONCURRENCY, async (pull) =>
    auditRecord(await readAuditEvidence(gh, repo, pull, appId), { checklist, config, appId }),
  );
  return {
    repo: `${repo.owner}/${repo.repo}`,
    appId,
    checklist: checklist.id,
    since: range.since?.toISOString() ?? null,
    until: range.until?.toISOString() ?? null,
    generatedAt: now.toISOString(),
    pullRequestsScanned: scanned,
    records: sortRecords(records),
  };
}

function auditInput(
  values: { repo?: string; "app-id"?: string; since?: string; until?: string; format?: string },
  env: Record<string, string | undefined>,
): { repo: RepoRef; appId: number; range: AuditRange; format: Format; token: string } {
  const repoMatch = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(values.repo ?? "");
  if (!repoMatch) {
    throw new Error(
      values.repo === undefined ? "--repo is required." : `Invalid repository '${values.repo}'. Expected format {owner}/{repo}.`,
    );
  }
  const appIdText = values["app-id"];
  if (appIdText === undefined) throw new Error("--app-id is required: the id of the Gatehouse App whose check runs hold the ledgers.");
  if (!/^[1-9]\d*$/.test(appIdText)) throw new Error(`Invalid --app-id '${appIdText}'. Expected the App's numeric id, e.g. 123456.`);
  const format = values.format ?? "json";
  if (!Object.hasOwn(FORMATS, format)) throw new Error(`Invalid --format '${format}'. Expected json, csv or md.`);
  const since = values.since === undefined ? undefined : parseDate("--since", values.since, "start");
  const until = values.until === undefined ? undefined : parseDate("--until", values.until, "end");
  if (since && until && since > until) throw new Error(`--since ${values.since} is after --until ${values.until}.`);
  const token = env.GITHUB_TOKEN;
  if (!token) throw new Error("GITHUB_TOKEN is not set. Export a token that can read the repository's pull requests, checks and contents.");
  return {
    repo: { owner: repoMatch[1]!, repo: repoMatch[2]! },
    appId: Number(appIdText),
    range: { ...(since ? { since } : {}), ...(until ? { until } : {}) },
    format: format as Format,
    token,
  };
}

/** A date alone covers the whole UTC day: from its first millisecond (since) to its last (until). */
function parseDate(flag: string, text: string, end: "start" | "end"): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const value = dateOnly ? Date.parse(`${text}T${end === "start" ? "00:00:00.000" : "23:59:59.999"}Z`) : Date.parse(text);
  if (Number.isNaN(value) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new Error(`Invalid ${flag} '${text}'. Expected a date like 2026-01-31 or a time like 2026-01-31T09:00:00Z.`);
  }
  return new Date(value);
}

/**
 * Probot's Octokit: it paginates, retries server errors and waits out primary and secondary rate
 * limits (warning on stderr), so hundreds of PRs finish within GitHub's limits.
 */
function auditClient(token: string, apiUrl: string | undefined, io: CliIo, onRequest: () => void): GitHubClient {
  const quiet = () => {};
  const octokit = new ProbotOctokit({
    auth: { token },
    baseUrl: (apiUrl || "https://api.github.com").replace(/\/+$/, ""),
    userAgent: "gatehouse-audit",
    log: { debug: quiet, info: quiet, warn: (m: string) => io.stderr(`warning: ${m}\n`), error: (m: string) => io.stderr(`error: ${m}\n`) },
  });
  octokit.hook.before("request", onRequest);
  return octokit;
}

async function mapLimit<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
