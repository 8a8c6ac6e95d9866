import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
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

/**
 * Adds `/metrics` to Probot's HTTP server. An app loaded into a bare Probot (no server, as in
 * tests that call probot.receive) has nowhere to serve it; Probot says so by throwing.
 */
export function serveMetrics(appOptions: Partial<ApplicationFunctionOptions> | undefined, metrics: Metrics, token: string | undefined): boolean {
  try {
    appOptions?.addHandler?.(metricsHandler(metrics, token));
    return appOptions?.addHandler !== undefined;
  } catch {
    return false;
  }
}

function bearer(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1] ?? "";
}

/** Hashing first gives both sides the same length, which timingSafeEqual requires. */
function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
