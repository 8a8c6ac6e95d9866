import { issueCommentEvent, pullRequestEvent } from "../test/fixtures/webhooks.js";
import type { AppProcess } from "../test/support/app-process.js";
import type { HookDeliveryRecord } from "../test/support/github-stand-in.js";
import { checklistComment, inRepository, ledgerOn, setBox, tickableItems } from "../test/support/release-repo.js";
import { WebhookSender } from "../test/support/webhook-sender.js";
import type { BenchRepo } from "./bench-repo.js";
import { sleep, until } from "./delivery-stream.js";
import type { RequestRecorder } from "./request-recorder.js";

export interface RecoveryMeasurement {
  replicas: number;
  prs: number;
  /** Ticks sent while every replica was down: GitHub logged them as failed (status 0). */
  missed: number;
  /** From starting the replicas (spawn) to all of them answering. */
  readyMs: number;
  /** From starting the replicas to the first and the last redelivery request. */
  firstRequestMs: number | undefined;
  lastRequestMs: number | undefined;
  /** From starting the replicas to the last missed tick in its PR's ledger; undefined when not all arrived. */
  appliedMs: number | undefined;
  redeliveryRequests: number;
  /** Every missed delivery was asked for exactly once, and nothing else was. */
  eachOnce: boolean;
}

/** Time allowed for the recovery before it is reported as incomplete. */
const DEADLINE_MS = 60_000;
/** Recovered replicas sweep this often: after the last tick applied, one more sweep shows no delivery is asked for twice. */
export const RECOVERY_SWEEP_SECONDS = 1;

/**
 * A restart after an outage: `prs` release PRs (each in its own installation) are open, every
 * replica is stopped, owners tick `ticksEach` boxes on each PR meanwhile (GitHub logs each delivery
 * as failed), and `replicas` new replicas start. Their redelivery sweep finds the failed
 * deliveries in GitHub's log and asks for each again; GitHub (test/support/webhook-sender.ts)
 * delivers it round-robin to the replicas listening by then.
 */
export async function measureRecovery(input: {
  repo: BenchRepo;
  recorder: RequestRecorder;
  running: AppProcess[];
  start: () => Promise<AppProcess>;
  replicas: number;
  prs: number;
  ticksEach: number;
}): Promise<RecoveryMeasurement> {
  const { repo, recorder } = input;
  const sender = new WebhookSender(repo.github);
  sender.replicas = input.running;
  const subjects = Array.from({ length: input.prs }, () => repo.pull({ release: true }));
  const opened = await Promise.all(
    subjects.map((s) => sender.deliver(inRepository(pullRequestEvent("opened", s.pr), { installation: s.installation }))),
  );
  if (opened.some((o) => o.status_code !== 200)) throw new Error(`opening the PRs failed: ${opened.map((o) => o.status_code)}`);
  await recorder.untilIdle();

  await Promise.all(input.running.map((app) => app.stop()));
  sender.replicas = [];
  const items = tickableItems().slice(0, input.ticksEach);
  const missed: HookDeliveryRecord[] = [];
  // Owners tick one box after another on each PR, each an edit of the comment as GitHub holds it.
  for (const item of items) {
    for (const s of subjects) {
      const comment = checklistComment(repo.github, s.pr.number);
      const from = comment.body;
      const body = setBox(from, item.ref, true);
      comment.body = body;
      const event = issueCommentEvent("edited", { pr: s.pr, comment: { ...comment, body }, sender: item.owner, from });
      missed.push(await sender.deliver(inRepository(event, { installation: s.installation })));
    }
  }
  if (missed.some((m) => m.status_code !== 0)) throw new Error("a tick was answered while every replica was down");

  const requestsBefore = input.repo.github.redeliveryRequests.length;
  const mark = recorder.mark();
  const startedAt = performance.now();
  // A load balancer sends to each replica once it listens.
  await Promise.all(Array.from({ length: input.replicas }, async () => sender.replicas.push(await input.start())));
  const readyMs = performance.now() - startedAt;
  // Ledgers change only when the stand-in serves a write: look again only then.
  let seen = -1;
  const allApplied = () => {
    if (recorder.served.length === seen) return false;
    seen = recorder.served.length;
    return subjects.every((s) => {
      const signed = new Set(ledgerOn(repo.github, s.pr.head.sha).events.map((e) => `${e.gate}.${e.item}`));
      return items.every((i) => signed.has(i.ref));
    });
  };
  const applied = await until(allApplied, DEADLINE_MS);
  const appliedMs = applied ? performance.now() - startedAt : undefined;
  await sleep(RECOVERY_SWEEP_SECONDS * 1_000 + 500);
  await sender.redeliveriesAnswered();

  const requested = repo.github.redeliveryRequests
    .slice(requestsBefore)
    .map((id) => repo.github.hookDeliveries.find((d) => d.id === id)!.guid);
  const asked = recorder
    .since(mark)
    .filter((r) => r.method === "POST" && /\/app\/hook\/deliveries\/\d+\/attempts$/.test(r.path))
    .map((r) => r.startedAt - startedAt);
  return {
    replicas: input.replicas,
    prs: input.prs,
    missed: missed.length,
    readyMs,
    firstRequestMs: asked.length ? Math.min(...asked) : undefined,
    lastRequestMs: asked.length ? Math.max(...asked) : undefined,
    appliedMs,
    redeliveryRequests: requested.length,
    eachOnce: requested.length === missed.length && missed.every((m) => requested.includes(m.guid)),
  };
}
