import { sameLogin } from "../config/owner-ref.js";
import type { LedgerEvent } from "../ledger/ledger.js";
import type { PullRequestFacts } from "./verdict.js";

/** A GitHub account as Gatehouse knows it: the login, and the numeric id when an event carried it. */
export interface Person {
  login: string;
  id?: number;
}

/**
 * Could these be the same account? Equal ids, or equal logins: a shared login counts even when the
 * ids differ, because excluding one person too many is safe and one too few is not.
 */
export function mayBeSamePerson(a: Person, b: Person): boolean {
  if (a.id !== undefined && b.id !== undefined && a.id === b.id) return true;
  return sameLogin(a.login, b.login);
}

/**
 * How a person took part in writing the PR, which bars them from signing its gates unless
 * `allow_author` is set: opened it, authored or committed one of its commits (the PR's commit
 * list), or pushed to it (the ledger's `pushed` events). Undefined for an independent reviewer.
 * The text completes "@alice …", e.g. "pushed commits to this pull request".
 */
export function contributionOf(person: Person, pr: PullRequestFacts, events: readonly LedgerEvent[]): string | undefined {
  if (mayBeSamePerson(person, { login: pr.author, ...(pr.authorId !== undefined ? { id: pr.authorId } : {}) }))
    return "opened this pull request";
  for (const c of pr.contributors ?? []) {
    if (mayBeSamePerson(person, c))
      return c.as === "author" ? "authored commits of this pull request" : "committed commits of this pull request";
  }
  for (const e of events) {
    if (e.kind === "pushed" && mayBeSamePerson(person, { login: e.actor, ...(e.actorId !== undefined ? { id: e.actorId } : {}) })) {
      // Commit authors the App recorded carry what they did as the note.
      return e.note ?? "pushed commits to this pull request";
    }
  }
  return undefined;
}
