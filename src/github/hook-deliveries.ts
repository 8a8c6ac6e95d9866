import type { GitHubClient } from "./client.js";

/** One attempt at delivering a webhook, as GitHub lists it for the App (GET /app/hook/deliveries). */
export interface HookDelivery {
  /** This attempt's id (what a redelivery request names). */
  id: number;
  /** The delivery's X-GitHub-Delivery id, shared by all its attempts. */
  guid: string;
  deliveredAt: Date;
  /** The App's HTTP answer; 0 when none came (timed out, refused). */
  statusCode: number;
  event: string;
  redelivery: boolean;
}

interface RawDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  status_code: number;
  event: string;
  redelivery: boolean;
}

/**
 * The App's delivery attempts newer than `since`, newest first (as the App, with its JWT client).
 * Stops paging at the first older attempt, and after `maxAttempts`, so a sweep stays bounded.
 */
export async function recentHookDeliveries(app: GitHubClient, since: Date, maxAttempts = 5_000): Promise<HookDelivery[]> {
  const found: HookDelivery[] = [];
  for await (const page of app.paginate.iterator("GET /app/hook/deliveries", { per_page: 100 })) {
    for (const raw of page.data as RawDelivery[]) {
      const deliveredAt = new Date(raw.delivered_at);
      if (deliveredAt < since || found.length >= maxAttempts) return found;
      found.push({ id: raw.id, guid: raw.guid, deliveredAt, statusCode: raw.status_code, event: raw.event, redelivery: raw.redelivery });
    }
  }
  return found;
}

/** Asks GitHub to deliver an attempt's webhook again (it answers 202 and delivers soon after). */
export async function redeliverHookDelivery(app: GitHubClient, attemptId: number): Promise<void> {
  await app.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: attemptId });
}

/**
 * Deliveries that no attempt delivered: grouped by guid, a guid with any 2xx attempt is
 * recovered. Each comes with its latest attempt, the one to redeliver.
 */
export function undelivered(attempts: HookDelivery[]): HookDelivery[] {
  const byGuid = new Map<string, HookDelivery[]>();
  for (const a of attempts) {
    const group = byGuid.get(a.guid);
    if (group) group.push(a);
    else byGuid.set(a.guid, [a]);
  }
  const failed: HookDelivery[] = [];
  for (const group of byGuid.values()) {
    if (group.some((a) => a.statusCode >= 200 && a.statusCode < 300)) continue;
    failed.push(group.reduce((latest, a) => (a.deliveredAt > latest.deliveredAt ? a : latest)));
  }
  return failed.sort((a, b) => a.deliveredAt.getTime() - b.deliveredAt.getTime());
}
