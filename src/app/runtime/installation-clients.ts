import { LRUCache } from "lru-cache";
import type { Context } from "probot";
import { retrySecondaryRateLimits, type RetryPolicy } from "../../github/secondary-rate-limit.js";
import { spaceWrites, WriteSpacing, type WriteSpacingOptions } from "../../github/write-spacing.js";

type Client = Context["octokit"];

/**
 * One GitHub client per installation, kept across events. Probot's own per-event client shares
 * one write limiter across every installation and spaces every write a full second (three for
 * comments), so one event's two writes take over a second and one customer's burst slows all
 * others. These clients turn Probot's throttle off and instead space writes by the
 * installation's token bucket, and retry secondary rate limits after retry-after. The client
 * renews its installation token itself (app auth with Probot's token cache).
 */
export class InstallationClients {
  readonly #clients: LRUCache<number, Client>;
  readonly #spacing: WriteSpacing;

  constructor(private readonly options: { writeSpacing?: WriteSpacingOptions; retryPolicy?: RetryPolicy; capacity?: number } = {}) {
    this.#spacing = new WriteSpacing(options.writeSpacing);
    this.#clients = new LRUCache({ max: options.capacity ?? 1_000 });
  }

  for(context: Context): Client {
    const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
    if (!installation) return retrySecondaryRateLimits(context.octokit, this.options.retryPolicy);
    const cached = this.#clients.get(installation);
    if (cached) return cached;
    // Same class and defaults as Probot's clients: app credentials, token cache, GHE base URL, retries.
    const Octokit = context.octokit.constructor as new (options: Record<string, unknown>) => Client;
    const client = retrySecondaryRateLimits(
      spaceWrites(
        new Octokit({ auth: { installationId: installation }, throttle: { enabled: false } }),
        this.#spacing,
        String(installation),
      ),
      this.options.retryPolicy,
    );
    this.#clients.set(installation, client);
    return client;
  }
}
