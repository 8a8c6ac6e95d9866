/**
 * src/app is the Probot App: handlers/ (one file per webhook family), sync/ (the release sync
 * pipeline) and runtime/ (what lives across events). This file wires them together.
 */
import type { ApplicationFunction, ApplicationFunctionOptions, Context, Probot } from "probot";
import type { RetryPolicy } from "../github/secondary-rate-limit.js";
import type { WriteSpacingOptions } from "../github/write-spacing.js";
import { InstallationClients } from "./runtime/installation-clients.js";
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
}

/**
 * Builds the Gatehouse app. Every handler runs at most once per delivery id, so a redelivered
 * webhook is idempotent; work on one PR is serialized inside `syncRelease`.
 */
export function gatehouse(options: GatehouseOptions): ApplicationFunction {
  return (app: Probot, appOptions?: ApplicationFunctionOptions) => {
    const metrics = new Metrics();
    const clients = new InstallationClients({ ...options, metrics });
    const rt = createRuntime({ whenIdle: (client) => clients.whenIdle(client), ...options, metrics }, syncBatch);
    options.onRuntime?.(rt);
    serveMetrics(appOptions, metrics, options.metricsServing ?? {}, app.log);
    countDeliveries(app, metrics);
    // Keyed by delivery and handler, so two handlers of one delivery never skip each other.
    const once =
      <C extends Context>(handler: (rt: Runtime, context: C) => Promise<void>) =>
      (context: C) =>
        observeDelivery(metrics, context, handler.name, () =>
          rt.deliveries.once(`${context.id}:${handler.name}`, () =>
            // One slow event (a huge body, a slow GitHub) fails on its own instead of holding its delivery open.
            withDeadline(`${context.name} ${context.id} (${handler.name})`, options.eventDeadlineMs ?? EVENT_DEADLINE_MS, async () => {
              context.octokit = clients.for(context);
              await handler(rt, context);
            }),
          ),
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
      const sweep = startUpSweep(app, rt, clients);
      options.onSweep?.(sweep);
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
  })(probot, options);
export default app;
