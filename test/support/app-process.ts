import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, from test/support/ or from a bundle under lib/. */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const PROBOT_BIN = join(ROOT, "node_modules/probot/bin/probot.js");
/** What `npm start` runs once `npm run build` has written lib/. */
export const APP_ENTRY = join(ROOT, "lib/src/app/index.js");

export interface AppProcessOptions {
  /** The GitHub stand-in's base URL, e.g. http://127.0.0.1:4567 (served as GHE: GHE_HOST, GHE_PROTOCOL=http). */
  githubUrl: string;
  appId: number;
  /** The app module `probot run` loads; defaults to the built Gatehouse app. */
  entry?: string;
  /** Run this script with `entry` as its argument instead of `probot run` (e.g. a launcher with other Octokit options). */
  launcher?: string;
  secret?: string;
  /** Flags for node itself, e.g. ["--cpu-prof"] to profile the App. */
  nodeArgs?: string[];
  logLevel?: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  env?: Record<string, string>;
}

export interface Delivery {
  id: string;
  status: number;
  /** performance.now() when the request was sent and when its response arrived. */
  sentAt: number;
  answeredAt: number;
}

export interface WebhookEvent {
  name: string;
  payload: Record<string, unknown>;
}

/** A Probot app running as its own process, receiving signed webhooks over HTTP. */
export interface AppProcess {
  pid: number;
  url: string;
  /** Everything the process printed so far. */
  output(): string;
  /** The error lines it printed, without the webhook payloads Probot logs with them. */
  errors(): string;
  /** Signs and posts one webhook, as GitHub does; resolves when the app answers. */
  deliver(event: WebhookEvent, options?: { id?: string }): Promise<Delivery>;
  /** The process's peak resident set size so far (VmHWM), in KiB; undefined where /proc is missing. */
  peakRssKb(): number | undefined;
  /** Stops it gracefully (SIGTERM; SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** The exit code once it exited (null while running or when killed by a signal). */
  exitCode(): number | null;
}

/**
 * For tests that count one PR's reads and writes: no start-up sweep, which (late on a loaded
 * machine) would sync the PR the test just opened, racing the test's own events.
 */
export const NO_SWEEP = { GATEHOUSE_STARTUP_SWEEP: "off" } as const;

let privateKey: string | undefined;

/** Builds lib/ with tsc when it is missing (`npm test` and `npm run bench` build it first). */
export function ensureAppBuilt(): void {
  if (existsSync(APP_ENTRY)) return;
  execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.json")], {
    cwd: ROOT,
    stdio: "inherit",
  });
}

export function signWebhook(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export async function startApp(options: AppProcessOptions): Promise<AppProcess> {
  privateKey ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  const secret = options.secret ?? "bench-secret";
  const port = await freePort();
  const github = new URL(options.githubUrl);
  const entry = options.entry ?? APP_ENTRY;
  const args = options.launcher ? [options.launcher, entry] : [PROBOT_BIN, "run", entry];
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      APP_ID: String(options.appId),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: secret,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: options.logLevel ?? "warn",
      GHE_HOST: github.host,
      GHE_PROTOCOL: github.protocol.replace(":", ""),
      NODE_ENV: "production",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode} before listening:\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the app did not answer /ping within 30 s:\n${output}`);
    }
    const ok = await fetch(`${url}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    pid: child.pid!,
    url,
    output: () => output,
    errors: () => errorLines(output),
    async deliver(event, deliveryOptions = {}) {
      const id = deliveryOptions.id ?? randomUUID();
      const body = JSON.stringify(event.payload);
      const sentAt = performance.now();
      const response = await fetch(`${url}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "GitHub-Hookshot/bench",
          "x-github-event": event.name,
          "x-github-delivery": id,
          "x-hub-signature-256": signWebhook(body, secret),
        },
        body,
      });
      await response.arrayBuffer();
      return { id, status: response.status, sentAt, answeredAt: performance.now() };
    },
    peakRssKb() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
        const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
        return match ? Number(match[1]) : undefined;
      } catch {
        return undefined;
      }
    },
    exitCode: () => child.exitCode,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const killed = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(killed);
      }
    },
  };
}

function errorLines(output: string): string {
  const lines = output
    .split("\n")
    .filter((line) => /error|exception|^\s+at\s|"message"|"msg"|"status"/i.test(line) && !/_url"|Codertocat/.test(line));
  return [...new Set(lines)].slice(0, 40).join("\n");
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

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "node_modules"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package root above ${from}`);
  }
}
