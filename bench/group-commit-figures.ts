import { issueCommentEvent, pullRequestEvent } from "../test/fixtures/webhooks.js";
import type { AppProcess, WebhookEvent } from "../test/support/app-process.js";
import { checklistComment, inRepository, ledgerOn, ownerOf, setBox, tickableItems } from "../test/support/release-repo.js";
import type { BenchRepo, Subject } from "./bench-repo.js";
import { deliverAll, eventsPerSecond, type Receiver } from "./delivery-stream.js";
import type { RequestRecorder } from "./request-recorder.js";

export interface BurstMeasurement {
  ticks: number;
  reverted: number;
  /** From the last delivery being sent to the last write of the burst being answered. */
  msAfterLastDelivery: number;
  writes: number;
  reads: number;
  allSigned: boolean;
}

/** 20 owners tick one box each on one PR at the same moment. */
export async function measureBurst(repo: BenchRepo, app: Receiver, recorder: RequestRecorder): Promise<BurstMeasurement> {
  const subject = repo.pull({ release: true });
  await deliverAll(app, [inRepository(pullRequestEvent("opened", subject.pr), { installation: subject.installation })], 1);
  await recorder.untilIdle();
  const comment = checklistComment(repo.github, subject.pr.number);
  const base = comment.body;
  const twenty = tickableItems().slice(0, 20);
  const events = twenty.map(({ ref, owner }) => {
    const body = setBox(base, ref, true);
    comment.body = body;
    return inRepository(issueCommentEvent("edited", { pr: subject.pr, comment: { ...comment, body }, sender: owner, from: base }), {
      installation: subject.installation,
    });
  });
  const mark = recorder.mark();
  const deliveries = await deliverAll(app, events, events.length);
  // The comment's re-render may come after the answers (ledger first, view later): wait for it.
  await recorder.untilIdle();
  const served = recorder.since(mark);
  const writes = served.filter((r) => r.method !== "GET" && repo.pullOf(r) === subject.pr.number);
  const signed = new Set(
    ledgerOn(repo.github, subject.pr.head.sha)
      .events.filter((e) => e.kind === "signoff")
      .map((e) => `${e.gate}.${e.item}`),
  );
  return {
    ticks: events.length,
    reverted: 0,
    msAfterLastDelivery: Math.max(...writes.map((w) => w.endedAt)) - Math.max(...deliveries.map((d) => d.sentAt)),
    writes: writes.length,
    reads: served.filter((r) => r.method === "GET").length,
    allSigned: twenty.every((t) => signed.has(t.ref)),
  };
}

export interface InstallationsMeasurement {
  installations: number;
  ticksEach: number;
  eventsPerSecond: number;
  /** Writes per second the App reached across installations during the pass. */
  writesPerSecond: number;
  writes: number;
  allSigned: boolean;
  /** The same stream, for the floor. */
  stream: WebhookEvent[];
}

const ITEMS = ["dashboards", "alerts", "on-call", "runbooks", "log-retention"];

/**
 * `installations` customers, each with a release PR, tick at the same moment: `ticksEach` boxes
 * per PR, with write spacing as shipped.
 */
export async function measureInstallations(
  repo: BenchRepo,
  app: AppProcess,
  recorder: RequestRecorder,
  options: { installations: number; ticksEach: number },
): Promise<InstallationsMeasurement> {
  const subjects: Subject[] = Array.from({ length: options.installations }, () => repo.pull({ release: true }));
  await deliverAll(
    app,
    subjects.map((s) => inRepository(pullRequestEvent("opened", s.pr), { installation: s.installation })),
    subjects.length,
  );
  await recorder.untilIdle();
  const signer = ownerOf("operations");
  const stream = subjects.flatMap((s) => {
    const comment = checklistComment(repo.github, s.pr.number);
    const base = comment.body;
    return ITEMS.slice(0, options.ticksEach).map((item) => {
      const body = setBox(base, `operations.${item}`, true);
      comment.body = body;
      return inRepository(issueCommentEvent("edited", { pr: s.pr, comment: { ...comment, body }, sender: signer, from: base }), {
        installation: s.installation,
      });
    });
  });
  const mark = recorder.mark();
  const deliveries = await deliverAll(app, stream, stream.length);
  const served = recorder.since(mark);
  const writes = served.filter((r) => r.method !== "GET");
  const span = (Math.max(...deliveries.map((d) => d.answeredAt)) - Math.min(...deliveries.map((d) => d.sentAt))) / 1000;
  const allSigned = subjects.every((s) => {
    const signed = new Set(ledgerOn(repo.github, s.pr.head.sha).events.map((e) => e.item));
    return ITEMS.slice(0, options.ticksEach).every((item) => signed.has(item));
  });
  return {
    installations: options.installations,
    ticksEach: options.ticksEach,
    eventsPerSecond: eventsPerSecond(deliveries),
    writesPerSecond: writes.length / span,
    writes: writes.length,
    allSigned,
    stream,
  };
}
