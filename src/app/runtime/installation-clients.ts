import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import type { Context } from "probot";
import { observeRequests, ObservedWriteSpacing } from "../../github/request-metrics.js";
import { DEFAULT_RETRY_POLICY, retryRequests, type RetryPolicy } from "../../github/retry-requests.js";
import { isContentWrite, spaceWrites, WriteSpacing, type WriteSpacingOptions } from "../../github/write-spacing.js";
import type { Metrics } from "./metrics.js";
import { assertLeaseHeld } from "./lease.js";

type Client = Context["octokit"];
export type OctokitClass = new (options: Record<string, unknown>) => Client;

/**
 * One GitHub client per installation, kept across events. Probot's own per-event client shares
 * one write limiter across every installation and spaces every write a full second (three for
 * comments), so one event's two writes take over a second and one customer's burst slows all
 * others. These clients turn Probot's throttle off and instead space writes by the
 * installation's write window (shared by the replicas on Redis), and retry secondary rate limits after retry-after and
 * server errors with Octokit's backoff. The client
 * renews its installation token itself (app auth with Probot's token cache).
 */
export class InstallationClients {
  readonly #clients: LRUCache<number, Client>;
  readonly #spacing: WriteSpacing;
  /** Which installation each client writes for, to ask its write spacing about spare capacity. */
  readonly #installations = new WeakMap<object, string>();

  constructor(
    private readonly options: {
      writeSpacing?: WriteSpacingOptions;
      retryPolicy?: RetryPolicy;
      capacity?: number;
      metrics?: Metrics;
      /** The replicas' Redis: every replica then spaces each installation's writes in one shared window. */
      redis?: Redis;
    } = {},
  ) {
    this.#spacing = options.metrics
      ? new ObservedWriteSpacing(options.writeSpacing, options.metrics.writeQueue, options.redis)
      : new WriteSpacing(options.writeSpacing, options.redis);
    this.#clients = new LRUCache({ max: options.capacity ?? 1_000 });
  }

  /** The retry policy, reporting each wait to the metrics. */
  #policy(installation: string): RetryPolicy {
    const policy = this.options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    const metrics = this.options.metrics;
    return metrics
      ? { ...policy, onWait: (seconds) => metrics.secondaryWait(installation, seconds), onServerErrorRetry: metrics.serverErrorRetry }
      : policy;
  }

  /** Registered first, so it times GitHub's answer rather than the wait for a write slot. */
  #observed(octokit: Client, installation: string): Client {
    return this.options.metrics ? observeRequests(octokit, this.options.metrics, installation) : octokit;
  }

  for(context: Context): Client {
    const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
    // Probot's own client retries server errors itself (Octokit's retry plugin).
    if (!installation) return retryRequests(this.#observed(context.octokit, "none"), { ...this.#policy("none"), serverErrorRetries: 0 });
    // Same class and defaults as Probot's clients: app credentials, token cache, GHE base URL, retries.
    return this.forInstallation(installation, context.octokit.constructor as OctokitClass);
  }

  /** The installation's client outside any event (the start-up sweep, timers). */
  forInstallation(installation: number, Octokit: OctokitClass): Client {
    const cached = this.#clients.get(installation);
    if (cached) return cached;
    const key = String(installation);
    // Retries are ours (see retryRequests), so Octokit's retry plugin is off.
    const octokit = new Octokit({ auth: { installationId: installation }, throttle: { enabled: false }, retry: { enabled: false } });
    // Registered first, so it runs last, right before the request is sent: no write after a lapsed PR lease.
    octokit.hook.before("request", (request: { method?: string; url?: string }) => {
      if (isContentWrite(request)) assertLeaseHeld();
    });
    const client = retryRequests(spaceWrites(this.#observed(octokit, key), this.#spacing, key), this.#policy(key));
    this.#clients.set(installation, client);
    this.#installations.set(client, key);
    return client;
  }

  /** The installation a client of this set writes for (a deferred re-render names it, so any replica can write it). */
  installationOf(client: object): number | undefined {
    const installation = this.#installations.get(client);
    return installation === undefined ? undefined : Number(installation);
  }

  /** Resolves when the client's installation has spare write capacity (at once for other clients). */
  whenIdle(client: object): Promise<void> {
    const installation = this.#installations.get(client);
    return installation === undefined ? Promise.resolve() : this.#spacing.whenIdle(installation);
  }
}
