import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { isContentWrite, spaceWrites, type WriteSpacing } from "../../src/github/write-spacing.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

describe("write spacing counts content writes only", () => {
  afterEach(() => nock.cleanAll());

  it("tells reads and installation tokens from content writes", () => {
    expect(isContentWrite({ method: "POST", url: "/repos/{owner}/{repo}/check-runs" })).toBe(true);
    expect(isContentWrite({ method: "PATCH", url: "/repos/{owner}/{repo}/issues/comments/{comment_id}" })).toBe(true);
    expect(isContentWrite({ method: "GET", url: "/repos/{owner}/{repo}/pulls/{pull_number}" })).toBe(false);
    expect(isContentWrite({ method: "POST", url: "/app/installations/{installation_id}/access_tokens" })).toBe(false);
  });

  it("an installation client's token request does not take one of the installation's write turns", async () => {
    // A replica's first write for an installation asks for a token first; it must not spend the installation's burst.
    const scope = nock("https://api.github.com")
      .post("/app/installations/7/access_tokens")
      .reply(201, { token: "t", expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {}, repository_selection: "all" })
      .post("/repos/acme/api/check-runs")
      .reply(201, { id: 1 });
    const turns: string[] = [];
    const spacing = { acquire: async (key: string) => void turns.push(key) } as unknown as WriteSpacing;
    const octokit = new ProbotOctokit({
      auth: { appId: 1, privateKey, installationId: 7 },
      throttle: { enabled: false },
      retry: { enabled: false },
    });
    spaceWrites(octokit, spacing, "7");
    await octokit.rest.checks.create({ owner: "acme", repo: "api", name: "Gatehouse", head_sha: "a".repeat(40) });
    expect(scope.isDone()).toBe(true);
    expect(turns).toEqual(["7"]);
  });
});
