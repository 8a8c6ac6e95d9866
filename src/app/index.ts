/**
 * src/app is the Probot App: handlers/ (one file per webhook family), sync/ (the release sync
 * pipeline) and runtime/ (what lives across events). This file wires them together.
 */
import type { ApplicationFunction, ApplicationFunctionOptions, Context, Probot } from "probot";
import type { RetryPolicy } from "../github/retry-requests.js";
import type { WriteSpacingOptions } from "../github/write-spacing.js";
import { InstallationClients, type OctokitClass } from "./runtime/installation-clients.js";
import { SharedCommentViews } from "./runtime/shared-comment-views.js";
import { Metrics } from "./runtime/metrics.js";
import { metricsServing, serveMetrics, type MetricsServing } from "./runtime/metrics-route.js";
import { countDeliveries, observeDelivery } from "./runtime/observe-delivery.js";
import { onChecklistEdited } from "./handlers/checklist-edited.js";
import { onCheckRunRerequested, onCheckSuiteRerequested, onRequestedAction } from "./handlers/check-run-events.js";
import { onPush } from "./handlers/config-push.js";
import { deploymentProtection } from "./handlers/deployment-protection.js";
import { onMergeGroup } from "./handlers/merge-group.js";
import { startUpSweep } from "./sync/startup-sweep.js";
import { watchExpiry } from "./sync/stale-verdicts.js";
import { onPullRequest, PULL_REQUEST_EVENTS } from "./handlers/pull-request.js";
import { createRuntime, type Runtime, type RuntimeOptions } from "./runtime/runtime.js";
import { EVENT_DEADLINE_MS, withDeadline } from "./runtime/event-deadline.js";
import { syncBatch } from "./sync/release-sync.js";
import { commentWindowFromEnv } from "./runtime/comment-window-env.js";
import { startupSweepFromEnv } from "./runtime/startup-sweep-env.js";
import { onCommandComment, onReviewSubmitted } from "./handlers/signoff-commands.js";
import { connectRedis } from "./runtime/redis-coordination.js";
import { Lifecycle } from "./runtime/lifecycle.js";
import {
  LocalSweepStore,
  PRESUMED_FAILED_AFTER_MS,
  RedeliverySweep,
  RedisSweepStore,
  sweepFromEnv,
  type SweepOptions,
} from "./runtime/redelivery-sweep.js";
import { replicaFromEnv } from "./runtime/replica-env.js";
import type { GitHubClient } from "../github/client.js";
import { observeRequests } from "../github/request-metrics.js";
import { getAppIdentity } from "../github/app-identity.js";
import { errorMessage } from "../github/http-error.js";

export interface GatehouseOptions extends RuntimeOptions {
  retryPolicy?: RetryPolicy;
  writeSpacing?: WriteSpacingOptions;
  metricsServing?: MetricsServing;
  /** How long one event may run before its delivery fails (and may be redelivered). */
  eventDeadlineMs?: number;
  /** Re-evaluate every installation's open release PRs once on start (expiries missed while down). */
  sweepOnStart?: boolean;
  onSweep?: (sweep: Promise<unknown>) => void;
  /** Hands the runtime to an embedder or a test, e.g. to wait for deferred comment re-renders. */
  onRuntime?: (rt: Runtime) => void;
  /** Redis shared by the replicas (Probot's REDIS_URL); without it, this process is the only one. */
  redisUrl?: string;
  /** How long a dead replica's hold on a PR blocks the others (default 5 s). */
  leaseMs?: number;
  /** Runs the redelivery sweep (the `probot run` entry does; embedded tests do not). */
  sweep?: SweepOptions;
  /** Handles SIGTERM: drain within `drainMs`, then exit 0 (the `probot run` entry does). */
  gracefulShutdown?: { drainMs: number };
}

/**
 * Builds the Gatehouse app. Every handler runs at most once per delivery id, so a redelivered
 * webhook is idempotent; work on one PR is serialized inside `syncRelease`.
 */
export function gatehouse(options: GatehouseOptions): ApplicationFunction {
  return async (app: Probot, appOptions?: ApplicationFunctionOptions) => {
    const metrics = new Metrics();
    const redis = options.redisUrl
      ? await connectRedis(options.redisUrl, { ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}), metrics, log: app.log })
      : undefined;
    const clients = new InstallationClients({ ...options, metrics, ...(redis ? { redis: redis.redis } : {}) });
    // Installation clients are built from Probot's client class, as Probot builds its own.
    let octokit: Promise<OctokitClass> | undefined;
    const installationClient = async (id: number) => {
      octokit ??= app.auth().then((client) => client.constructor as OctokitClass);
      return clients.forInstallation(id, await octokit) as unknown as GitHubClient;
    };
    const rt = createRuntime(
      {
        whenIdle: (client) => clients.whenIdle(client),
        onFlushError: (key, error, retry) =>
          app.log.warn(
            `re-rendering the checklist comment of ${key} failed: ${errorMessage(error)}; ${retry ? "it is tried again a window later" : "the PR's next event re-renders it"}`,
          ),
        ...options,
        metrics,
        ...(redis
          ? {
              coordination: redis,
              views: (views) =>
                new SharedCommentViews(redis.redis, {
                  ...views,
                  installations: { of: (client) => clients.installationOf(client), client: installationClient },
                }),
            }
          : {}),
      },
      syncBatch,
    );
    options.onRuntime?.(rt);
    serveMetrics(appOptions, metrics, options.metricsServing ?? {}, app.log);
    countDeliveries(app, metrics);
    // As the App (its JWT): the delivery log and the readiness check, counted like every other request.
    // Probot's throttle is off: clustered on Redis, its Bottleneck never recovers from a Redis 7 that restarted empty.
    const appClient = async () => {
      const Octokit = (await app.auth()).constructor as new (options: Record<string, unknown>) => Context["octokit"];
      return observeRequests(new Octokit({ throttle: { enabled: false } }), metrics, "none") as GitHubClient;
    };
    const lifecycle = new Lifecycle({
      ...(redis ? { redisReachable: redis.reachable } : {}),
      authenticate: async () => void (await getAppIdentity(await appClient())),
      ...(options.gracefulShutdown ? { drainMs: options.gracefulShutdown.drainMs } : {}),
    });
    try {
      appOptions?.addHandler?.(lifecycle.handler);
    } catch {
      // No HTTP server (an embedded app): nothing to probe.
    }
    const sweepStore = redis ? new RedisSweepStore(redis.redis, redis.leases) : new LocalSweepStore();
    const sweep = options.sweep
      ? new RedeliverySweep({ appClient, store: sweepStore, sweep: options.sweep, now: rt.now, metrics, log: app.log })
      : undefined;
    sweep?.start();
    if (options.gracefulShutdown) {
      process.once("SIGTERM", () => {
        app.log.info("SIGTERM: refusing new webhooks, finishing the batches in flight");
        void (async () => {
          await sweep?.stop();
          const outcome = await lifecycle.drain(() => rt.views.settled());
          rt.views.close();
          await redis?.close();
          app.log.info({ outcome }, "Stopped");
          process.exit(0);
        })();
      });
    }
    // Keyed by delivery and handler, so two handlers of one delivery never skip each other.
    const once =
      <C extends Context>(handler: (rt: Runtime, context: C) => Promise<void>) =>
      (context: C) =>
        observeDelivery(metrics, context, handler.name, () =>
          lifecycle.track(async () => {
            try {
              // Until its handler finishes, a delivery counts as failed from PRESUMED_FAILED_AFTER_MS on: a crash after a 202 is recovered too.
              await sweepStore.handlerFailed(context.id, new Date(rt.now().getTime() + PRESUMED_FAILED_AFTER_MS));
              const result = await rt.deliveries.once(`${context.id}:${handler.name}`, () =>
                // One slow event (a huge body, a slow GitHub) fails on its own instead of holding its delivery open.
                withDeadline(`${context.name} ${context.id} (${handler.name})`, options.eventDeadlineMs ?? EVENT_DEADLINE_MS, async () => {
                  context.octokit = clients.for(context);
                  await handler(rt, context);
                }),
              );
              const recovered = await sweepStore.handled(context.id).catch(() => false);
              if (result === "ran" && recovered) metrics.redeliveriesRecovered.inc();
              return result;
            } catch (error) {
              // Probot may have answered 202 already (a slow handler): the sweep redelivers it.
              await sweepStore.handlerFailed(context.id, rt.now()).catch(() => undefined);
              // Fail closed: without Redis nothing is coordinated, so the delivery is refused and redelivered later.
              if (redis && !(await redis.reachable())) {
                throw Object.assign(
                  new Error("Redis (REDIS_URL) is unreachable: the delivery is refused so that it is redelivered.", { cause: error }),
                  { status: 503 },
                );
              }
              throw error;
            }
          }),
        );

    app.on([...PULL_REQUEST_EVENTS], once(onPullRequest));
    app.on("issue_comment.edited", once(onChecklistEdited));
    app.on("issue_comment.created", once(onCommandComment));
    app.on("pull_request_review.submitted", once(onReviewSubmitted));
    app.on("check_run.requested_action", once(onRequestedAction));
    app.on("check_run.rerequested", once(onCheckRunRerequested));
    app.on("check_suite.rerequested", once(onCheckSuiteRerequested));
    app.on("merge_group.checks_requested", once(onMergeGroup));
    app.on("push", once(onPush));
    const deployments = deploymentProtection(rt, app.log);
    app.on("deployment_protection_rule.requested", once(deployments.onRequested));
    rt.onSynced.push(deployments.onSynced);
    rt.onSynced.push(watchExpiry(rt, (message) => app.log.warn(message)));

    if (options.sweepOnStart) {
      const startup = startUpSweep(app, rt, clients, appClient);
      options.onSweep?.(startup);
    }
  };
}

/** The entry `probot run` loads: the App id comes from Probot's standard APP_ID variable. */
const app: ApplicationFunction = (probot, options) =>
  gatehouse({
    appId: Number(process.env.APP_ID),
    metricsServing: metricsServing(process.env),
    sweepOnStart: startupSweepFromEnv(process.env.GATEHOUSE_STARTUP_SWEEP),
    ...commentWindowFromEnv(process.env.GATEHOUSE_COMMENT_WINDOW_SECONDS),
    ...replicaFromEnv(process.env),
    sweep: sweepFromEnv(process.env),
  })(probot, options);
export default app;
