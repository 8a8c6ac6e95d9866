import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { GitHubStandIn, StandInRequest } from "./github-stand-in.js";

/** One request as the server answered it, with when it arrived and when its response went out. */
export interface ServedRequest {
  method: string;
  path: string;
  status: number;
  body: unknown;
  /** performance.now() when the request had been read, and when its response was written. */
  startedAt: number;
  endedAt: number;
  /** The stand-in that served it. */
  standIn: GitHubStandIn;
}

/** Milliseconds added before each response: a constant, or chosen per request. */
export type Latency = number | ((req: StandInRequest) => number);

export interface ServeOptions {
  /** Added before every response (kept for existing callers; `latency` is the general form). */
  latencyMs?: number;
  latency?: Latency;
  /** Called after each response is written (for timing and per-event counts). */
  onServed?: (served: ServedRequest) => void;
}

export interface StandInServer {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Changes the latency of requests that arrive from now on. */
  setLatency(latency: Latency): void;
}

/** Serves the stand-in over HTTP on 127.0.0.1, for tests that run real processes. */
export async function serveStandIn(standIn: GitHubStandIn, options: ServeOptions = {}): Promise<StandInServer> {
  return serveStandIns([standIn], options);
}

/**
 * Serves several stand-ins, one repository each, on one port: `/repos/{owner}/{repo}/…` goes to
 * the stand-in of that repository, everything else (installation tokens, team memberships, repos
 * nobody stands in for) to the first. Each stand-in's `fault` and `hold` hooks apply to what it serves.
 */
export async function serveStandIns(standIns: GitHubStandIn[], options: ServeOptions = {}): Promise<StandInServer> {
  if (standIns.length === 0) throw new Error("serveStandIns needs at least one stand-in");
  let latency: Latency = options.latency ?? options.latencyMs ?? 0;
  const byRepo = new Map(standIns.map((s) => [`${s.owner}/${s.repo}`.toLowerCase(), s]));
  const route = (path: string): GitHubStandIn => {
    const match = /^(?:\/api\/v3)?\/repos\/([^/?]+)\/([^/?]+)/.exec(path);
    return (match && byRepo.get(`${match[1]}/${match[2]}`.toLowerCase())) || standIns[0]!;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const startedAt = performance.now();
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const request: StandInRequest = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body };
      const standIn = route(request.path);
      const respond = () => {
        const response = standIn.handle(request);
        const payload = typeof response.body === "string" ? response.body : JSON.stringify(response.body ?? {});
        res.writeHead(response.status, { "content-type": "application/json; charset=utf-8", ...response.headers });
        res.end(payload);
        options.onServed?.({
          method: request.method,
          path: request.path,
          status: response.status,
          body,
          startedAt,
          endedAt: performance.now(),
          standIn,
        });
      };
      const delay = typeof latency === "function" ? latency(request) : latency;
      const afterDelay = () => {
        const held = standIn.hold?.(request);
        if (held) void held.then(respond, respond);
        else respond();
      };
      if (delay > 0) setTimeout(afterDelay, delay);
      else afterDelay();
    });
  });
  // Many concurrent webhooks and API calls: do not let Node's defaults queue or drop connections.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1", backlog: 1024 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setLatency: (next) => {
      latency = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
