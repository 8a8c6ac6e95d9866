import { decodeLedger } from "../../src/core/ledger/ledger-codec.js";
import type { Ledger } from "../../src/core/ledger/ledger.js";
import { shippedChecklist } from "../../src/core/config/resolve-checklist.js";
import { GitHubStandIn, type CommentRecord } from "./github-stand-in.js";

/**
 * A release repository for whole-process runs (the App as its own process, no nock): the config
 * pattern of test/app/harness.ts, with several active members in every owner team. The harness
 * itself cannot be imported here: it loads nock, which would intercept the real HTTP these runs make.
 */
export const APP_ID = 4242;
export const APP_SLUG = "gatehouse";

export const RELEASE_CONFIG = `checklist: pre-production
owners:
  security: ["@acme/security"]
  compliance: ["@acme/grc", "@dana"]
  support: ["@acme/support"]
  operations: ["@acme/sre"]
  infrastructure: ["@acme/platform"]
release:
  branches: ["release/*"]
  labels: ["release"]
`;

/** The team that owns each role of the pre-production checklist in RELEASE_CONFIG. */
export const ROLE_TEAMS: Record<string, string> = {
  infrastructure: "acme/platform",
  security: "acme/security",
  operations: "acme/sre",
  compliance: "acme/grc",
  support: "acme/support",
};

export const PRE_PRODUCTION = shippedChecklist("pre-production")!;

/** The n-th (from 1) active member of a role's team, e.g. "security-owner-2". */
export function ownerOf(role: string, n = 1): string {
  return `${role}-owner-${n}`;
}

/** Items of required gates that a tick can sign (no evidence needed), each with a distinct owner. */
export function tickableItems(): { ref: string; gate: string; item: string; owner: string }[] {
  return PRE_PRODUCTION.gates
    .filter((g) => g.required)
    .flatMap((g) =>
      g.items
        .filter((i) => i.required && !i.evidence)
        .map((i, n) => ({ ref: `${g.id}.${i.id}`, gate: g.id, item: i.id, owner: ownerOf(g.owner, n + 1) })),
    );
}

/** One box in each of the first `gates` gates, each with its own owner: one box approves no gate of several items. */
export function oneTickPerGate(gates: number): ReturnType<typeof tickableItems> {
  return tickableItems()
    .filter((t, i, all) => all.findIndex((o) => o.gate === t.gate) === i)
    .slice(0, gates);
}

/** A stand-in for `acme/<repo>` holding the config and `membersPerTeam` members in every owner team. */
export function releaseRepo(options: { repo?: string; config?: string; membersPerTeam?: number } = {}): GitHubStandIn {
  const github = new GitHubStandIn({ appId: APP_ID, slug: APP_SLUG }, `acme/${options.repo ?? "api"}`);
  github.files.set(".github/gatehouse.yml", options.config ?? RELEASE_CONFIG);
  for (const [role, team] of Object.entries(ROLE_TEAMS)) {
    for (let n = 1; n <= (options.membersPerTeam ?? 5); n++) github.addTeamMember(team, ownerOf(role, n));
  }
  return github;
}

/** Points a webhook built by test/fixtures/webhooks.ts at another repository of the org and another installation. */
export function inRepository<T extends { payload: Record<string, any> }>(event: T, target: { repo?: string; installation?: number }): T {
  const payload = structuredClone(event.payload);
  if (target.repo) {
    payload.repository = { ...payload.repository, name: target.repo, full_name: `acme/${target.repo}` };
  }
  if (target.installation !== undefined) payload.installation = { id: target.installation, node_id: `I_${target.installation}` };
  return { ...event, payload };
}

/** The App's checklist comment on a PR. */
export function checklistComment(github: GitHubStandIn, pr: number): CommentRecord {
  const comment = github.commentsOn(pr).find((c) => c.performed_via_github_app?.id === APP_ID);
  if (!comment) throw new Error(`no checklist comment on #${pr} in ${github.owner}/${github.repo}`);
  return comment;
}

/** The App's aggregate check run on a commit. */
export function gatehouseRun(github: GitHubStandIn, sha: string) {
  return github.checkRunsOn(sha, "Gatehouse").find((r) => r.app?.id === APP_ID);
}

/** The ledger the App keeps in its check run on a commit. */
export function ledgerOn(github: GitHubStandIn, sha: string): Ledger {
  const ledger = decodeLedger(gatehouseRun(github, sha)?.output.text ?? "");
  if (!ledger) throw new Error(`no ledger on ${sha}`);
  return ledger;
}

/** Ticks (or unticks) the box of `gate.item` in a rendered checklist. */
export function setBox(body: string, ref: string, checked: boolean): string {
  const lines = body.split("\n");
  const index = lines.findIndex((line) => line.includes(`gatehouse:item ${ref} `));
  if (index === -1) throw new Error(`no box for ${ref}`);
  lines[index] = lines[index]!.replace(/\[[ xX]\]/, checked ? "[x]" : "[ ]");
  return lines.join("\n");
}

export function boxState(body: string, ref: string): boolean {
  const line = body.split("\n").find((l) => l.includes(`gatehouse:item ${ref} `));
  if (!line) throw new Error(`no box for ${ref}`);
  return /\[[xX]\]/.test(line);
}
