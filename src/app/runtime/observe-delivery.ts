import type { Context, Probot } from "probot";
import type { Metrics } from "./metrics.js";

interface DeliveryPayload {
  action?: string;
  repository?: { full_name?: string };
  installation?: { id?: number };
  pull_request?: { number?: number };
  issue?: { number?: number; pull_request?: unknown };
  check_run?: { pull_requests?: { number?: number }[] };
  check_suite?: { pull_requests?: { number?: number }[] };
  pull_requests?: { number?: number }[];
}

/** What every log line of one delivery carries: which delivery, event, repository and PR. */
export function deliveryFields(context: Pick<Context, "id" | "name" | "payload">): Record<string, string | number> {
  const p = context.payload as DeliveryPayload;
  const pr =
    p.pull_request?.number ??
    (p.issue?.pull_request ? p.issue.number : undefined) ??
    p.check_run?.pull_requests?.[0]?.number ??
    p.check_suite?.pull_requests?.[0]?.number ??
    p.pull_requests?.[0]?.number;
  return {
    delivery: context.id,
    event: context.name,
    ...(p.action ? { action: p.action } : {}),
    ...(p.repository?.full_name ? { repository: p.repository.full_name } : {}),
    ...(p.installation?.id ? { installation: p.installation.id } : {}),
    ...(pr !== undefined ? { pr } : {}),
  };
}

/**
 * Runs one handler for one delivery with a child logger that names the delivery (handlers log
 * through `context.log`), then logs and counts the outcome and how long it took. Errors are
 * rethrown: Probot answers GitHub with a 500, so the delivery shows as failed in the App's
 * settings and can be redelivered.
 */
export async function observeDelivery<C extends Context>(
  metrics: Metrics,
  context: C,
  handler: string,
  run: () => Promise<"ran" | "duplicate">,
): Promise<void> {
  const parent = lazyChild(context, handler);
  const action = (context.payload as DeliveryPayload).action;
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const result = await run();
    const outcome = result === "duplicate" ? "duplicate" : "handled";
    metrics.handled(context.name, action, outcome, seconds());
    if (parent.isLevelEnabled("info")) context.log.info({ outcome, ms: Math.round(seconds() * 1000) }, `${handler}: ${outcome}`);
  } catch (error) {
    metrics.handled(context.name, action, "error", seconds());
    context.log.error({ outcome: "error", ms: Math.round(seconds() * 1000) }, `${handler}: error: ${(error as Error).message}`);
    throw error;
  }
}

/**
 * Makes `context.log` the delivery's child logger, built when first used: most deliveries log
 * nothing at the shipped level (info lines are off below it), and building a pino child serializes
 * its fields. Assigning `context.log` still replaces it. Returns the logger it stands in for.
 */
function lazyChild(context: Context, handler: string): Context["log"] {
  const parent = context.log;
  let child: Context["log"] | undefined;
  Object.defineProperty(context, "log", {
    configurable: true,
    enumerable: true,
    get: () => (child ??= parent.child({ ...deliveryFields(context), handler })),
    set: (replacement: Context["log"]) => {
      child = replacement;
    },
  });
  return parent;
}

/**
 * Counts every verified delivery, and as "ignored" the ones no Gatehouse handler subscribes to
 * (GitHub sends every action of a subscribed event). Records the names passed to `app.on` so
 * the list never drifts from the handlers index.ts registers.
 */
export function countDeliveries(app: Probot, metrics: Metrics): void {
  const subscribed = new Set<string>();
  const on = app.on.bind(app) as (names: string | readonly string[], handler: unknown) => void;
  (app as { on: unknown }).on = (names: string | readonly string[], handler: unknown) => {
    for (const name of typeof names === "string" ? [names] : names) subscribed.add(name);
    on(names, handler);
  };
  app.onAny((event) => {
    const context = event as unknown as Context;
    const action = (context.payload as DeliveryPayload).action;
    metrics.received(context.name, action);
    if (!subscribed.has(context.name) && !(action && subscribed.has(`${context.name}.${action}`))) {
      metrics.handled(context.name, action, "ignored");
      context.log.child(deliveryFields(context)).debug("no handler subscribes: ignored");
    }
  });
}
