import type { GitHubClient } from "./client.js";

/** Membership changes rarely; a short TTL keeps a burst of ticks to one lookup per team and person. */
export const MEMBERSHIP_TTL_MS = 60_000;

interface Entry {
  active: boolean;
  expires: number;
}

/**
 * Answers "is this user an active member of this team?" and "which account has this login now?" through
 * GET /orgs/{org}/teams/{team_slug}/memberships/{username}, with a brief cache.
 * Pending invitations do not count. A 404 means "not a member"; any other error propagates
 * so the caller fails closed rather than treating an outage as "not allowed" silently.
 */
export class TeamMembership {
  readonly #cache = new Map<string, Entry>();
  readonly #ids = new Map<string, { id: number | undefined; expires: number }>();

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

  /** A webhook just showed which account has this login: no need to ask again within the TTL. */
  rememberUserId(login: string, id: number): void {
    this.#ids.set(login.toLowerCase(), { id, expires: this.clock() + this.ttlMs });
  }

  /**
   * The numeric id the login belongs to now (GET /users/{username}), with the same brief cache:
   * a login can be renamed away and re-registered by someone else, an id cannot.
   * Undefined when no account has the login (404); other errors propagate (fail closed).
   */
  async currentUserId(gh: GitHubClient, login: string): Promise<number | undefined> {
    const key = login.toLowerCase();
    const now = this.clock();
    const hit = this.#ids.get(key);
    if (hit && hit.expires > now) return hit.id;
    let id: number | undefined;
    try {
      id = (await gh.rest.users.getByUsername({ username: login })).data.id;
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
    this.#ids.set(key, { id, expires: now + this.ttlMs });
    if (this.#ids.size > 5_000) this.#ids.delete(this.#ids.keys().next().value as string);
    return id;
  }
}
