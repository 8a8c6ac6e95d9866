import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullRequestEvent } from "../fixtures/webhooks.js";
import { GitHubStandIn } from "../support/github-stand-in.js";
import { serveStandIn } from "../support/stand-in-server.js";
import { APP_ID, CONFIG } from "./harness.js";

const SECRET = "it-is-a-secret";
const HEAD = "9".repeat(40);

/** The `npm start` path: a real Probot server process, GitHub served by the stand-in (as GHE). */
describe("npm start", () => {
  const github = new GitHubStandIn({ appId: APP_ID, slug: "gatehouse" });
  let server: Awaited<ReturnType<typeof serveStandIn>>;
  let app: ChildProcess;
  let port: number;
  let output = "";

  beforeAll(async () => {
    github.files.set(".github/gatehouse.yml", CONFIG);
    server = await serveStandIn(github);
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    port = 30_000 + Math.floor(Math.random() * 20_000);
    app = spawn("npm", ["start", "--silent"], {
      detached: true,
      env: {
        ...process.env,
        APP_ID: String(APP_ID),
        PRIVATE_KEY: privateKey,
        WEBHOOK_SECRET: SECRET,
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        GHE_HOST: `127.0.0.1:${server.port}`,
        GHE_PROTOCOL: "http",
        NODE_ENV: "production",
      },
    });
    app.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    app.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!/Listening on/.test(output)) {
      if (Date.now() > deadline || app.exitCode !== null) throw new Error(`server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 90_000);

  afterAll(async () => {
    if (app?.pid) process.kill(-app.pid, "SIGTERM");
    await server?.close();
  });

  const post = (name: string, body: string, signature: string) =>
    fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": name,
        "x-github-delivery": `delivery-${Math.random()}`,
        "x-hub-signature-256": signature,
      },
      body,
    });

  it("rejects a webhook with a bad signature", async () => {
    const event = pullRequestEvent("opened", github.addPull({ number: 1, author: "dev", headSha: HEAD }));
    const response = await post(event.name, JSON.stringify(event.payload), `sha256=${"0".repeat(64)}`);
    expect(response.status).toBe(400);
    expect(github.comments).toEqual([]);
  });

  it("answers a signed pull_request webhook with a checklist comment and a check run", async () => {
    const event = pullRequestEvent("opened", github.addPull({ number: 2, author: "dev", headSha: HEAD }));
    const body = JSON.stringify(event.payload);
    const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
    const response = await post(event.name, body, signature);
    expect(response.status).toBe(200);
    expect(github.commentsOn(2)).toHaveLength(1);
    expect(github.commentsOn(2)[0]!.body).toContain("Security Controls");
    expect(github.checkRunsOn(HEAD, "Gatehouse")[0]).toMatchObject({ conclusion: "action_required", app: { id: APP_ID } });
  });
});
