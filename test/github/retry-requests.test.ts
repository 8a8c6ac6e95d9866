import { Octokit } from "@octokit/rest";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { retryRequests, type RetryPolicy } from "../../src/github/retry-requests.js";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const API = "https://api.github.com";
const get = (gh: Octokit) => gh.rest.pulls.get({ owner: "acme", repo: "api", pull_number: 7 });

/** A client as the App builds it: Octokit's retry plugin off, retries from the policy; waits are recorded, not slept. */
function client(policy: Partial<RetryPolicy> = {}) {
  const waits: number[] = [];
  let serverRetries = 0;
  const gh = retryRequests(new Octokit({ auth: "ghs_test", retry: { enabled: false } }), {
    retries: 2,
    maxWaitSeconds: 60,
    serverErrorRetries: 3,
    sleep: async (ms) => void waits.push(ms),
    onServerErrorRetry: () => (serverRetries += 1),
    ...policy,
  });
  return { gh, waits, retries: () => serverRetries };
}

describe("retryRequests: server errors", () => {
  it("sends a request that got a 502 again after 1 s, and returns the second answer", async () => {
    nock(API).get("/repos/acme/api/pulls/7").reply(502, "Bad Gateway").get("/repos/acme/api/pulls/7").reply(200, { number: 7 });
    const { gh, waits, retries } = client();
    expect((await get(gh)).data).toEqual({ number: 7 });
    expect(waits).toEqual([1_000]);
    expect(retries()).toBe(1);
  });

  it("backs off 1, 4 and 9 s, as Octokit's retry plugin does, then gives up with GitHub's error", async () => {
    nock(API).get("/repos/acme/api/pulls/7").times(4).reply(503, { message: "unavailable" });
    const { gh, waits, retries } = client();
    await expect(get(gh)).rejects.toMatchObject({ status: 503 });
    expect(waits).toEqual([1_000, 4_000, 9_000]);
    expect(retries()).toBe(3);
    expect(nock.isDone()).toBe(true);
  });

  it("retries a request that got no answer at all", async () => {
    nock(API).get("/repos/acme/api/pulls/7").replyWithError("socket hang up").get("/repos/acme/api/pulls/7").reply(200, { number: 7 });
    const { gh, waits } = client();
    expect((await get(gh)).data).toEqual({ number: 7 });
    expect(waits).toEqual([1_000]);
  });

  it("never retries answers that would not change (404, 422, a plain 403)", async () => {
    for (const status of [404, 422, 403]) {
      nock(API).get("/repos/acme/api/pulls/7").reply(status, { message: "no" });
      const { gh, waits } = client();
      await expect(get(gh)).rejects.toMatchObject({ status });
      expect(waits).toEqual([]);
    }
  });

  it("never retries an error that is not GitHub's answer (a lapsed lease, a bug)", async () => {
    const { gh, waits } = client();
    gh.hook.before("request", () => {
      throw new Error("the lease on this PR lapsed");
    });
    await expect(get(gh)).rejects.toThrow("lease");
    expect(waits).toEqual([]);
  });

  it("leaves server errors alone without serverErrorRetries (Probot's own client retries them itself)", async () => {
    nock(API).get("/repos/acme/api/pulls/7").reply(502, "Bad Gateway");
    const { gh, waits } = client({ serverErrorRetries: 0 });
    await expect(get(gh)).rejects.toMatchObject({ status: 502 });
    expect(waits).toEqual([]);
  });

  it("counts server-error retries and secondary-rate-limit retries apart", async () => {
    nock(API)
      .get("/repos/acme/api/pulls/7")
      .reply(403, { message: "You have exceeded a secondary rate limit" }, { "retry-after": "2" })
      .get("/repos/acme/api/pulls/7")
      .reply(500, "oops")
      .get("/repos/acme/api/pulls/7")
      .reply(403, { message: "You have exceeded a secondary rate limit" }, { "retry-after": "3" })
      .get("/repos/acme/api/pulls/7")
      .reply(200, { number: 7 });
    const secondary: number[] = [];
    const { gh, waits, retries } = client({ onWait: (seconds) => secondary.push(seconds) });
    expect((await get(gh)).data).toEqual({ number: 7 });
    expect(waits).toEqual([2_000, 1_000, 3_000]);
    expect(secondary).toEqual([2, 3]);
    expect(retries()).toBe(1);
  });
});
