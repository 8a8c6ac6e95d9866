import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { GitHubStandIn } from "./github-stand-in.js";

/** Serves the stand-in over HTTP on 127.0.0.1, for tests that run real processes. */
export async function serveStandIn(standIn: GitHubStandIn, options: { latencyMs?: number } = {}): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const respond = () => {
        const response = standIn.handle({ method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body });
        const payload = typeof response.body === "string" ? response.body : JSON.stringify(response.body ?? {});
        res.writeHead(response.status, { "content-type": "application/json; charset=utf-8", ...response.headers });
        res.end(payload);
      };
      if (options.latencyMs) setTimeout(respond, options.latencyMs);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
