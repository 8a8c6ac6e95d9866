import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";

export interface RedisServer {
  url: string;
  port: number;
  /** The redis-server process (e.g. to read its CPU time). */
  pid: number;
  stop(): Promise<void>;
}

/** Debian's redis-server, as `.ci/run` installs it. */
export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? "redis-server";

/** Starts a throwaway redis-server on a free 127.0.0.1 port (or `port`, to bring one back), persistence off; stop() ends it. */
export async function startRedis(options: { port?: number } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn(REDIS_SERVER, ["--save", "", "--appendonly", "no", "--port", String(port), "--bind", "127.0.0.1"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const spawnError = new Promise<never>((_, reject) =>
    child.once("error", (e) => reject(new Error(`cannot start ${REDIS_SERVER} (apt-get install redis-server): ${e.message}`))),
  );
  const deadline = Date.now() + 10_000;
  while (!/Ready to accept connections/i.test(output)) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`redis-server did not start within 10 s:\n${output}`);
    await Promise.race([new Promise((r) => setTimeout(r, 20)), spawnError]);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
