import { RequestError } from "@octokit/request-error";
import { describe, expect, it } from "vitest";
import type { GitHubClient } from "../../src/github/client.js";
import { MEMBERSHIP_CACHE_MAX, MEMBERSHIP_TTL_MS, TeamMembership } from "../../src/github/team-membership.js";
import { manualClock } from "../support/fake-clock.js";

/** Team memberships as GitHub answers them: `active` members, 404 for others, or an outage. */
function teams(answer: (username: string) => "active" | "pending" | 404 | 502) {
  let lookups = 0;
  const gh = {
    rest: {
      teams: {
        getMembershipForUserInOrg: async ({ username }: { username: string }) => {
          lookups++;
          const kind = answer(username);
          if (typeof kind === "number") {
            throw new RequestError("membership", kind, {
              request: { method: "GET", url: "/orgs/acme/teams/sec/memberships", headers: {} },
            });
          }
          return { data: { state: kind } };
        },
      },
    },
  } as unknown as GitHubClient;
  return { gh, lookups: () => lookups };
}

describe("TeamMembership", () => {
  it("looks a person up once per TTL, on the injected clock", async () => {
    const clock = manualClock();
    const host = teams(() => "active");
    const membership = new TeamMembership({ now: clock.now });
    expect(await membership.isActiveMember(host.gh, "acme", "sec", "ada")).toBe(true);
    clock.advance(MEMBERSHIP_TTL_MS - 1);
    expect(await membership.isActiveMember(host.gh, "ACME", "sec", "Ada")).toBe(true);
    expect(host.lookups()).toBe(1);
    clock.advance(2);
    await membership.isActiveMember(host.gh, "acme", "sec", "ada");
    expect(host.lookups()).toBe(2);
  });

  it("caches 'not a member' (404, pending) but never an outage", async () => {
    const host = teams((u) => (u === "bob" ? 404 : u === "cy" ? "pending" : 502));
    const membership = new TeamMembership({ now: manualClock().now });
    for (let i = 0; i < 2; i++) {
      expect(await membership.isActiveMember(host.gh, "acme", "sec", "bob")).toBe(false);
      expect(await membership.isActiveMember(host.gh, "acme", "sec", "cy")).toBe(false);
      await expect(membership.isActiveMember(host.gh, "acme", "sec", "dee")).rejects.toMatchObject({ status: 502 });
    }
    expect(host.lookups()).toBe(4);
  });

  it("keeps at most MEMBERSHIP_CACHE_MAX answers, forgetting the least recently used", async () => {
    const host = teams(() => "active");
    const membership = new TeamMembership({ now: manualClock().now });
    for (let n = 0; n <= MEMBERSHIP_CACHE_MAX; n++) await membership.isActiveMember(host.gh, "acme", "sec", `user-${n}`);
    expect(host.lookups()).toBe(MEMBERSHIP_CACHE_MAX + 1);
    await membership.isActiveMember(host.gh, "acme", "sec", "user-1");
    expect(host.lookups()).toBe(MEMBERSHIP_CACHE_MAX + 1);
    await membership.isActiveMember(host.gh, "acme", "sec", "user-0");
    expect(host.lookups()).toBe(MEMBERSHIP_CACHE_MAX + 2);
  });
});
