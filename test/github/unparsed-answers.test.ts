import { Octokit } from "@octokit/rest";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { updateCheckRun } from "../../src/github/check-runs.js";
import { updateComment } from "../../src/github/comments.js";
import { discardAnswer, jsonAnswer } from "../../src/github/unparsed-answers.js";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const API = "https://api.github.com";
const repo = { owner: "acme", repo: "api" };
const content = {
  name: "Gatehouse",
  conclusion: "action_required" as const,
  output: { title: "1 of 3 gates approved", summary: 'a "quoted" summary\nwith ✅ and \\ backslashes', text: "ledger" },
};

/** A client that records how each request was made: its body as a JSON string already, its answer parsed or not. */
function client() {
  const gh = new Octokit({ auth: "ghs_test", retry: { enabled: false } });
  const seen: { rawBody: boolean; parsed: boolean }[] = [];
  gh.hook.before("request", (options) => {
    seen.push({ rawBody: typeof options.data === "string", parsed: options.request?.parseSuccessResponseBody !== false });
  });
  return { gh, seen };
}

describe("writes whose answer Gatehouse never reads", () => {
  it("sends a check run's update as the JSON it stands for, and leaves GitHub's answer unparsed", async () => {
    let received: unknown;
    nock(API)
      .patch("/repos/acme/api/check-runs/9", (body) => {
        received = body;
        return true;
      })
      // Not JSON at all: parsing it would fail, so this passes only if the answer is left unparsed.
      .reply(200, "{ not json", { "content-type": "application/json" });
    const { gh, seen } = client();
    await updateCheckRun(gh, repo, 9, content, new Date("2026-12-02T10:00:00.000Z"));
    expect(received).toEqual({
      name: "Gatehouse",
      status: "completed",
      conclusion: "action_required",
      completed_at: "2026-12-02T10:00:00.000Z",
      output: content.output,
      actions: [],
    });
    expect(seen).toEqual([{ rawBody: true, parsed: false }]);
    expect(nock.isDone()).toBe(true);
  });

  it("updates a comment without parsing the answer", async () => {
    nock(API)
      .patch("/repos/acme/api/issues/comments/5", { body: "new body" })
      .reply(200, "{ not json", { "content-type": "application/json" });
    const { gh, seen } = client();
    await updateComment(gh, repo, 5, "new body");
    expect(seen).toEqual([{ rawBody: false, parsed: false }]);
    expect(nock.isDone()).toBe(true);
  });

  it("still reads GitHub's error, so failures say what went wrong", async () => {
    nock(API).patch("/repos/acme/api/check-runs/9").reply(422, { message: "Invalid request: output.text is too long" });
    const { gh } = client();
    await expect(updateCheckRun(gh, repo, 9, content, new Date())).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining("output.text is too long"),
    });
  });

  it("reads an unparsed answer to its end", async () => {
    let pulled = 0;
    const chunks = ["a", "b", "c"];
    const stream = new ReadableStream<string>({
      pull(controller) {
        pulled++;
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      },
    });
    await discardAnswer(stream);
    expect(chunks).toEqual([]);
    expect(pulled).toBe(4);
    await expect(discardAnswer(undefined)).resolves.toBeUndefined();
  });

  it("parses an answer that arrives in chunks, a character split between two of them", async () => {
    const bytes = Buffer.from(JSON.stringify({ title: "Release ✅ 1.2", number: 7 }), "utf8");
    const cut = bytes.indexOf(0xe2) + 1;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, cut));
        controller.enqueue(bytes.subarray(cut));
        controller.close();
      },
    });
    await expect(jsonAnswer(stream)).resolves.toEqual({ title: "Release ✅ 1.2", number: 7 });
    await expect(jsonAnswer({ title: "parsed already" })).rejects.toThrow(TypeError);
  });
});
