import type { IncomingMessage, ServerResponse } from "node:http";

export const HEALTH_PATH = "/healthz";
export const READY_PATH = "/readyz";
/** How long the App's own authentication check is trusted before /readyz asks GitHub again. */
const AUTH_CHECK_TTL_MS = 60_000;

export interface LifecycleOptions {
  /** Whether Redis answers (when REDIS_URL is set). */
  redisReachable?: () => Promise<boolean>;
  /** Authenticates as the App (e.g. GET /app with its JWT); throws when it cannot. */
  authenticate: () => Promise<void>;
  /** How long SIGTERM waits for handlers and batches in flight (default 25 s, under Kubernetes' 30 s grace). */
  drainMs?: number;
  now?: () => number;
}

/** Thrown into webhooks that arrive while the replica drains: 503, GitHub records a failure, the sweep recovers it. */
export class DrainingError extends Error {
  readonly status = 503;
  constructor() {
    super("Gatehouse is shutting down on this replica; the delivery is refused so that it is redelivered.");
    this.name = "DrainingError";
  }
}

/**
 * Liveness, readiness and graceful shutdown. `/healthz` only says the event loop runs; `/readyz`
 * says this replica can do its work (not draining, Redis answers, the App can authenticate), so
 * a load balancer sends it webhooks. On SIGTERM the replica turns unready, refuses new webhooks
 * with 503, waits (bounded) for the handlers and batches in flight, then runs `close`.
 */
export class Lifecycle {
  #draining = false;
  #inFlight = new Set<Promise<unknown>>();
  #auth: { at: number; ok: Promise<boolean> } | undefined;
  readonly #now: () => number;

  constructor(private readonly options: LifecycleOptions) {
    this.#now = options.now ?? Date.now;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Runs a webhook's handler, counted for the drain; refused once draining. */
  track<T>(work: () => Promise<T>): Promise<T> {
    if (this.#draining) return Promise.reject(new DrainingError());
    const promise = work();
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    this.#inFlight.add(settled);
    void settled.then(() => this.#inFlight.delete(settled));
    return promise;
  }

  /** Stops taking webhooks and waits for the ones in flight, and then for `more` (e.g. deferred re-renders), within drainMs. */
  async drain(more: () => Promise<void> = async () => undefined): Promise<"drained" | "timed out"> {
    this.#draining = true;
    const drainMs = this.options.drainMs ?? 25_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timed out">((resolve) => {
      timer = setTimeout(() => resolve("timed out"), drainMs);
    });
    const done = (async () => {
      while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
      await more();
      return "drained" as const;
    })();
    try {
      return await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Probot's added handler for the two probe routes. */
  handler = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== HEALTH_PATH && path !== READY_PATH) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    const problem = path === HEALTH_PATH ? undefined : await this.#unready();
    res.writeHead(problem ? 503 : 200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : `${problem ?? "ok"}\n`);
    return true;
  };

  async #unready(): Promise<string | undefined> {
    if (this.#draining) return "draining: shutting down";
    if (this.options.redisReachable && !(await this.options.redisReachable())) return "redis unreachable (REDIS_URL)";
    if (!(await this.#authenticated())) return "cannot authenticate as the GitHub App (APP_ID, PRIVATE_KEY, GitHub reachable?)";
    return undefined;
  }

  #authenticated(): Promise<boolean> {
    const now = this.#now();
    if (!this.#auth || now - this.#auth.at > AUTH_CHECK_TTL_MS) {
      const ok = this.options.authenticate().then(
        () => true,
        () => false,
      );
      this.#auth = { at: now, ok };
      // A failure is asked again at the next probe, not after a minute.
      void ok.then((good) => {
        if (!good && this.#auth?.ok === ok) this.#auth = undefined;
      });
    }
    return this.#auth.ok;
  }
}
