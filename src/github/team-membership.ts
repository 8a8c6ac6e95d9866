import type { GitHubClient } from "./client.js";

/** Membership changes rarely; a short TTL keeps a burst of ticks to one lookup per team and person. */
export const MEMBERSHIP_TTL_MS = 60_000;

interface Entry {
  active: boolean;
  expires: number;
}

/**
 * Answers "is this user an active member of this team?" through
 * GET /orgs/{org}/teams/{team_slug}/memberships/{username}, with a brief cache.
 * Pending invitations do not count. A 404 means "not a member"; any other error propagates
 * so the caller fails closed rather than treating an outage as "not allowed" silently.
 */
export class TeamMembership {
  readonly #cache = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = MEMBERSHIP_TTL_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  async isActiveMember(gh: GitHubClient, org: string, teamSlug: string, username: string): Promise<boolean> {
    const key = `${org}/${teamSlug}/${username}`.toLowerCase();
    const now = this.clock();
    const hit = this.#cache.get(key);
    if (hit && hit.expires > now) return hit.active;
    let active = false;
    try {
      const { data } = await gh.rest.teams.getMembershipForUserInOrg({ org, team_slug: teamSlug, username });
      active = data.state === "active";
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
    this.#cache.set(key, { active, expires: now + this.ttlMs });
    if (this.#cache.size > 5_000) this.#cache.delete(this.#cache.keys().next().value as string);
    return active;
  }
}
