import { randomUUID } from "node:crypto";
import type { AppProcess, WebhookEvent } from "./app-process.js";
import type { GitHubStandIn, HookDeliveryRecord } from "./github-stand-in.js";

/**
 * GitHub's side of webhooks for whole-process tests: delivers each event to the next replica
 * (round-robin, as a load balancer would), records every attempt with the App's answer in the
 * stand-in's delivery log (status 0 when nobody answered), and delivers again when the App asks
 * for a redelivery. GitHub itself never retries: a failed attempt stays failed until redelivered.
 */
export class WebhookSender {
  /** The replicas behind the load balancer; empty while the service is down. */
  replicas: AppProcess[] = [];
  readonly #events = new Map<string, WebhookEvent>();
  #next = 0;
  /** Redeliveries in flight, so a test can wait for them. */
  readonly #redelivering = new Set<Promise<unknown>>();

  constructor(private readonly github: GitHubStandIn) {
    github.onRedeliver = (attempt) => {
      const event = this.#events.get(attempt.guid);
      if (!event) return;
      const sent = this.deliver(event, { id: attempt.guid, redelivery: true });
      this.#redelivering.add(sent);
      void sent.finally(() => this.#redelivering.delete(sent));
    };
  }

  async deliver(event: WebhookEvent, options: { id?: string; to?: AppProcess; redelivery?: boolean } = {}): Promise<HookDeliveryRecord> {
    const guid = options.id ?? randomUUID();
    this.#events.set(guid, event);
    const target = options.to ?? this.replicas[this.#next++ % Math.max(1, this.replicas.length)];
    let status = 0;
    if (target) {
      status = await target.deliver(event, { id: guid }).then(
        (d) => d.status,
        () => 0,
      );
    }
    const action = typeof event.payload.action === "string" ? event.payload.action : null;
    return this.github.recordHookDelivery({
      guid,
      redelivery: options.redelivery ?? false,
      status_code: status,
      status: status === 0 ? "timed out" : String(status),
      event: event.name,
      action,
    });
  }

  /** Waits until the redeliveries asked for so far were answered. */
  async redeliveriesAnswered(): Promise<void> {
    while (this.#redelivering.size > 0) await Promise.allSettled([...this.#redelivering]);
  }
}
