import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ApplicationFunctionOptions } from "probot";
import type { Metrics } from "./metrics.js";

export const METRICS_PATH = "/metrics";

/**
 * `GET /metrics` on Probot's server, in the Prometheus text format. With a token, a scrape must
 * send `Authorization: Bearer <token>`; the comparison takes the same time whatever the guess.
 * Any other path falls through to Probot's other handlers.
 */
export function metricsHandler(metrics: Metrics, token: string | undefined) {
  const expected = token ? digest(token) : undefined;
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== METRICS_PATH) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    if (expected && !timingSafeEqual(digest(bearer(req.headers.authorization)), expected)) {
      res.writeHead(401, { "www-authenticate": 'Bearer realm="gatehouse-metrics"' }).end();
      return true;
    }
    const body = await metrics.registry.metrics();
    res.writeHead(200, { "content-type": metrics.registry.contentType });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}

export interface MetricsServing {
  /** Bearer token a scrape must send. */
  token?: string;
  /** Serve on a listener of its own (recommended); otherwise on Probot's port. */
  port?: number;
  host?: string;
}

/**
 * Serves `/metrics`. With a port, on a listener of its own, which Probot's access log never sees
 * and which need not be reachable from the internet the way the webhook port is. Without one, on
 * Probot's server (an app loaded into a bare Probot, as in tests calling probot.receive, has none:
 * Probot says so by throwing). A token needs the own listener: Probot's access log writes every
 * request header, Authorization included, so a token sent to Probot's port would end up in the logs.
 */
export function serveMetrics(
  appOptions: Partial<ApplicationFunctionOptions> | undefined,
  metrics: Metrics,
  serving: MetricsServing,
  log: { info(msg: string): void; error(msg: string): void },
): Server | undefined {
  const handler = metricsHandler(metrics, serving.token);
  if (serving.port !== undefined) {
    const server = createServer((req, res) => {
      void handler(req, res).then((served) => served || res.writeHead(404).end());
    });
    server.on("error", (error) => log.error(`metrics listener on port ${serving.port}: ${error.message}`));
    server.listen(serving.port, serving.host ?? "0.0.0.0", () =>
      log.info(`Metrics on http://${serving.host ?? "0.0.0.0"}:${(server.address() as AddressInfo).port}${METRICS_PATH}`),
    );
    // Never keeps the process alive on its own.
    server.unref();
    return server;
  }
  if (serving.token) {
    throw new Error(
      "METRICS_TOKEN needs METRICS_PORT: Probot's access log records request headers, so a token sent to Probot's port would be written to the logs. Set METRICS_PORT (e.g. 9464) to serve /metrics on a listener of its own.",
    );
  }
  try {
    appOptions?.addHandler?.(handler);
  } catch {
    // No HTTP server: nothing to serve /metrics on.
  }
  return undefined;
}

function bearer(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1] ?? "";
}

/** Hashing first gives both sides the same length, which timingSafeEqual requires. */
function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** METRICS_PORT, METRICS_HOST and METRICS_TOKEN; a port that is not a number stops the start. */
export function metricsServing(env: NodeJS.ProcessEnv): MetricsServing {
  const port = env.METRICS_PORT?.trim();
  if (port && !/^\d{1,5}$/.test(port)) throw new Error(`METRICS_PORT must be a port number, got "${port}".`);
  return {
    ...(port ? { port: Number(port) } : {}),
    ...(env.METRICS_HOST ? { host: env.METRICS_HOST } : {}),
    ...(env.METRICS_TOKEN ? { token: env.METRICS_TOKEN } : {}),
  };
}
