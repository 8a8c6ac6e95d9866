import type { ApplicationFunction, Context, Probot } from "probot";
import { retrySecondaryRateLimits, type RetryPolicy } from "../github/secondary-rate-limit.js";
import { spaceWrites, WriteSpacing, type WriteSpacingOptions } from "../github/write-spacing.js";
import { onChecklistEdited } from "./checklist-edited.js";
import { onCheckRunRerequested, onCheckSuiteRerequested, onRequestedAction } from "./check-run-events.js";
import { onPush } from "./config-push.js";
import { deploymentProtection } from "./deployment-protection.js";
import { onMergeGroup } from "./merge-group.js";
import { onPullRequest, PULL_REQUEST_EVENTS } from "./pull-request.js";
import { createRuntime, type Runtime, type RuntimeOptions } from "./runtime.js";
import { onCommandComment, onReviewSubmitted } from "./signoff-commands.js";

/**
 * Builds the Gatehouse app. Every handler runs at most once per delivery id, so a redelivered
 * webhook is idempotent; work on one PR is serialized inside `syncRelease`.
 */
export function gatehouse(options: RuntimeOptions & { retryPolicy?: RetryPolicy; writeSpacing?: WriteSpacingOptions }): ApplicationFunction {
  return (app: Probot) => {
    const rt = createRuntime(options);
    const spacing = new WriteSpacing(options.writeSpacing);
    // Keyed by delivery and handler, so two handlers of one delivery never skip each other.
    const once =
      <C extends Context>(handler: (rt: Runtime, context: C) => Promise<void>) =>
      (context: C) =>
        rt.deliveries
          .once(`${context.id}:${handler.name}`, async () => {
            context.octokit = await installationOctokit(context, spacing, options.retryPolicy);
            await handler(rt, context);
          })
          .then(() => undefined);

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
  };
}

/**
 * The Octokit Probot hands to handlers shares one write limiter across every installation, and
 * Probot's limiter spaces every write a full second (three for comments), so one event's two
 * writes take over a second and one customer's burst slows all others. Gatehouse writes through
 * its own client per installation instead: Probot's throttle off, writes spaced by the
 * installation's token bucket, secondary rate limits retried after retry-after.
 */
async function installationOctokit(context: Context, spacing: WriteSpacing, policy?: RetryPolicy): Promise<Context["octokit"]> {
  const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
  if (!installation) return retrySecondaryRateLimits(context.octokit, policy);
  // Same class and defaults as Probot's own clients (app credentials, token cache, GHE base URL, retries).
  const Octokit = context.octokit.constructor as new (options: Record<string, unknown>) => Context["octokit"];
  const octokit = new Octokit({ auth: { installationId: installation }, throttle: { enabled: false }, log: context.log });
  return retrySecondaryRateLimits(spaceWrites(octokit, spacing, String(installation)), policy);
}

/** The entry `probot run` loads: the App id comes from Probot's standard APP_ID variable. */
const app: ApplicationFunction = (probot, options) => gatehouse({ appId: Number(process.env.APP_ID) })(probot, options);
export default app;
