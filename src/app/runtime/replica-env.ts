/** REDIS_URL (Probot's own), GATEHOUSE_LEASE_MS and GATEHOUSE_SHUTDOWN_SECONDS, as the `probot run` entry reads them. */
export function replicaFromEnv(env: Record<string, string | undefined>): {
  redisUrl?: string;
  leaseMs?: number;
  gracefulShutdown: { drainMs: number };
} {
  const positive = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number > 0 (got "${raw}").`);
    return value;
  };
  const redisUrl = env.REDIS_URL?.trim();
  return {
    ...(redisUrl ? { redisUrl } : {}),
    ...(env.GATEHOUSE_LEASE_MS ? { leaseMs: positive("GATEHOUSE_LEASE_MS", 5_000) } : {}),
    gracefulShutdown: { drainMs: positive("GATEHOUSE_SHUTDOWN_SECONDS", 25) * 1_000 },
  };
}
