import type { AppProcess } from "../test/support/app-process.js";
import type { Receiver } from "./delivery-stream.js";

/**
 * A load balancer in front of replicas: each webhook goes to the next one in turn, starting at
 * `start`. Stepping `start` from one round of ticks to the next sends a PR's next tick to another
 * replica, the case where a replica's cached PR state is stale and coordination costs most.
 */
export function roundRobin(replicas: AppProcess[], start = 0): Receiver {
  let next = start;
  return {
    deliver: (event, options) => replicas[next++ % replicas.length]!.deliver(event, options),
    errors: () => replicas.map((r, i) => `replica ${i + 1}:\n${r.errors()}`).join("\n"),
  };
}
