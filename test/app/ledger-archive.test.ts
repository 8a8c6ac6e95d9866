import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findLedgerCheckRun } from "../../src/github/ledger-check-run.js";
import { readAuditEvidence } from "../../src/github/audit-source.js";
import { ARCHIVE_CHECK_NAME } from "../../src/github/ledger-archive.js";
import { decodeLedgerBlock, LedgerArchivedError, decodeLedger } from "../../src/core/ledger/ledger-codec.js";
import { Octokit } from "@octokit/rest";
import { pullRequestEvent } from "../fixtures/webhooks.js";
import { APP_ID, createHarness, OWNERS, teardown, type Harness } from "./harness.js";
import { approveAll, comment } from "./commands.js";

const HEAD = "a".repeat(40);
const SIGN_OFFS = 1_000;
const PER_COMMENT = 50;

/** A 480-character note that differs from every other one, so compression cannot make it vanish. */
function note(n: number): string {
  let seed = n * 2_654_435_761;
  let text = `Checked run ${n}:`;
  while (text.length < 480) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    text += ` ${seed.toString(36)}`;
  }
  return text.slice(0, 480).trim();
}

describe("a ledger longer than one check run", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(teardown);

  it(`keeps ${SIGN_OFFS} long-note sign-offs and still records a revoke that turns the check from green`, async () => {
    const pr = h.github.addPull({ number: 7, author: "dev", headSha: HEAD });
    await h.deliver(pullRequestEvent("opened", pr));
    await approveAll(h, pr);
    const gatehouse = () => h.github.checkRunsOn(HEAD, "Gatehouse");
    expect(gatehouse()[0]!.conclusion).toBe("success");

    // The security owner re-signs items with long notes, far past what one check run holds.
    const items = ["waf", "rate-limits", "secret-rotation", "tls-certificates"];
    for (let start = 0; start < SIGN_OFFS; start += PER_COMMENT) {
      const lines = [];
      for (let n = start; n < start + PER_COMMENT; n++) lines.push(`/signoff security.${items[n % items.length]} ${note(n)}`);
      const posted = await comment(h, pr, OWNERS.security!, lines.join("\n"));
      expect(posted.reactions).toEqual(["+1"]);
    }
    expect(gatehouse()).toHaveLength(1);
    expect(gatehouse()[0]!.conclusion).toBe("success");
    const archives = h.github.checkRunsOn(HEAD, ARCHIVE_CHECK_NAME);
    expect(archives.length).toBeGreaterThan(1);
    for (const run of archives) {
      expect(run).toMatchObject({ conclusion: "neutral", app: { id: APP_ID } });
      expect((run.output.text ?? "").length).toBeLessThanOrEqual(65_535);
    }

    const revoke = await comment(h, pr, OWNERS.security!, "/revoke security.waf the WAF rules were rolled back");
    expect(revoke.reactions).toEqual(["+1"]);
    const run = gatehouse()[0]!;
    expect(run.conclusion).toBe("action_required");
    expect((run.output.text ?? "").length).toBeLessThanOrEqual(65_535);
    // The main block alone no longer holds the whole history; readers that ignore archives must not guess.
    expect(decodeLedgerBlock(run.output.text ?? "")!.archive.length).toBeGreaterThan(0);
    expect(() => decodeLedger(run.output.text ?? "")).toThrow(LedgerArchivedError);

    // The Action and the audit reconstruct every event, in order.
    const gh = new Octokit({ auth: "test-token", retry: { enabled: false } });
    const repo = { owner: "acme", repo: "api" };
    const found = await findLedgerCheckRun(gh as never, repo, { ref: HEAD, appId: APP_ID, pr: 7 });
    const events = found.ledger!.events;
    const signoffs = events.filter((e) => e.kind === "signoff" && e.note?.startsWith("Checked run"));
    expect(signoffs.map((e) => e.note)).toEqual(Array.from({ length: SIGN_OFFS }, (_, n) => note(n)));
    expect(events.at(-1)).toMatchObject({ kind: "revoke", gate: "security", item: "waf", actor: OWNERS.security });
    h.github.pulls.get(7)!.merged_at = "2026-11-26T00:00:00Z";
    const evidence = await readAuditEvidence(
      gh as never,
      repo,
      {
        number: 7,
        title: "",
        url: "",
        author: "dev",
        mergedAt: "2026-11-26T00:00:00Z",
        mergeSha: null,
        headSha: HEAD,
        baseRef: "main",
        labels: ["release"],
      },
      APP_ID,
    );
    expect(evidence.ledger).toMatchObject({ status: "trusted" });
    expect(evidence.ledger.status === "trusted" && evidence.ledger.ledger!.events).toEqual(events);
  }, 120_000);

  it("reads an altered archive run as corrupt, never as a shorter history", async () => {
    const pr = h.github.addPull({ number: 7, author: "dev", headSha: HEAD });
    await h.deliver(pullRequestEvent("opened", pr));
    for (let start = 0; start < 300; start += PER_COMMENT) {
      const lines = [];
      for (let n = start; n < start + PER_COMMENT; n++) lines.push(`/signoff security.waf ${note(n)}`);
      await comment(h, pr, OWNERS.security!, lines.join("\n"));
    }
    const [archive] = h.github.checkRunsOn(HEAD, ARCHIVE_CHECK_NAME);
    expect(archive).toBeDefined();
    archive!.output.text = archive!.output.text!.replace(/:gz:./, ":gz:A");
    const gh = new Octokit({ auth: "test-token", retry: { enabled: false } });
    await expect(findLedgerCheckRun(gh as never, { owner: "acme", repo: "api" }, { ref: HEAD, appId: APP_ID, pr: 7 })).rejects.toThrow(
      /digest/,
    );
  }, 60_000);
});
