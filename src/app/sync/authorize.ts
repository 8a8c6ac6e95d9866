import type { Gate } from "../../core/config/checklist-schema.js";
import type { RepoConfig } from "../../core/config/config-schema.js";
import { escapeMarkdown } from "../../core/render/escape.js";
import { parseOwner, sameLogin } from "../../core/config/owner-ref.js";
import { contributionOf } from "../../core/evaluate/four-eyes.js";
import type { PullRequestFacts } from "../../core/evaluate/verdict.js";
import type { LedgerEvent } from "../../core/ledger/ledger.js";
import type { GitHubClient } from "../../github/client.js";
import type { TeamMembership } from "../../github/team-membership.js";

export interface Signer {
  login: string;
  /** The numeric user id from the webhook's `sender.id`; recorded with every sign-off. */
  id?: number;
  type: string;
}

export type Authorization = { ok: true; role: string } | { ok: false; reason: string };

/**
 * May this person sign this gate? Only a listed user or an active member of a listed team, never a
 * bot, and never someone who opened, authored, committed or pushed to the PR unless the repo sets
 * `allow_author`. Reasons are shown to users.
 */
export async function authorize(
  gh: GitHubClient,
  membership: TeamMembership,
  input: { config: RepoConfig; gate: Gate; signer: Signer; pr: PullRequestFacts; events: readonly LedgerEvent[] },
): Promise<Authorization> {
  const { config, gate, signer } = input;
  const owners = config.owners[gate.owner] ?? [];
  // Logins are GitHub-validated ([A-Za-z0-9-]), so they need no escaping.
  const who = `@${signer.login}`;
  const allowed = owners.length ? owners.map((o) => escapeMarkdown(o)).join(", ") : "nobody (no owners configured)";
  if (signer.type === "Bot") return { ok: false, reason: `${who} is a bot; bots cannot sign off gates.` };
  if (!config.allow_author) {
    const contribution = contributionOf(
      { login: signer.login, ...(signer.id !== undefined ? { id: signer.id } : {}) },
      input.pr,
      input.events,
    );
    if (contribution !== undefined) {
      return {
        ok: false,
        reason: `${who} ${contribution} and cannot sign off its gates (\`allow_author\` is off): someone who did not write the change must approve it.`,
      };
    }
  }
  if (await isOwner(gh, membership, owners, signer.login)) return { ok: true, role: gate.owner };
  return { ok: false, reason: `${who} is not an owner of **${escapeMarkdown(gate.title)}**; it can be signed by ${allowed}.` };
}

/** Is this login one of the listed users, or an active member of one of the listed teams? */
export async function isOwner(gh: GitHubClient, membership: TeamMembership, owners: readonly string[], login: string): Promise<boolean> {
  for (const text of owners) {
    const owner = parseOwner(text);
    if (owner.kind === "user" && sameLogin(owner.login, login)) return true;
  }
  for (const text of owners) {
    const owner = parseOwner(text);
    if (owner.kind === "team" && (await membership.isActiveMember(gh, owner.org, owner.slug, login))) return true;
  }
  return false;
}
