import { randomUUID } from "node:crypto";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { gatehouse } from "../../src/app/index.js";
import type { Runtime } from "../../src/app/runtime/runtime.js";
import type { WriteSpacingOptions } from "../../src/github/write-spacing.js";
import type { Scheduler } from "../../src/app/runtime/expiry-timers.js";
import { decodeLedger } from "../../src/core/ledger/ledger-codec.js";
import type { Ledger } from "../../src/core/ledger/ledger.js";
import { issueCommentEvent, OWNER, REPO } from "../fixtures/webhooks.js";
import { GitHubStandIn, type CommentRecord, type PullRecord } from "../support/github-stand-in.js";
import { mountStandIn } from "../support/nock-stand-in.js";
import { APP_ID, boxState, RELEASE_CONFIG, setBox } from "../support/release-repo.js";

export { APP_ID, boxState, setBox };

export const NOW = new Date("2026-11-25T12:00:00Z");

/** A config like the README's: every shipped role has an owner team, plus one named user. */
export const CONFIG = RELEASE_CONFIG;

/** One owner per gate of the pre-production checklist. */
export const OWNERS: Record<string, string> = {
  infrastructure: "ivan",
  security: "sam",
  operations: "olga",
  compliance: "dana",
  support: "sue",
};

export interface Harness {
  probot: Probot;
  github: GitHubStandIn;
  clock: { now: Date };
  /** Settles when the start-up sweep is done (at once without one). */
  started: Promise<unknown>;
  deliver(event: { name: string; payload: Record<string, unknown> }, id?: string): Promise<void>;
  /** The App's runtime (caches, batches, deferred comment re-renders). */
  runtime(): Runtime;
  checklistComment(pr: number): CommentRecord;
  ledger(sha: string): Ledger;
  /** A user edits the checklist comment; GitHub stores the edit and sends issue_comment.edited. */
  editChecklist(pr: PullRecord, sender: string, edit: (body: string) => string): Promise<void>;
}

export interface HarnessOptions {
  config?: string;
  /** Keep Probot's write throttling on (one limiter per installation), as shipped. */
  throttle?: boolean;
  /** Per-installation write spacing; off by default so tests count calls, not seconds. */
  writeSpacing?: WriteSpacingOptions;
  /**
   * How long a comment re-render that only adds signers may wait. Unset: 0, and `deliver` also
   * waits for that deferred re-render, so a test reads the comment as it settles.
   */
  commentWindowMs?: number;
  /** A restart: a new App process (empty caches) against the same GitHub. */
  github?: GitHubStandIn;
  /** Timers for expiry re-evaluation (default: real ones). */
  scheduler?: Scheduler;
  /** Run the start-up sweep; `started` settles when it is done. */
  sweepOnStart?: boolean;
}

const UNSPACED: WriteSpacingOptions = { burst: Number.MAX_SAFE_INTEGER, perSecond: Number.MAX_SAFE_INTEGER };

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  nock.disableNetConnect();
  const github = options.github ?? new GitHubStandIn({ appId: APP_ID, slug: "gatehouse" }, `${OWNER}/${REPO}`);
  if (options.github) nock.cleanAll();
  else {
    github.files.set(".github/gatehouse.yml", options.config ?? CONFIG);
    github.addTeamMember("acme/platform", OWNERS.infrastructure!);
    github.addTeamMember("acme/security", OWNERS.security!);
    github.addTeamMember("acme/sre", OWNERS.operations!);
    github.addTeamMember("acme/support", OWNERS.support!);
  }
  mountStandIn(github);

  const clock = { now: NOW };
  const probot = new Probot({
    githubToken: "test-token",
    // Retries and throttling would hide the call counts the tests assert.
    Octokit: ProbotOctokit.defaults((octokitOptions: Record<string, any>) => ({
      ...octokitOptions,
      retry: { enabled: false },
      throttle: { ...octokitOptions.throttle, enabled: options.throttle === true },
    })),
    logLevel: "fatal",
  });
  // Secondary rate limits are retried at once: the tests count calls, not seconds.
  let runtime: Runtime | undefined;
  let started: Promise<unknown> = Promise.resolve();
  await probot.load(
    gatehouse({
      appId: APP_ID,
      now: () => clock.now,
      retryPolicy: { retries: 2, maxWaitSeconds: 60, sleep: async () => {} },
      writeSpacing: options.writeSpacing ?? UNSPACED,
      commentWindowMs: options.commentWindowMs ?? 0,
      onRuntime: (rt) => (runtime = rt),
      ...(options.scheduler ? { scheduler: options.scheduler } : {}),
      sweepOnStart: options.sweepOnStart === true,
      onSweep: (sweep) => (started = sweep),
    }),
  );
  const settleViews = options.commentWindowMs === undefined;

  const harness: Harness = {
    probot,
    github,
    clock,
    runtime: () => runtime!,
    started,
    async deliver(event, id = randomUUID()) {
      await probot.receive({ id, name: event.name, payload: event.payload } as never);
      if (settleViews) await runtime!.views.settled();
    },
    checklistComment(pr) {
      const comment = github.commentsOn(pr).find((c) => c.user.type === "Bot");
      if (!comment) throw new Error(`no checklist comment on #${pr}`);
      return comment;
    },
    ledger(sha) {
      const run = github.checkRunsOn(sha, "Gatehouse").find((r) => r.app?.id === APP_ID);
      const ledger = run && decodeLedger(run.output.text ?? "");
      if (!ledger) throw new Error(`no ledger on ${sha}`);
      return ledger;
    },
    async editChecklist(pr, sender, edit) {
      const comment = harness.checklistComment(pr.number);
      const from = comment.body;
      comment.body = edit(from);
      await harness.deliver(issueCommentEvent("edited", { pr, comment, sender, from }));
    },
  };
  return harness;
}

export function teardown(): void {
  nock.cleanAll();
  nock.enableNetConnect();
}
