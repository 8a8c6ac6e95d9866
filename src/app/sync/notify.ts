import type { RepoConfig } from "../../core/config/config-schema.js";
import { parseOwner, sameLogin } from "../../core/config/owner-ref.js";
import type { Verdict } from "../../core/evaluate/verdict.js";

/**
 * Who to ask for a review when `notify: request_review`: the owners of every pending required
 * gate. GitHub only accepts teams of the repo's own org, and never the PR's author.
 */
export function notifyReviewers(config: RepoConfig, verdict: Verdict, org: string, author: string): { users: string[]; teams: string[] } {
  const users = new Set<string>();
  const teams = new Set<string>();
  for (const gate of verdict.gates) {
    if (gate.status !== "pending") continue;
    for (const text of config.owners[gate.gate.owner] ?? []) {
      const owner = parseOwner(text);
      if (owner.kind === "team" && sameLogin(owner.org, org)) teams.add(owner.slug);
      if (owner.kind === "user" && !sameLogin(owner.login, author)) users.add(owner.login);
    }
  }
  return { users: [...users], teams: [...teams] };
}
