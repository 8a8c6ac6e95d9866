import { issueCommentEvent, pullRequestEvent } from "../test/fixtures/webhooks.js";
import type { AppProcess, WebhookEvent } from "../test/support/app-process.js";
import { checklistComment, inRepository, ledgerOn, setBox, tickableItems } from "../test/support/release-repo.js";
import type { BenchRepo, Subject } from "./bench-repo.js";
import { deliverAll, eventsPerSecond, median, until } from "./delivery-stream.js";
import { countReadsWrites, type RequestRecorder } from "./request-recorder.js";
import { roundRobin } from "./round-robin.js";
import { cpuMs } from "./write-economy.js";

/** One way of running the App: a process without Redis, or replicas sharing one Redis. */
export interface ReplicaSetup {
  label: string;
  redis: boolean;
  replicas: AppProcess[];
  /** The redis-server's pid, whose CPU counts with the setup's (coordination is work too). */
  redisPid?: number;
}

export interface SetupThroughput {
  label: string;
  redis: boolean;
  replicas: number;
  /** Events/s of each pass, in the order run. */
  passes: number[];
  /** The median pass. */
  eventsPerSecond: number;
  /** API calls per tick over the passes, the deferred comment re-renders included. */
  readsPerEvent: number;
  writesPerEvent: number;
  /** CPU time of the setup's processes (its replicas, and Redis) per tick, from a pass's first delivery until its re-renders settled. */
  cpuMsPerEvent: number;
  /** Every tick of every round is in its PR's ledger. */
  allSigned: boolean;
  /** After every pass, every comment showed the pass's tick signed (the deferred re-render happened). */
  commentsShowAll: boolean;
}

export interface ThroughputMeasurement {
  events: number;
  concurrency: number;
  setups: SetupThroughput[];
  /** A pass of the first setup, for the floor. */
  stream: WebhookEvent[];
}

/** Preparation is not measured: open every PR at once. */
const PREPARE_CONCURRENCY = 64;
/** A pass's comment re-renders come after the comment window (2 s): wait for them, then this long without writes. */
const SETTLE_MS = 500;
const VIEWS_DEADLINE_MS = 15_000;
/** One item per round, each signed by an owner of its own gate. */
const ITEMS = tickableItems();

/** A setup's release PRs, one per installation, and the round of ticks they are at. */
class TickedPulls {
  round = 0;
  commentsShowAll = true;
  readonly passes: number[] = [];
  readonly calls = { reads: 0, writes: 0, ticks: 0, cpuMs: 0 };

  constructor(
    readonly setup: ReplicaSetup,
    readonly subjects: Subject[],
  ) {}

  /** The next round: one tick per PR, each an edit of the comment as GitHub holds it, as a browser sends it. */
  next(repo: BenchRepo): { events: WebhookEvent[]; ref: string; start: number } {
    const item = ITEMS[this.round]!;
    const events = this.subjects.map((s) => {
      const comment = checklistComment(repo.github, s.pr.number);
      const from = comment.body;
      const body = setBox(from, item.ref, true);
      comment.body = body;
      return inRepository(issueCommentEvent("edited", { pr: s.pr, comment: { ...comment, body }, sender: item.owner, from }), {
        installation: s.installation,
      });
    });
    return { events, ref: item.ref, start: this.round++ };
  }
}

/**
 * The same owner-tick stream for each setup: `events` release PRs, each in its own installation
 * (so write spacing never links two ticks), ticked once a pass, `concurrency` in flight, sent
 * round-robin over the setup's replicas. Setups take turns pass by pass, so a slow spell of the
 * machine falls on all of them; each reports the median of `passes`.
 */
export async function measureReplicaThroughput(
  repo: BenchRepo,
  recorder: RequestRecorder,
  setups: ReplicaSetup[],
  options: { events: number; concurrency: number; passes: number },
): Promise<ThroughputMeasurement> {
  const sets: TickedPulls[] = [];
  for (const setup of setups) sets.push(await prepare(repo, setup, options.events));
  await recorder.untilIdle();

  let stream: WebhookEvent[] | undefined;
  for (let pass = 0; pass < options.passes; pass++) {
    for (const set of sets) {
      const { events, ref, start } = set.next(repo);
      stream ??= events;
      const mark = recorder.mark();
      const cpuBefore = setupCpuMs(set.setup);
      const deliveries = await deliverAll(roundRobin(set.setup.replicas, start), events, options.concurrency);
      set.passes.push(eventsPerSecond(deliveries));
      // The re-renders land after the answers: let them finish before the next pass, counted with this one.
      const shown = await until(() => set.subjects.every((s) => repo.commentShowsSigned(s.pr.number, ref)), VIEWS_DEADLINE_MS);
      set.commentsShowAll &&= shown;
      await recorder.untilIdle(SETTLE_MS);
      const { reads, writes } = countReadsWrites(recorder.since(mark));
      set.calls.reads += reads;
      set.calls.writes += writes;
      set.calls.ticks += events.length;
      set.calls.cpuMs += setupCpuMs(set.setup) - cpuBefore;
    }
  }

  return {
    events: options.events,
    concurrency: options.concurrency,
    setups: sets.map((set) => ({
      label: set.setup.label,
      redis: set.setup.redis,
      replicas: set.setup.replicas.length,
      passes: set.passes,
      eventsPerSecond: median(set.passes),
      readsPerEvent: set.calls.reads / set.calls.ticks,
      writesPerEvent: set.calls.writes / set.calls.ticks,
      cpuMsPerEvent: set.calls.cpuMs / set.calls.ticks,
      allSigned: set.subjects.every((s) => {
        const signed = new Set(ledgerOn(repo.github, s.pr.head.sha).events.map((e) => `${e.gate}.${e.item}`));
        return ITEMS.slice(0, set.round).every((i) => signed.has(i.ref));
      }),
      commentsShowAll: set.commentsShowAll,
    })),
    stream: stream ?? [],
  };
}

function setupCpuMs(setup: ReplicaSetup): number {
  const pids = [...setup.replicas.map((r) => r.pid), ...(setup.redisPid === undefined ? [] : [setup.redisPid])];
  return pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
}

/**
 * Opens the setup's PRs through its replicas, then ticks every PR once on each replica, so every
 * replica has the installation tokens, config and team memberships cached, as in a fleet that
 * has been running for a while.
 */
async function prepare(repo: BenchRepo, setup: ReplicaSetup, events: number): Promise<TickedPulls> {
  const subjects = Array.from({ length: events }, () => repo.pull({ release: true }));
  await deliverAll(
    roundRobin(setup.replicas),
    subjects.map((s) => inRepository(pullRequestEvent("opened", s.pr), { installation: s.installation })),
    PREPARE_CONCURRENCY,
  );
  const set = new TickedPulls(setup, subjects);
  for (const _replica of setup.replicas) {
    const { events: ticks, start } = set.next(repo);
    await deliverAll(roundRobin(setup.replicas, start), ticks, PREPARE_CONCURRENCY);
  }
  return set;
}
