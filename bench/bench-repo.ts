import { issueCommentEvent } from "../test/fixtures/webhooks.js";
import type { WebhookEvent } from "../test/support/app-process.js";
import type { GitHubStandIn, PullRecord } from "../test/support/github-stand-in.js";
import { boxState, checklistComment, inRepository, ownerOf, releaseRepo, ROLE_TEAMS, setBox } from "../test/support/release-repo.js";
import type { ServedRequest } from "../test/support/stand-in-server.js";

/** One PR under test and the installation its events come from. */
export interface Subject {
  installation: number;
  pr: PullRecord;
}

/**
 * The stand-in repository the bench drives: acme/api with the harness's config and five members
 * in every owner team. Every PR gets its own installation id, so per-installation write spacing
 * (the App's, and Probot's for the floor) never links two PRs; heads are unique, so every request
 * can be traced to its PR.
 */
export class BenchRepo {
  readonly github: GitHubStandIn = releaseRepo();
  readonly #shaToPr = new Map<string, number>();
  #nextPr = 1;
  #nextHead = 1;

  constructor() {
    // One person who may sign both security and operations items (push-with-carry-over's setup).
    this.github.addTeamMember(ROLE_TEAMS.operations!, ownerOf("security"));
  }

  /** A new open PR: a release PR (label `release`) or an ordinary one into main. */
  pull(options: { release: boolean; installation?: number }): Subject {
    const number = this.#nextPr++;
    const pr = this.github.addPull({
      number,
      author: "dev",
      headSha: this.#newHead(number),
      labels: options.release ? [{ name: "release" }] : [],
      base: { ref: "main" },
    });
    return { installation: options.installation ?? 100_000 + number, pr };
  }

  /** A push to the PR's branch: a new head, and `files` changed since the old one. */
  push(subject: Subject, files: string[]): { before: string; after: string } {
    const before = subject.pr.head.sha;
    const after = this.#newHead(subject.pr.number);
    subject.pr.head.sha = after;
    subject.pr.commits.push(after);
    this.github.compares.set(`${before}...${after}`, files);
    return { before, after };
  }

  /**
   * An owner ticks one box of the PR's checklist comment: GitHub stores the edit, and this is the
   * `issue_comment.edited` it sends, from the comment as GitHub holds it then, as a browser would.
   */
  tick(subject: Subject, item: { ref: string; owner: string }): WebhookEvent {
    const comment = checklistComment(this.github, subject.pr.number);
    const from = comment.body;
    comment.body = setBox(from, item.ref, true);
    return inRepository(issueCommentEvent("edited", { pr: subject.pr, comment: { ...comment }, sender: item.owner, from }), {
      installation: subject.installation,
    });
  }

  /** The PR's checklist comment shows the item ticked and re-rendered from the ledger: its line names who signed. */
  commentShowsSigned(pr: number, ref: string): boolean {
    const body = checklistComment(this.github, pr).body;
    return boxState(body, ref) && body.split("\n").some((l) => l.includes(`gatehouse:item ${ref} `) && l.includes("signed by"));
  }

  /** The PR a request was about, when its path or body names one (team and config reads name none). */
  pullOf(served: Pick<ServedRequest, "path" | "body">): number | undefined {
    const path = served.path.replace(/^\/api\/v3/, "").split("?")[0]!;
    let match: RegExpExecArray | null;
    if ((match = /\/(?:issues|pulls)\/(\d+)(?:\/|$)/.exec(path))) return Number(match[1]);
    if ((match = /\/issues\/comments\/(\d+)/.exec(path))) return this.github.comments.find((c) => c.id === Number(match![1]))?.issue;
    if ((match = /\/check-runs\/(\d+)$/.exec(path)))
      return this.#shaToPr.get(this.github.checkRuns.find((r) => r.id === Number(match![1]))?.head_sha ?? "");
    if (/\/check-runs$/.test(path)) return this.#shaToPr.get(String((served.body as { head_sha?: string } | undefined)?.head_sha));
    if ((match = /\/commits\/([0-9a-f]{40})\//.exec(path))) return this.#shaToPr.get(match[1]!);
    if ((match = /\/compare\/[0-9a-f]{40}\.\.\.([0-9a-f]{40})$/.exec(path))) return this.#shaToPr.get(match[1]!);
    return undefined;
  }

  #newHead(pr: number): string {
    const sha = (this.#nextHead++).toString(16).padStart(8, "0").padEnd(40, "b");
    this.#shaToPr.set(sha, pr);
    return sha;
  }
}

/** Installation tokens are created once per installation and cached for an hour: not an event's cost. */
export function isTokenCreation(path: string): boolean {
  return /\/app\/installations\/\d+\/access_tokens$/.test(path);
}
