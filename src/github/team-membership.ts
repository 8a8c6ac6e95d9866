import { LRUCache } from "lru-cache";
import type { GitHubClient } from "./client.js";
import { httpStatus } from "./http-error.js";

/** Membership changes rarely; a short TTL keeps a burst of ticks to one lookup per team and person. */
export const MEMBERSHIP_TTL_MS = 60_000;
/** Team, person pairs kept; the least recently used is looked up again when needed. */
export const MEMBERSHIP_CACHE_MAX = 5_000;

/**
 * Answers "is this user an active member of this team?" and "which account has this login now?" through
 * GET /orgs/{org}/teams/{team_slug}/memberships/{username}, with a brief cache.
 * Pending invitations do not count. A 404 means "not a member"; any other error propagates
 * so the caller fails closed rather than treating an outage as "not allowed" silently.
 */
export class TeamMembership {
  readonly #cache: LRUCache<string, boolean>;
  /** Login → the account id it belongs to now; `null` when no account has the login. */
  readonly #ids: LRUCache<string, { id: number | null }>;

  constructor(options: { now: () => Date; ttlMs?: number; max?: number }) {
    const cacheOptions = {
      max: options.max ?? MEMBERSHIP_CACHE_MAX,
      ttl: options.ttlMs ?? MEMBERSHIP_TTL_MS,
      // Read the injected clock on every look-up (lru-cache otherwise reuses a reading for 1 ms).
      ttlResolution: 0,
      perf: { now: () => options.now().getTime() },
    };
    this.#cache = new LRUCache(cacheOptions);
    this.#ids = new LRUCache(cacheOptions);
  }

  async isActiveMember(gh: GitHubClient, org: string, teamSlug: string, username: string): Promise<boolean> {
    const key = `${org}/${teamSlug}/${username}`.toLowerCase();
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    let active = false;
    try {
      const { data } = await gh.rest.teams.getMembershipForUserInOrg({ org, team_slug: teamSlug, username });
      active = data.state === "active";
    } catch (error) {
      if (httpStatus(error) !== 404) throw error;
    }
    this.#cache.set(key, active);
    return active;
  }

  /** A webhook just showed which account has this login: no need to ask again within the TTL. */
  rememberUserId(login: string, id: number): void {
    this.#ids.set(login.toLowerCase(), { id });
  }

  /**
   * The numeric id the login belongs to now (GET /users/{username}), with the same brief cache:
   * a login can be renamed away and re-registered by someone else, an id cannot.
   * Undefined when no account has the login (404); other errors propagate (fail closed).
   */
  async currentUserId(gh: GitHubClient, login: string): Promise<number | undefined> {
    const key = login.toLowerCase();
    const hit = this.#ids.get(key);
    if (hit) return hit.id ?? undefined;
    let id: number | null = null;
    try {
      id = (await gh.rest.users.getByUsername({ username: login })).data.id;
    } catch (error) {
      if (httpStatus(error) !== 404) throw error;
    }
    this.#ids.set(key, { id });
    return id ?? undefined;
  }
}
