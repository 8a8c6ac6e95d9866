import { describe, expect, it } from "vitest";
import { evaluate } from "../../../src/core/evaluate/evaluate.js";
import { contributionOf, mayBeSamePerson } from "../../../src/core/evaluate/four-eyes.js";
import type { LedgerEvent } from "../../../src/core/ledger/ledger.js";
import { HEAD, launchChecklist, launchConfig, releasePr } from "../../fixtures/launch-checklist.js";

const NOW = new Date("2026-11-27T12:00:00.000Z");
const sign = (actor: string, actorId?: number): LedgerEvent => ({
  kind: "signoff",
  actor,
  ...(actorId !== undefined ? { actorId } : {}),
  role: "security",
  gate: "security",
  item: "waf",
  sha: HEAD,
  at: "2026-11-26T12:00:00.000Z",
  method: "tick",
});
const pushed = (actor: string, actorId?: number): LedgerEvent => ({
  kind: "pushed",
  actor,
  ...(actorId !== undefined ? { actorId } : {}),
  role: "",
  gate: "",
  sha: HEAD,
  at: "2026-11-26T13:00:00.000Z",
  method: "push",
});

function waf(
  events: LedgerEvent[],
  options: { contributors?: { login: string; id?: number; as: "author" | "committer" }[]; allow?: boolean } = {},
) {
  const verdict = evaluate({
    checklist: launchChecklist,
    config: launchConfig(options.allow ? { allow_author: true } : {}),
    ledger: { version: 1, pr: 42, events },
    pr: { ...releasePr, ...(options.contributors ? { contributors: options.contributors } : {}) },
    now: NOW,
  });
  return verdict.gates.find((g) => g.gate.id === "security")!.items.find((i) => i.item.id === "waf")!;
}

describe("four eyes", () => {
  it("matches people by id or by login, never by neither", () => {
    expect(mayBeSamePerson({ login: "sam", id: 1 }, { login: "samuel", id: 1 })).toBe(true);
    expect(mayBeSamePerson({ login: "Sam" }, { login: "sam", id: 2 })).toBe(true);
    expect(mayBeSamePerson({ login: "sam", id: 1 }, { login: "dana", id: 2 })).toBe(false);
  });

  it("names how someone took part in the PR", () => {
    const pr = { ...releasePr, contributors: [{ login: "carl", as: "committer" as const }] };
    expect(contributionOf({ login: releasePr.author }, pr, [])).toBe("opened this pull request");
    expect(contributionOf({ login: "carl" }, pr, [])).toBe("committed commits of this pull request");
    expect(contributionOf({ login: "x", id: 9 }, pr, [pushed("renamed", 9)])).toBe("pushed commits to this pull request");
    expect(contributionOf({ login: "sam" }, pr, [])).toBeUndefined();
  });

  it("a sign-off by a pusher (from the ledger) or a commit author does not count", () => {
    expect(waf([sign("sam", 5)]).status).toBe("signed");
    expect(waf([sign("sam", 5), pushed("sam", 5)])).toMatchObject({
      status: "pending",
      reason: expect.stringContaining("who pushed commits to this pull request, which does not count"),
    });
    expect(waf([sign("sam")], { contributors: [{ login: "sam", as: "author" }] }).reason).toContain(
      "who authored commits of this pull request",
    );
  });

  it("allow_author lets them sign", () => {
    expect(waf([sign("sam", 5), pushed("sam", 5)], { allow: true }).status).toBe("signed");
  });
});
