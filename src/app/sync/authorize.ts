import type { Gate } from "../../core/config/checklist-schema.js";
import type { RepoConfig } from "../../core/config/config-schema.js";
import { escapeMarkdown } from "../../core/render/escape.js";
import { parseOwner, sameLogin } from "../../core/config/owner-ref.js";
import type { GitHubClient } from "../../github/client.js";
import type { TeamMembership } from "../../github/team-membership.js";

export interface Signer {
  login: string;
  type: string;
}

export type Authorization = { ok: true; role: string } | { ok: false; reason: string };

/**
 * May this person sign this gate? Only a listed user or an active member of a listed team,
 * never a bot, and never the PR's author unless the repo allows it. Reasons are shown to users.
 */
export async function authorize(
  gh: GitHubClient,
  membership: TeamMembership,
  input: { config: RepoConfig; gate: Gate; signer: Signer; prAuthor: string },
): Promise<Authorization> {
  const { config, gate, signer } = input;
  const owners = config.owners[gate.owner] ?? [];
  // Logins are GitHub-validated ([A-Za-z0-9-]), so they need no escaping.
  const who = `@${signer.login}`;
  const allowed = owners.length ? owners.map((o) => escapeMarkdown(o)).join(", ") : "nobody (no owners configured)";
  if (signer.type === "Bot") return { ok: false, reason: `${who} is a bot; bots cannot sign off gates.` };
  if (sameLogin(signer.login, input.prAuthor) && !config.allow_author) {
    return { ok: false, reason: `${who} opened this pull request and cannot sign off its gates (\`allow_author\` is off).` };
  }
  for (const text of owners) {
    const owner = parseOwner(text);
    if (owner.kind === "user" && sameLogin(owner.login, signer.login)) return { ok: true, role: gate.owner };
  }
  for (const text of owners) {
    const owner = parseOwner(text);
    if (owner.kind === "team" && (await membership.isActiveMember(gh, owner.org, owner.slug, signer.login))) {
      return { ok: true, role: gate.owner };
    }
  }
  return { ok: false, reason: `${who} is not an owner of **${escapeMarkdown(gate.title)}**; it can be signed by ${allowed}.` };
}
