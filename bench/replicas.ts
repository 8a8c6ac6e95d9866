import { startApp, type AppProcess } from "../test/support/app-process.js";
import { startRedis } from "../test/support/redis-server.js";
import { APP_ID } from "../test/support/release-repo.js";
import type { BenchRepo } from "./bench-repo.js";
import { type BurstMeasurement, measureBurst } from "./group-commit-figures.js";
import { measureRecovery, RECOVERY_SWEEP_SECONDS, type RecoveryMeasurement } from "./recovery.js";
import { measureReplicaThroughput, type ThroughputMeasurement } from "./replica-throughput.js";
import type { RequestRecorder } from "./request-recorder.js";
import { roundRobin } from "./round-robin.js";

export interface ReplicasMeasurement {
  throughput: ThroughputMeasurement;
  /** 20 ticks on one PR, round-robin over three replicas. */
  burst: BurstMeasurement;
  recovery: RecoveryMeasurement;
}

const REPLICAS = 3;

/**
 * The App as replicas on Redis (REDIS_URL to one redis-server the bench starts, persistence off):
 * throughput of 1, 2 and 3 replicas against one process without Redis, a burst on one PR spread
 * over three replicas, and recovery of missed deliveries after every replica was down.
 */
export async function measureReplicas(input: {
  repo: BenchRepo;
  recorder: RequestRecorder;
  githubUrl: string;
  throughput: { events: number; concurrency: number; passes: number };
  recovery: { prs: number; ticksEach: number };
  progress: (message: string) => void;
}): Promise<ReplicasMeasurement> {
  const { repo, recorder } = input;
  const redis = await startRedis();
  const started: AppProcess[] = [];
  // As shipped but for the start-up sweep, which would run into the measurement (as elsewhere in the bench).
  const start = async (env: Record<string, string>) => {
    const app = await startApp({ githubUrl: input.githubUrl, appId: APP_ID, env: { GATEHOUSE_STARTUP_SWEEP: "off", ...env } });
    started.push(app);
    return app;
  };
  try {
    input.progress(`replicas: events/s of 1, 2 and ${REPLICAS} replicas on Redis and of one process without`);
    const [single, ...replicas] = await Promise.all([
      start({}),
      ...Array.from({ length: REPLICAS }, () => start({ REDIS_URL: redis.url })),
    ]);
    const throughput = await measureReplicaThroughput(
      repo,
      recorder,
      [
        { label: "No Redis, 1 process (as today)", redis: false, replicas: [single!] },
        ...replicas.map((_, n) => ({
          label: `Redis, ${n + 1} replica${n === 0 ? "" : "s"}`,
          redis: true,
          redisPid: redis.pid,
          replicas: replicas.slice(0, n + 1),
        })),
      ],
      input.throughput,
    );
    await single!.stop();

    input.progress(`replicas: burst of 20 ticks on one PR over ${REPLICAS} replicas`);
    const burst = await measureBurst(repo, roundRobin(replicas), recorder);

    input.progress(`replicas: recovery of ${input.recovery.prs * input.recovery.ticksEach} deliveries missed while down`);
    const recovery = await measureRecovery({
      repo,
      recorder,
      running: replicas,
      start: () => start({ REDIS_URL: redis.url, GATEHOUSE_REDELIVERY_INTERVAL_SECONDS: String(RECOVERY_SWEEP_SECONDS) }),
      replicas: REPLICAS,
      ...input.recovery,
    });
    return { throughput, burst, recovery };
  } finally {
    await Promise.all(started.map((app) => app.stop()));
    await redis.stop();
  }
}
