import type { Context } from "probot";
import { retrySecondaryRateLimits, type RetryPolicy } from "../../github/secondary-rate-limit.js";
import { spaceWrites, WriteSpacing, type WriteSpacingOptions } from "../../github/write-spacing.js";

type Client = Context["octokit"];
export type OctokitClass = new (options: Record<string, unknown>) => Client;

/**
 * One GitHub client per installation, kept across events. Probot's own per-event client shares
 * one write limiter across every installation and spaces every write a full second (three for
 * comments), so one event's two writes take over a second and one customer's burst slows all
 * others. These clients turn Probot's throttle off and instead space writes by the
 * installation's token bucket, and retry secondary rate limits after retry-after. The client
 * renews its installation token itself (app auth with Probot's token cache).
 */
export class InstallationClients {
  readonly #clients = new Map<number, Client>();
  readonly #spacing: WriteSpacing;

  constructor(
    private readonly options: { writeSpacing?: WriteSpacingOptions; retryPolicy?: RetryPolicy; capacity?: number } = {},
  ) {
    this.#spacing = new WriteSpacing(options.writeSpacing);
  }

  for(context: Context): Client {
    const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
    if (!installation) return retrySecondaryRateLimits(context.octokit, this.options.retryPolicy);
    // Same class and defaults as Probot's clients: app credentials, token cache, GHE base URL, retries.
    return this.forInstallation(installation, context.octokit.constructor as OctokitClass);
  }

  /** The installation's client outside any event (the start-up sweep, timers). */
  forInstallation(installation: number, Octokit: OctokitClass): Client {
    const cached = this.#clients.get(installation);
    if (cached) return cached;
    const client = retrySecondaryRateLimits(
      spaceWrites(new Octokit({ auth: { installationId: installation }, throttle: { enabled: false } }), this.#spacing, String(installation)),
      this.options.retryPolicy,
    );
    this.#clients.set(installation, client);
    if (this.#clients.size > (this.options.capacity ?? 1_000)) this.#clients.delete(this.#clients.keys().next().value as number);
    return client;
  }
}
