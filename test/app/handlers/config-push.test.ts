import { afterEach, describe, expect, it } from "vitest";
import { pushEvent } from "../../fixtures/webhooks.js";
import { createHarness, teardown, type Harness } from "../harness.js";

const SECRET = "AKIAIOSFODNN7EXAMPLE";
const SHA = "f".repeat(40);

/** Serves `acme/policies:.github/gatehouse.yml` (another repository) and records every read of it. */
function servePolicies(h: Harness, text: string): string[] {
  const reads: string[] = [];
  h.github.fault = (req) => {
    if (!req.path.startsWith("/repos/acme/policies/")) return undefined;
    reads.push(req.path);
    return { status: 200, body: text, headers: { "content-type": "application/vnd.github.raw; charset=utf-8" } };
  };
  return reads;
}

describe("config validation on push", () => {
  let h: Harness;
  afterEach(() => teardown());

  it("on a branch, checks an _extends into another repository as a reference, without reading it", async () => {
    h = await createHarness();
    const reads = servePolicies(h, `release: ${SECRET}\n`);
    h.github.filesAt.set(SHA, new Map([[".github/gatehouse.yml", "_extends: acme/policies\nchecklist: pre-production\n"]]));
    await h.deliver(pushEvent({ ref: "refs/heads/borrow-policy", after: SHA, modified: [".github/gatehouse.yml"], sender: "dev" }));

    expect(reads).toEqual([]);
    const run = h.github.checkRunsOn(SHA, "Gatehouse config")[0]!;
    expect(run.conclusion).toBe("neutral");
    expect(run.output.summary).toMatch(/acme\/policies:\.github\/gatehouse\.yml in another repository.*default branch/);
  });

  it("on a branch, still reports a malformed _extends reference at its line", async () => {
    h = await createHarness();
    h.github.filesAt.set(SHA, new Map([[".github/gatehouse.yml", "checklist: pre-production\n_extends: acme/policies:base.txt\n"]]));
    await h.deliver(pushEvent({ ref: "refs/heads/borrow-policy", after: SHA, modified: [".github/gatehouse.yml"], sender: "dev" }));
    const run = h.github.checkRunsOn(SHA, "Gatehouse config")[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary).toContain(".github/gatehouse.yml:2:11:");
  });

  it("never shows a value read from another repository; it names the key path", async () => {
    h = await createHarness();
    servePolicies(h, `release: ${SECRET}\nowners:\n  security: 42\n`);
    h.github.filesAt.set(SHA, new Map([[".github/gatehouse.yml", "_extends: acme/policies\nchecklist: pre-production\n"]]));
    h.github.files.set(".github/gatehouse.yml", "_extends: acme/policies\nchecklist: pre-production\n");
    await h.deliver(pushEvent({ ref: "refs/heads/main", after: SHA, modified: [".github/gatehouse.yml"], sender: "dev" }));

    const run = h.github.checkRunsOn(SHA, "Gatehouse config")[0]!;
    expect(run.conclusion).toBe("failure");
    const shown = JSON.stringify([run.output, run.annotations]);
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain("AKIA");
    expect(run.output.summary).toMatch(/acme\/policies:\.github\/gatehouse\.yml:1:10: the value of "release" is not valid/);
    expect(run.output.summary).toMatch(/the value of "owners\.security" is not valid/);
  });
});
