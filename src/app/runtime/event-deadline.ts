/** The longest one webhook's handler may run; GitHub itself gives up on a delivery after 10 s. */
export const EVENT_DEADLINE_MS = 60_000;

export class EventDeadlineError extends Error {
  constructor(label: string, ms: number) {
    super(
      `${label} did not finish within ${ms} ms; it is treated as failed, so nothing counts as done until the event is redelivered or the PR's next event runs.`,
    );
    this.name = "EventDeadlineError";
  }
}

/**
 * Runs one event's work with a deadline. Past it the event fails (closed): its delivery is not
 * recorded as done, so a redelivery runs it again, and whoever awaits it stops waiting. The work
 * itself is not cancelled (a promise cannot be); its writes stay serialized per PR by the batcher,
 * so a late write never overwrites a newer one.
 */
export async function withDeadline<T>(label: string, ms: number, task: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EventDeadlineError(label, ms)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([task(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
