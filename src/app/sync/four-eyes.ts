import type { Checklist } from "../../core/config/checklist-schema.js";
import type { RepoConfig } from "../../core/config/config-schema.js";
import type { Contributor, Verdict } from "../../core/evaluate/verdict.js";
import type { Ledger, LedgerEvent } from "../../core/ledger/ledger.js";
import { escapeMarkdown } from "../../core/render/escape.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { listPullContributors } from "../../github/pull-people.js";
import type { TeamMembership } from "../../github/team-membership.js";
import type { PrState } from "../runtime/pr-state.js";
import { isOwner } from "./authorize.js";
import { mayBeSamePerson } from "../../core/evaluate/four-eyes.js";
import type { Change } from "./sync-types.js";

/** The PR's commit authors and committers: read once per head, then kept with the PR's state. */
export async function headContributors(
  gh: GitHubClient,
  repo: RepoRef,
  pr: { number: number; headSha: string },
  state: PrState,
): Promise<PrState> {
  if (state.contributors?.headSha === pr.headSha) return state;
  const people: Contributor[] = await listPullContributors(gh, repo, pr.number);
  return { ...state, contributors: { headSha: pr.headSha, people } };
}

/**
 * A `pushed` event for whoever pushed this head, so they stay barred from signing after a restart.
 * A redelivered push records nothing new.
 */
export function pushedEvents(ledger: Ledger, push: { pusher: string; pusherId?: number; sha: string; at: string }): LedgerEvent[] {
  const known = ledger.events.some((e) => e.kind === "pushed" && e.sha === push.sha && e.actor.toLowerCase() === push.pusher.toLowerCase());
  if (known) return [];
  return [
    {
      kind: "pushed",
      actor: push.pusher,
      ...(push.pusherId !== undefined ? { actorId: push.pusherId } : {}),
      role: "",
      gate: "",
      sha: push.sha,
      at: push.at,
      method: "push",
    },
  ];
}

/**
 * `pushed` events for the PR's commit authors and committers not yet in the ledger, so every
 * reader of the ledger (the Action, the deployment rule, the audit) bars them as the App does,
 * without reading the commit list itself.
 */
export function contributorEvents(
  ledger: Ledger,
  people: readonly Contributor[],
  at: { sha: string; at: string; opener: { login: string; id?: number } },
): LedgerEvent[] {
  // The opener is barred by the PR itself; every reader knows who opened it.
  const recorded: { login: string; id?: number }[] = [at.opener];
  recorded.push(
    ...ledger.events
      .filter((e) => e.kind === "pushed")
      .map((e) => ({ login: e.actor, ...(e.actorId !== undefined ? { id: e.actorId } : {}) })),
  );
  const events: LedgerEvent[] = [];
  for (const person of people) {
    if (recorded.some((r) => mayBeSamePerson(r, person))) continue;
    recorded.push(person);
    events.push({
      kind: "pushed",
      actor: person.login,
      ...(person.id !== undefined ? { actorId: person.id } : {}),
      role: "",
      gate: "",
      sha: at.sha,
      at: at.at,
      method: "push",
      note: person.as === "author" ? "authored commits of this pull request" : "committed commits of this pull request",
    });
  }
  return events;
}

/**
 * Before a release turns green, asks GitHub again whether each sign-off that would approve it still
 * comes from an owner: its login still belongs to the account that signed (ids), and that account
 * is still a listed user or an active member of an owner team (team lookups share the membership
 * cache's short TTL). A sign-off that fails is withdrawn with a `revoke` event that says why, so the
 * ledger, the comment and the audit all show it.
 */
export async function recheckSigners(
  gh: GitHubClient,
  membership: TeamMembership,
  input: { config: RepoConfig; checklist: Checklist; verdict: Verdict; at: string },
): Promise<Change> {
  const events: LedgerEvent[] = [];
  const notices: string[] = [];
  const verdicts = new Map<string, string | undefined>();
  for (const gate of input.verdict.gates) {
    if (!gate.required || gate.status !== "approved") continue;
    const dropped = new Map<string, { why: string; items: string[] }>();
    for (const item of gate.items) {
      const signoff = item.status === "signed" ? item.signoff : undefined;
      if (!item.required || !signoff) continue;
      const key = `${gate.gate.owner}\u0000${signoff.actor.toLowerCase()}\u0000${signoff.actorId ?? ""}`;
      if (!verdicts.has(key)) verdicts.set(key, await whyNotOwner(gh, membership, input.config.owners[gate.gate.owner] ?? [], signoff));
      const why = verdicts.get(key);
      if (why === undefined) continue;
      const entry = dropped.get(signoff.actor) ?? { why, items: [] };
      entry.items.push(item.item.id);
      dropped.set(signoff.actor, entry);
      events.push({
        kind: "revoke",
        actor: "gatehouse",
        role: gate.gate.owner,
        gate: gate.gate.id,
        item: item.item.id,
        sha: input.verdict.headSha,
        at: input.at,
        method: "recheck",
        note: `the sign-off by @${signoff.actor} no longer counts: ${why}`,
      });
    }
    for (const [actor, { why, items }] of dropped) {
      notices.push(
        `⚠️ The sign-off${items.length === 1 ? "" : "s"} by @${escapeMarkdown(actor)} on **${escapeMarkdown(gate.gate.title)}** ` +
          `(${items.map((i) => `\`${escapeMarkdown(i)}\``).join(", ")}) no longer count${items.length === 1 ? "s" : ""}: ${escapeMarkdown(why)}. An owner must sign again.`,
      );
    }
  }
  return { events, notices };
}

async function whyNotOwner(
  gh: GitHubClient,
  membership: TeamMembership,
  owners: readonly string[],
  signoff: LedgerEvent,
): Promise<string | undefined> {
  if (signoff.actorId !== undefined) {
    const current = await membership.currentUserId(gh, signoff.actor);
    if (current === undefined)
      return `no GitHub account has the login @${signoff.actor} any more (it signed as account ${signoff.actorId})`;
    if (current !== signoff.actorId) {
      return `the login @${signoff.actor} now belongs to account ${current}, not to account ${signoff.actorId} that signed (renamed and re-registered)`;
    }
  }
  if (!(await isOwner(gh, membership, owners, signoff.actor))) {
    return `@${signoff.actor} is no longer an owner (${owners.length > 0 ? `not one of ${owners.join(", ")}` : "the role has no owners"})`;
  }
  return undefined;
}
