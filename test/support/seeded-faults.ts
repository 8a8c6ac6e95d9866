import type { GitHubStandIn, StandInRequest, StandInResponse } from "./github-stand-in.js";

/** What a fault plan did to one request. */
export interface InjectedFault {
  method: string;
  path: string;
  status: 502 | 403;
}

export interface FaultPlan {
  /** The share of eligible requests answered with a 502, from 0 to 1. */
  badGatewayShare: number;
  /** The same seed gives the same sequence of decisions, request by request. */
  seed: number;
  /**
   * Which requests may fail. By default every request but installation-token creation, which
   * happens once per installation and is not what these faults are about.
   */
  eligible?: (req: StandInRequest) => boolean;
  /**
   * At most this many 502s in a row for the same method and path, so that a client's retries
   * (Octokit makes 3) always get through, as with GitHub's transient errors. Default: no limit.
   */
  maxConsecutive?: number;
}

const SECONDARY_RATE_LIMIT_MESSAGE =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.";

/**
 * Deterministic fault injection on a stand-in: a seeded share of 502 Bad Gateway answers, and
 * 403 secondary rate limits with a `retry-after` header on chosen requests. A faulted request
 * changes nothing, as when GitHub rejects it before acting. Installs itself as the stand-in's
 * `fault` hook, in front of any hook already there.
 */
export class SeededFaults {
  readonly injected: InjectedFault[] = [];
  readonly #random: () => number;
  readonly #previous: GitHubStandIn["fault"];
  readonly #limits: { match: (req: StandInRequest) => boolean; retryAfterSeconds: number }[] = [];
  readonly #streaks = new Map<string, number>();
  #active = true;

  constructor(
    private readonly standIn: GitHubStandIn,
    private readonly plan: FaultPlan,
  ) {
    this.#random = mulberry32(plan.seed);
    this.#previous = standIn.fault;
    standIn.fault = (req) => this.#decide(req) ?? this.#previous?.(req);
  }

  /** The next request that `match` accepts is answered with a secondary rate limit. */
  secondaryRateLimitNext(match: (req: StandInRequest) => boolean, retryAfterSeconds = 1): void {
    this.#limits.push({ match, retryAfterSeconds });
  }

  /** Secondary rate limits armed but not yet served. */
  get pendingRateLimits(): number {
    return this.#limits.length;
  }

  /** Stops injecting; the stand-in's previous hook stays in place. */
  stop(): void {
    this.#active = false;
    this.standIn.fault = this.#previous;
  }

  #decide(req: StandInRequest): StandInResponse | undefined {
    if (!this.#active || !(this.plan.eligible ?? notTokenCreation)(req)) return undefined;
    const limit = this.#limits.findIndex((l) => l.match(req));
    if (limit !== -1) {
      const { retryAfterSeconds } = this.#limits.splice(limit, 1)[0]!;
      this.injected.push({ method: req.method, path: req.path, status: 403 });
      return {
        status: 403,
        body: {
          message: SECONDARY_RATE_LIMIT_MESSAGE,
          documentation_url: "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        },
        headers: { "retry-after": String(retryAfterSeconds) },
      };
    }
    const key = `${req.method} ${req.path.split("?")[0]}`;
    const streak = this.#streaks.get(key) ?? 0;
    if (this.#random() < this.plan.badGatewayShare && streak < (this.plan.maxConsecutive ?? Infinity)) {
      this.#streaks.set(key, streak + 1);
      this.injected.push({ method: req.method, path: req.path, status: 502 });
      return { status: 502, body: { message: "Server Error" } };
    }
    this.#streaks.delete(key);
    return undefined;
  }
}

function notTokenCreation(req: StandInRequest): boolean {
  return !/\/app\/installations\/\d+\/access_tokens$/.test(req.path);
}

/** A small, well-known seeded PRNG (Tommy Ettinger's mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
