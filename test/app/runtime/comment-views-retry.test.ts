import { describe, expect, it } from "vitest";
import { CommentViews, FLUSH_ATTEMPTS, type DeferredRender } from "../../../src/app/runtime/comment-views.js";
import type { GitHubClient } from "../../../src/github/client.js";

const target: DeferredRender = { gh: {} as GitHubClient, repo: { owner: "acme", repo: "api" }, number: 7 };

/** A process's own views with a window of 1 ms, a flush that fails `failures` times, and every error reported. */
function views(failures: number) {
  const flushes: number[] = [];
  const errors: { key: string; retry: boolean }[] = [];
  const v = new CommentViews({
    windowMs: 1,
    whenIdle: async () => {},
    flush: async (t) => {
      flushes.push(t.number);
      if (flushes.length <= failures) throw new Error(`GitHub answered 502 (try ${flushes.length})`);
    },
    onFlushError: (key, _error, retry) => errors.push({ key, retry }),
  });
  return { v, flushes, errors };
}

describe("a deferred re-render that fails", () => {
  it("is tried again a window later, so one failed write does not leave the comment stale", async () => {
    const { v, flushes, errors } = views(1);
    v.defer("acme/api#7", target);
    await v.settled();
    expect(flushes).toEqual([7, 7]);
    expect(errors).toEqual([{ key: "acme/api#7", retry: true }]);
  });

  it(`is given up after ${FLUSH_ATTEMPTS} tries, and reported as left to the PR's next event`, async () => {
    const { v, flushes, errors } = views(Number.POSITIVE_INFINITY);
    v.defer("acme/api#7", target);
    await v.settled();
    expect(flushes).toHaveLength(FLUSH_ATTEMPTS);
    expect(errors.map((e) => e.retry)).toEqual([...Array(FLUSH_ATTEMPTS - 1).fill(true), false]);
    // A later ask starts counting again.
    v.defer("acme/api#7", target);
    await v.settled();
    expect(flushes).toHaveLength(2 * FLUSH_ATTEMPTS);
  });
});
