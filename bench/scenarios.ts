import { issueCommentEvent, pullRequestEvent } from "../test/fixtures/webhooks.js";
import type { AppProcess, WebhookEvent } from "../test/support/app-process.js";
import { APP_ID, APP_SLUG, checklistComment, inRepository, ownerOf, setBox } from "../test/support/release-repo.js";
import type { BenchRepo, Subject } from "./bench-repo.js";
import { deliverAll } from "./delivery-stream.js";

/** One webhook of a scenario, and the PR its writes land on. */
export interface BenchEvent {
  event: WebhookEvent;
  pr: number;
}

export interface Scenario {
  id: string;
  title: string;
  /** Prepares `count` subjects through the App, so each event meets the state it would in production. */
  prepare(repo: BenchRepo, app: AppProcess, count: number): Promise<Subject[]>;
  /** The scenario's event for a subject; `round` (0, 1, 2, …) picks a fresh item or head each time. */
  event(repo: BenchRepo, subject: Subject, round: number): BenchEvent;
}

/** Ticks and commands sign operations items, always as the same owner, so membership stays cached. */
const OPERATIONS_ITEMS = ["dashboards", "alerts", "on-call", "runbooks", "log-retention"];
const SIGNER = ownerOf("operations");
/** BenchRepo puts this security owner in the operations team too. */
const SECURITY_AND_OPERATIONS = ownerOf("security");
/** Preparation is not measured: open every PR at once. */
const PREPARE_CONCURRENCY = 64;

function forSubject(subject: Subject, event: WebhookEvent & { payload: Record<string, any> }): WebhookEvent {
  return inRepository(event, { installation: subject.installation });
}

/** Opens `count` release PRs through the App. */
async function openReleasePulls(repo: BenchRepo, app: AppProcess, count: number): Promise<Subject[]> {
  const subjects = Array.from({ length: count }, () => repo.pull({ release: true }));
  await deliverAll(
    app,
    subjects.map((s) => forSubject(s, pullRequestEvent("opened", s.pr))),
    PREPARE_CONCURRENCY,
  );
  return subjects;
}

/** Installations that have already had an event (token cached, config cached), for scenarios that open new PRs. */
async function warmInstallations(repo: BenchRepo, app: AppProcess, count: number): Promise<Subject[]> {
  const subjects = Array.from({ length: count }, () => repo.pull({ release: false }));
  await deliverAll(
    app,
    subjects.map((s) => forSubject(s, pullRequestEvent("opened", s.pr))),
    PREPARE_CONCURRENCY,
  );
  return subjects;
}

function tick(repo: BenchRepo, subject: Subject, round: number): BenchEvent {
  const comment = checklistComment(repo.github, subject.pr.number);
  const from = comment.body;
  const body = setBox(from, `operations.${OPERATIONS_ITEMS[round % OPERATIONS_ITEMS.length]}`, true);
  comment.body = body;
  return {
    event: forSubject(subject, issueCommentEvent("edited", { pr: subject.pr, comment: { ...comment, body }, sender: SIGNER, from })),
    pr: subject.pr.number,
  };
}

let commandIds = 500_000;

export const SCENARIOS: Scenario[] = [
  {
    id: "release-pr-opened",
    title: "Release PR opened",
    prepare: warmInstallations,
    event(repo, subject) {
      const pr = repo.pull({ release: true, installation: subject.installation });
      return { event: forSubject(pr, pullRequestEvent("opened", pr.pr)), pr: pr.pr.number };
    },
  },
  {
    id: "owner-tick",
    title: "Owner tick",
    prepare: openReleasePulls,
    event: tick,
  },
  {
    id: "signoff-command",
    title: "/signoff command",
    prepare: openReleasePulls,
    event(repo, subject, round) {
      const comment = {
        id: commandIds++,
        body: `/signoff operations.${OPERATIONS_ITEMS[round % OPERATIONS_ITEMS.length]}`,
        user: { login: SIGNER, type: "User" },
      };
      repo.github.comments.push({ ...comment, issue: subject.pr.number, performed_via_github_app: null, html_url: "", reactions: [] });
      return {
        event: forSubject(subject, issueCommentEvent("created", { pr: subject.pr, comment, sender: SIGNER })),
        pr: subject.pr.number,
      };
    },
  },
  {
    id: "push-carry-over",
    title: "Push with carry-over",
    async prepare(repo, app, count) {
      // Each PR has a security sign-off that the push (under src/auth/) invalidates, and an
      // operations one it carries; one owner in both teams signs both in one edit.
      const subjects = await openReleasePulls(repo, app, count);
      const signs = subjects.map((s) => {
        const comment = checklistComment(repo.github, s.pr.number);
        const from = comment.body;
        const body = setBox(setBox(from, "security.waf", true), "operations.dashboards", true);
        comment.body = body;
        return forSubject(
          s,
          issueCommentEvent("edited", { pr: s.pr, comment: { ...comment, body }, sender: SECURITY_AND_OPERATIONS, from }),
        );
      });
      await deliverAll(app, signs, PREPARE_CONCURRENCY);
      return subjects;
    },
    event(repo, subject) {
      const { before, after } = repo.push(subject, ["src/auth/session.ts", "README.md"]);
      return { event: forSubject(subject, pullRequestEvent("synchronize", subject.pr, { before, after })), pr: subject.pr.number };
    },
  },
  {
    id: "non-release-pr",
    title: "Non-release PR opened",
    prepare: warmInstallations,
    event(repo, subject) {
      const pr = repo.pull({ release: false, installation: subject.installation });
      return { event: forSubject(pr, pullRequestEvent("opened", pr.pr)), pr: pr.pr.number };
    },
  },
  {
    id: "own-comment-edit",
    title: "The app's own comment edit",
    prepare: openReleasePulls,
    event(repo, subject) {
      const comment = checklistComment(repo.github, subject.pr.number);
      const bot = {
        ...comment,
        user: { login: `${APP_SLUG}[bot]`, type: "Bot" },
        performed_via_github_app: { id: APP_ID, slug: APP_SLUG },
      };
      return {
        event: forSubject(
          subject,
          issueCommentEvent("edited", { pr: subject.pr, comment: bot, sender: `${APP_SLUG}[bot]`, senderType: "Bot", from: comment.body }),
        ),
        pr: subject.pr.number,
      };
    },
  },
];
