import { decodeLedger } from "../../src/core/ledger/ledger-codec.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkRunEvent, pullRequestEvent } from "../fixtures/webhooks.js";
import { APP_ID, createHarness, OWNERS, teardown, type Harness } from "./harness.js";
import { approveAll, comment } from "./commands.js";

const HEAD = "a".repeat(40);

describe("a revoke whose check-run write fails", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(teardown);

  const latest = () => h.github.checkRunsOn(HEAD, "Gatehouse").sort((a, b) => b.id - a.id)[0]!;
  const ledger = () => decodeLedger(latest().output.text ?? "")!;

  async function approved() {
    const pr = h.github.addPull({ number: 7, author: "dev", headSha: HEAD });
    await h.deliver(pullRequestEvent("opened", pr));
    await approveAll(h, pr);
    expect(latest().conclusion).toBe("success");
    return pr;
  }

  /** GitHub answers 502 to the first `failures` PATCHes of the Gatehouse run. */
  function failPatches(id: number, failures: number) {
    let left = failures;
    h.github.fault = (req) => {
      if (req.method === "PATCH" && req.path.endsWith(`/check-runs/${id}`) && left > 0) {
        left -= 1;
        return { status: 502, body: { message: "Bad Gateway" } };
      }
      return undefined;
    };
  }

  it("leaves the check failing with the revoke recorded, and a re-run shows it pending", async () => {
    const pr = await approved();
    const run = latest();
    failPatches(run.id, 1);
    await expect(comment(h, pr, OWNERS.security!, "/revoke security.waf rolled back")).rejects.toThrow();
    expect(latest().id).toBe(run.id);
    expect(latest().conclusion).toBe("failure");
    expect(latest().output.title).toMatch(/could not be written/);
    expect(ledger().events.at(-1)).toMatchObject({ kind: "revoke", gate: "security", item: "waf" });

    h.github.fault = undefined;
    await h.deliver(checkRunEvent("rerequested", { ...run, app: { id: APP_ID, slug: "gatehouse" } }, "dev"));
    expect(latest().conclusion).toBe("action_required");
    expect(ledger().events.filter((e) => e.kind === "revoke")).toHaveLength(1);
  });

  it("supersedes the run with a failing one when the run cannot be patched at all", async () => {
    const pr = await approved();
    const run = latest();
    failPatches(run.id, 2);
    await expect(comment(h, pr, OWNERS.security!, "/revoke security.waf rolled back")).rejects.toThrow();
    expect(latest().id).not.toBe(run.id);
    expect(latest()).toMatchObject({ conclusion: "failure", app: { id: APP_ID } });
    expect(ledger().events.at(-1)).toMatchObject({ kind: "revoke" });
  });
});
