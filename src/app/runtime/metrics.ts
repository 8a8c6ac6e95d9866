import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { evaluate } from "../../core/evaluate/evaluate.js";
import type { Checklist } from "../../core/config/checklist-schema.js";
import type { RepoConfig } from "../../core/config/config-schema.js";
import type { Ledger, LedgerEvent } from "../../core/ledger/ledger.js";
import type { Verdict } from "../../core/evaluate/verdict.js";
import type { PullRequestInfo } from "../../github/pull-requests.js";
import type { ObservedRequest, RequestObserver } from "../../github/request-metrics.js";

/** How often the event-loop lag is sampled (see the constructor of Metrics). */
const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * Keeps a label's values bounded: the first `max` distinct values are kept, every later one is
 * "other". Installation ids, gate ids and route templates come from outside the code, so a
 * label built from them must not grow with the number of customers or configs.
 */
export class CappedLabel {
  readonly #seen = new Set<string>();

  constructor(
    private readonly max: number,
    private readonly valid: RegExp = /^[\w./{}:-]{1,100}$/,
  ) {}

  value(raw: string | number | undefined): string {
    const v = String(raw ?? "none");
    // Only valid values are ever kept, so a known one skips the pattern (several labels a request).
    if (this.#seen.has(v)) return v;
    if (!this.valid.test(v)) return "other";
    if (this.#seen.size >= this.max) return "other";
    this.#seen.add(v);
    return v;
  }
}

export type WebhookOutcome = "handled" | "ignored" | "error" | "duplicate";
export type DeploymentDecision = "approved" | "rejected" | "held";

/** The rate limit GitHub last reported for one installation and resource. */
type RateLimitSeen = { remaining: number; limit: number };

const SECONDS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Gatehouse's Prometheus metrics, in a registry of their own per app instance (never the global
 * default), so two apps in one process and every test get their own counters. No label carries a
 * PR number, a SHA or a login; installations, gates and routes are capped (see CappedLabel).
 */
export class Metrics implements RequestObserver {
  readonly registry = new Registry();
  readonly #installations = new CappedLabel(100, /^\d{1,20}$|^none$/);
  readonly #gates = new CappedLabel(50, /^[\w-]{1,64}$/);
  readonly #routes = new CappedLabel(150);
  readonly #events = new CappedLabel(60, /^[a-z_]{1,50}$/);
  readonly #actions = new CappedLabel(80, /^[a-z_]{1,50}$|^none$/);

  readonly webhooksReceived = this.#counter(
    "gatehouse_webhooks_received_total",
    "Webhook deliveries received (signature verified), by event and action.",
    ["event", "action"],
  );
  readonly webhooksHandled = this.#counter(
    "gatehouse_webhooks_handled_total",
    "Webhook deliveries by outcome: handled, ignored (no handler subscribes), error, duplicate (redelivery of a delivery already handled).",
    ["event", "action", "outcome"],
  );
  readonly webhookSeconds = this.#histogram(
    "gatehouse_webhook_handling_seconds",
    "Time a handler took for one delivery, including waiting for its PR's batch to be written.",
    ["event", "action", "outcome"],
  );
  readonly githubRequests = this.#counter(
    "gatehouse_github_requests_total",
    "GitHub API requests by route template, method and status class (2xx, 3xx, 4xx, 5xx, or 'network' when no response came).",
    ["route", "method", "status_class"],
  );
  readonly githubSeconds = this.#histogram(
    "gatehouse_github_request_seconds",
    "GitHub API request latency, one attempt each (an installation's retried request is observed once per attempt).",
    ["route", "method"],
  );
  readonly githubRetries = this.#counter(
    "gatehouse_github_retries_total",
    "Retried GitHub requests: server_error (5xx or no answer, retried after 1, 4 and 9 s) and secondary_rate_limit (Gatehouse waits for retry-after).",
    ["reason"],
  );
  readonly secondaryWaits = this.#counter(
    "gatehouse_github_secondary_rate_limit_waits_total",
    "Times Gatehouse waited out a GitHub secondary rate limit, by installation.",
    ["installation"],
  );
  readonly secondaryWaitSeconds = this.#counter(
    "gatehouse_github_secondary_rate_limit_wait_seconds_total",
    "Seconds spent waiting out secondary rate limits, by installation.",
    ["installation"],
  );
  /**
   * The rate limit GitHub last reported, by installation label and resource. Every request reports
   * it, and a scrape reads only the last value: so it is kept here and set on the gauges when
   * scraped, not on every request (two label lookups a request, in prom-client).
   */
  readonly #rateLimits = new Map<string, Map<string, RateLimitSeen>>();
  readonly rateLimitRemaining = this.#gauge(
    "gatehouse_github_rate_limit_remaining",
    "Requests left in the current rate-limit window, as GitHub last reported (x-ratelimit-remaining).",
    ["installation", "resource"],
    (gauge) => this.#eachRateLimit((labels, r) => gauge.set(labels, r.remaining)),
  );
  readonly rateLimitLimit = this.#gauge(
    "gatehouse_github_rate_limit_limit",
    "The rate-limit window's size, as GitHub last reported (x-ratelimit-limit).",
    ["installation", "resource"],
    (gauge) => this.#eachRateLimit((labels, r) => gauge.set(labels, r.limit)),
  );
  readonly signoffs = this.#counter("gatehouse_signoffs_total", "Sign-offs recorded in a ledger (written to GitHub), by gate.", ["gate"]);
  readonly revokes = this.#counter("gatehouse_revokes_total", "Revokes recorded in a ledger, by gate.", ["gate"]);
  readonly invalidations = this.#counter("gatehouse_invalidations_total", "Sign-offs invalidated by a push, by gate.", ["gate"]);
  readonly revertedTicks = this.#counter(
    "gatehouse_reverted_ticks_total",
    "Ticks or unticks in the checklist comment that were not counted and are reverted by the re-render, by gate.",
    ["gate"],
  );
  readonly verdictTransitions = this.#counter(
    "gatehouse_verdict_transitions_total",
    "Release PR verdict changes written to the check run (e.g. pending → approved).",
    ["from", "to"],
  );
  readonly batchSize = new Histogram({
    name: "gatehouse_sync_batch_size",
    help: "Events per group-committed batch of one PR (one load and one write per batch).",
    buckets: [1, 2, 3, 5, 8, 13, 21, 50],
    registers: [this.registry],
  });
  /** Writes waiting per installation label; set on the gauge when scraped, like the rate limits. */
  readonly #queued = new Map<string, number>();
  readonly writeQueueDepth = this.#gauge(
    "gatehouse_write_spacing_queue_depth",
    "GitHub writes waiting for their installation's turn in the write spacing.",
    ["installation"],
    (gauge) => {
      for (const [installation, depth] of this.#queued) gauge.set({ installation }, depth);
    },
  );
  readonly redisErrors = this.#counter(
    "gatehouse_redis_errors_total",
    "Errors of the Redis connection (REDIS_URL): while Redis is unreachable, webhooks are refused with 503.",
    [],
  );
  readonly redeliveriesRequested = this.#counter(
    "gatehouse_redeliveries_requested_total",
    "Webhook deliveries the redelivery sweep asked GitHub to redeliver, by why: failed (GitHub saw no 2xx) or handler_failed (answered, then the handler failed).",
    ["reason"],
  );
  readonly redeliveriesRecovered = this.#counter(
    "gatehouse_redeliveries_recovered_total",
    "Redelivered webhooks (asked for by the sweep) that were then handled.",
    [],
  );
  readonly redeliverySweepErrors = this.#counter(
    "gatehouse_redelivery_sweep_errors_total",
    "Redelivery sweeps that failed (listing deliveries or asking for a redelivery).",
    [],
  );
  readonly deploymentDecisions = this.#counter(
    "gatehouse_deployment_decisions_total",
    "Deployment protection answers: approved, rejected, or held (a pending status report).",
    ["decision"],
  );

  constructor() {
    // The event-loop lag histogram samples on a libuv timer: prom-client's default 10 ms wakes an idle
    // process 100 times a second (about 6 ms of CPU a second here). 10 samples a second still give
    // the p50 and p99 the runbook reads, at a tenth of the wake-ups.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  }

  /** A verified webhook delivery arrived (every delivery, handled or not). */
  received(event: string, action: string | undefined): void {
    this.webhooksReceived.inc({ event: this.#events.value(event), action: this.#actions.value(action) });
  }

  handled(event: string, action: string | undefined, outcome: WebhookOutcome, seconds?: number): void {
    const labels = { event: this.#events.value(event), action: this.#actions.value(action), outcome };
    this.webhooksHandled.inc(labels);
    if (seconds !== undefined) this.webhookSeconds.observe(labels, seconds);
  }

  request(installation: string, r: ObservedRequest): void {
    const route = this.#routes.value(r.route || "none");
    const method = /^[A-Z]{3,7}$/.test(r.method) ? r.method : "other";
    this.githubRequests.inc({
      route,
      method,
      status_class: r.status >= 100 && r.status < 600 ? `${Math.floor(r.status / 100)}xx` : "network",
    });
    this.githubSeconds.observe({ route, method }, r.seconds);
    if (r.retries > 0) this.githubRetries.inc({ reason: "server_error" }, r.retries);
    if (r.rateLimit) {
      const key = this.#installations.value(installation);
      const resources = this.#rateLimits.get(key) ?? new Map<string, RateLimitSeen>();
      this.#rateLimits.set(key, resources);
      resources.set(r.rateLimit.resource, { remaining: r.rateLimit.remaining, limit: r.rateLimit.limit });
    }
  }

  secondaryWait = (installation: string, seconds: number): void => {
    const labels = { installation: this.#installations.value(installation) };
    this.githubRetries.inc({ reason: "secondary_rate_limit" });
    this.secondaryWaits.inc(labels);
    this.secondaryWaitSeconds.inc(labels, seconds);
  };

  /** Gatehouse's clients retry server errors themselves (Probot's own clients count theirs in `request`). */
  serverErrorRetry = (): void => {
    this.githubRetries.inc({ reason: "server_error" });
  };

  writeQueue = (installation: string, delta: 1 | -1): void => {
    const key = this.#installations.value(installation);
    this.#queued.set(key, (this.#queued.get(key) ?? 0) + delta);
  };

  #eachRateLimit(set: (labels: { installation: string; resource: string }, r: RateLimitSeen) => void): void {
    for (const [installation, resources] of this.#rateLimits) for (const [resource, r] of resources) set({ installation, resource }, r);
  }

  /**
   * Passes a change through, counting the ticks and unticks it refused: the re-render reverts
   * them. Counted when the change is built, inside the PR's batch, before the write.
   */
  countReverted = <C extends { results: { request: { gate: string; method: string }; accepted: boolean }[] }>(change: C): C => {
    for (const r of change.results)
      if (!r.accepted && r.request.method === "tick") this.revertedTicks.inc({ gate: this.#gates.value(r.request.gate) });
    return change;
  };

  /**
   * A release PR's check run was written: count what the ledger gained and whether the verdict
   * changed. The verdict before is evaluated from the ledger as it was loaded (before carry-over),
   * so a push that invalidates an approval counts as approved → pending.
   */
  synced(input: {
    before: Ledger;
    after: Ledger;
    verdict: Verdict;
    config: RepoConfig;
    checklist: Checklist;
    pr: PullRequestInfo;
    now: Date;
    /** What `before` evaluates to, when the caller already knows it (saves evaluating it again). */
    beforeStatus?: Verdict["status"];
  }): void {
    const added: LedgerEvent[] = input.after.events.slice(input.before.events.length);
    for (const event of added) {
      const gate = { gate: this.#gates.value(event.gate) };
      if (event.kind === "signoff") this.signoffs.inc(gate);
      else if (event.kind === "revoke") this.revokes.inc(gate);
      else if (event.kind === "invalidate") this.invalidations.inc(gate);
      // Pushes, label changes, expiries and re-evaluations are records about the PR, not gate decisions.
    }
    const { before, verdict, config, checklist, pr, now } = input;
    const previous = input.beforeStatus ?? evaluate({ checklist, config, ledger: before, pr, now }).status;
    if (previous !== verdict.status) this.verdictTransitions.inc({ from: previous, to: verdict.status });
  }

  deployment(decision: DeploymentDecision): void {
    this.deploymentDecisions.inc({ decision });
  }

  #counter<L extends string>(name: string, help: string, labelNames: L[]) {
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  #gauge<L extends string>(name: string, help: string, labelNames: L[], collect?: (gauge: Gauge<L>) => void) {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect
        ? {
            collect: function (this: Gauge<L>) {
              collect(this);
            },
          }
        : {}),
    });
  }

  #histogram<L extends string>(name: string, help: string, labelNames: L[]) {
    return new Histogram<L>({ name, help, labelNames, buckets: SECONDS_BUCKETS, registers: [this.registry] });
  }
}
