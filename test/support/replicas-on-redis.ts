import { afterAll, beforeAll } from "vitest";
import { ensureAppBuilt, startApp, type AppProcess } from "./app-process.js";
import type { GitHubStandIn } from "./github-stand-in.js";
import { startRedis, type RedisServer } from "./redis-server.js";
import { APP_ID } from "./release-repo.js";
import { serveStandIns, type StandInServer } from "./stand-in-server.js";

/** A redis-server, the stand-in serving one repository, and the App replicas a test starts on both. */
export interface ReplicasOnRedis {
  /** Reassignable: a test that restarts Redis puts the new server here, and it is stopped after. */
  redis: RedisServer;
  server: StandInServer;
  /** Every replica started, so all are killed after the tests. */
  started: AppProcess[];
  /** Starts one more replica on this Redis and stand-in, with `env` on top of REDIS_URL. */
  start(env?: Record<string, string>): Promise<AppProcess>;
}

/**
 * For one describe block of whole-process replica tests: Redis and the stand-in start before the
 * block's own `beforeAll` (registered first), and everything is stopped after its tests.
 */
export function replicasOnRedis(repo: GitHubStandIn, env: Record<string, string> = {}): ReplicasOnRedis {
  const cluster: ReplicasOnRedis = {
    redis: undefined as unknown as RedisServer,
    server: undefined as unknown as StandInServer,
    started: [],
    async start(more = {}) {
      const app = await startApp({ githubUrl: cluster.server.url, appId: APP_ID, env: { REDIS_URL: cluster.redis.url, ...env, ...more } });
      cluster.started.push(app);
      return app;
    },
  };
  beforeAll(async () => {
    ensureAppBuilt();
    cluster.redis = await startRedis();
    cluster.server = await serveStandIns([repo]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all(cluster.started.map((a) => a.kill()));
    await cluster.server?.close();
    await cluster.redis?.stop();
  });
  return cluster;
}
