import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { GitHubClient } from "../../github/client.js";
import { CommentViews, retryFlush, type CommentViewsOptions, type DeferredRender, type Views } from "./comment-views.js";
import { sleep } from "./lease.js";

/** PR key → when its re-render is due (ms, Redis's clock, so replicas' clocks need not agree). */
export const DUE = "gatehouse:views:due";
/** PR key → when the replica that claimed its re-render is presumed dead and the re-render due again. */
const CLAIMED = "gatehouse:views:claimed";
const targetKey = (key: string) => `gatehouse:views:target:${key}`;
/** A PR whose re-render nobody took for this long (every replica down) is not re-rendered any more; its next event does it. */
const TARGET_TTL_MS = 3_600_000;
/** Longer than a flush takes (it waits for the PR's lease and its installation's write spacing, like any event). */
export const DEFAULT_CLAIM_MS = 60_000;
/** How long past due a re-render waits for the replica that asked last, at least (it may have died). */
const MIN_HANDOVER_MS = 1_000;
/** Due re-renders looked at per poll; the rest come at the next one. */
const POLL_LIMIT = 100;

const NOW = `local t = redis.call("TIME") local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;
/** Remembers where the PR is and makes it due one window from now, unless it is due already (the earlier ask stands). */
const DEFER = `${NOW}
redis.call("SET", KEYS[2], ARGV[2], "PX", ARGV[3])
return redis.call("ZADD", KEYS[1], "NX", now + tonumber(ARGV[1]), ARGV[4])`;
/**
 * Puts back the claims of replicas presumed dead, then lists what is due for this replica: what
 * it asked for last, and what its asker left past due for the handover time.
 */
const POLL = `${NOW}
for _, key in ipairs(redis.call("ZRANGEBYSCORE", KEYS[2], "-inf", now, "LIMIT", 0, ARGV[1])) do
  redis.call("ZREM", KEYS[2], key)
  redis.call("ZADD", KEYS[1], "NX", now, key)
end
local due = {}
local scores = redis.call("ZRANGEBYSCORE", KEYS[1], "-inf", now, "WITHSCORES", "LIMIT", 0, ARGV[1])
for i = 1, #scores, 2 do
  local key = scores[i]
  local mine = false
  if tonumber(scores[i + 1]) > now - tonumber(ARGV[3]) then
    local target = redis.call("GET", ARGV[4] .. key)
    local ok, decoded = pcall(cjson.decode, target or "")
    mine = ok and type(decoded) == "table" and decoded.asker == ARGV[2]
  else
    mine = true
  end
  if mine then table.insert(due, key) end
end
return due`;
/** Takes a due re-render for this replica: its target and the claim's score (this claim's token). */
const CLAIM = `${NOW}
local due = redis.call("ZSCORE", KEYS[1], ARGV[1])
if not due or tonumber(due) > now then return false end
redis.call("ZREM", KEYS[1], ARGV[1])
local target = redis.call("GET", KEYS[3])
if not target then return false end
redis.call("ZADD", KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
return {target, redis.call("ZSCORE", KEYS[2], ARGV[1])}`;
/** Ends this replica's claim, unless another replica took the PR over since. */
const DONE = `if redis.call("ZSCORE", KEYS[1], ARGV[1]) == ARGV[2] then return redis.call("ZREM", KEYS[1], ARGV[1]) end return 0`;

interface StoredTarget {
  /** The replica that asked last: it wrote the PR's last batch, so its cached state is current. */
  asker: string;
  installation: number;
  owner: string;
  repo: string;
  number: number;
  /** Failed tries so far (see `FLUSH_ATTEMPTS`). */
  failed?: number;
}

export interface SharedCommentViewsOptions extends Omit<CommentViewsOptions, "setTimer" | "clearTimer"> {
  /** The installation a client writes for, and that installation's client on this replica. */
  installations: { of(client: object): number | undefined; client(installation: number): Promise<GitHubClient> };
  /** How often each replica looks for due re-renders (default a quarter of the window, at most 250 ms). */
  pollMs?: number;
  claimMs?: number;
  /** How long past due a re-render waits for the replica that asked last (default the window, at least 1 s). */
  handoverMs?: number;
}

/**
 * The views of replicas sharing Redis: the window is per PR across all of them. What is owed is
 * a sorted set of PRs by due time, so asks from any replica share one re-render, an urgent write
 * on any replica cancels it, and it survives the replica that asked. Every replica polls for due
 * PRs and takes each with an atomic claim; the claimer re-renders under the PR's lease like any
 * batch, so it renders the latest ledger, with a client of its own for the PR's installation.
 * The replica that asked last takes it first: it wrote the PR's last batch, so its cached state
 * is current, where any other replica would read the ledger again (and make the asker read it
 * again at its next event). The others take it only `handoverMs` past due (the asker died).
 * A claimer that dies mid-flush is presumed dead after `claimMs` and the PR is due again.
 */
export class SharedCommentViews implements Views {
  /** For clients outside any installation (none in the App): this process's own window. */
  readonly #local: CommentViews;
  /** PRs this replica asked for, until they are re-rendered by anyone (for `settled`). */
  readonly #asked = new Set<string>();
  /** PRs this replica is taking now, so a slow one is not taken twice by the same replica. */
  readonly #taking = new Set<string>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #timer: NodeJS.Timeout;
  readonly #pollMs: number;
  readonly #handoverMs: number;
  /** This replica, as the asker of its re-renders. */
  readonly #id = randomUUID();
  #polling = false;

  constructor(
    private readonly redis: Redis,
    private readonly options: SharedCommentViewsOptions,
  ) {
    this.#local = new CommentViews(options);
    this.#pollMs = options.pollMs ?? Math.min(250, Math.max(10, options.windowMs / 4));
    this.#handoverMs = options.handoverMs ?? Math.max(MIN_HANDOVER_MS, options.windowMs);
    this.#timer = setInterval(() => void this.#poll(), this.#pollMs);
    this.#timer.unref();
  }

  defer(key: string, target: DeferredRender): void {
    const installation = this.options.installations.of(target.gh);
    if (installation === undefined) {
      this.#local.defer(key, target);
      return;
    }
    this.#ask(key, { asker: this.#id, installation, owner: target.repo.owner, repo: target.repo.repo, number: target.number });
  }

  wrote(key: string): void {
    this.#local.wrote(key);
    this.#track(this.redis.multi().zrem(DUE, key).zrem(CLAIMED, key).exec());
  }

  async settled(): Promise<void> {
    for (;;) {
      await this.#local.settled();
      if (this.#inFlight.size > 0) {
        await Promise.allSettled([...this.#inFlight]);
        continue;
      }
      if (this.#asked.size === 0) return;
      const asked = [...this.#asked];
      const pipeline = this.redis.pipeline();
      for (const key of asked) pipeline.zscore(DUE, key).zscore(CLAIMED, key);
      const scores = await pipeline.exec().catch(() => undefined);
      // Redis is unreachable: what is owed stays there for the replicas that can reach it.
      if (!scores) return;
      asked.forEach((key, i) => {
        if (scores[2 * i]?.[1] == null && scores[2 * i + 1]?.[1] == null) this.#asked.delete(key);
      });
      if (this.#asked.size > 0) await sleep(this.#pollMs);
    }
  }

  /** Stops polling; PRs still owed are re-rendered by the other replicas (or this one's successor). */
  close(): void {
    clearInterval(this.#timer);
  }

  #ask(key: string, stored: StoredTarget): void {
    this.#asked.add(key);
    this.#track(this.redis.eval(DEFER, 2, DUE, targetKey(key), this.options.windowMs, JSON.stringify(stored), TARGET_TTL_MS, key));
  }

  #track(work: Promise<unknown>): void {
    // Best effort like any view: a lost ask or cancel costs a stale comment or a re-render, never the ledger.
    const settled = work.catch(() => undefined);
    this.#inFlight.add(settled);
    void settled.finally(() => this.#inFlight.delete(settled));
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const due = (await this.redis.eval(POLL, 2, DUE, CLAIMED, POLL_LIMIT, this.#id, this.#handoverMs, targetKey(""))) as string[];
      for (const key of due) if (!this.#taking.has(key)) this.#track(this.#take(key));
    } catch {
      // Redis unreachable: the next poll tries again.
    } finally {
      this.#polling = false;
    }
  }

  async #take(key: string): Promise<void> {
    this.#taking.add(key);
    try {
      // Waits for spare write capacity before claiming, so an urgent write meanwhile still cancels it.
      const peek = await this.redis.get(targetKey(key));
      if (peek) await this.options.whenIdle(await this.#client(JSON.parse(peek) as StoredTarget));
      const claim = (await this.redis.eval(CLAIM, 3, DUE, CLAIMED, targetKey(key), key, this.options.claimMs ?? DEFAULT_CLAIM_MS)) as
        | [string, string]
        | null;
      if (!claim) return;
      const target = JSON.parse(claim[0]) as StoredTarget;
      // Without the PR: the flush reads it, as the head may have moved since it was deferred on another replica.
      const render = { gh: await this.#client(target), repo: { owner: target.owner, repo: target.repo }, number: target.number };
      // A failed flush leaves the comment stale, never the ledger: it is asked for again (by this
      // replica, whose state the failed batch may have refreshed), then left to the next event.
      try {
        await this.options.flush(render);
      } catch (error) {
        const failed = target.failed ?? 0;
        if (retryFlush(key, failed, error, this.options)) this.#ask(key, { ...target, asker: this.#id, failed: failed + 1 });
      }
      await this.redis.eval(DONE, 1, CLAIMED, key, claim[1]);
    } finally {
      this.#taking.delete(key);
    }
  }

  #client(target: StoredTarget): Promise<GitHubClient> {
    return this.options.installations.client(target.installation);
  }
}
