import { describe, expect, it } from "vitest";
import { bindSignoffs, carryOver, retarget, type Comparison, type Push } from "../../../src/core/ledger/carry-over.js";
import { evaluate } from "../../../src/core/evaluate/evaluate.js";
import type { Ledger, LedgerEvent } from "../../../src/core/ledger/ledger.js";
import { decodeLedger, encodeLedger } from "../../../src/core/ledger/ledger-codec.js";
import { HEAD, launchChecklist, launchConfig, NEXT_HEAD, releasePr, revoke, signoff } from "../../fixtures/launch-checklist.js";

const signed: Ledger = {
  version: 1,
  pr: 42,
  events: [
    signoff("security", "waf"),
    signoff("security", "rate-limits"),
    signoff("operations", undefined, { actor: "dana" }),
    signoff("compliance", "soc2", { actor: "erin" }),
  ],
};

function push(changedFiles: string[], mode: Push["mode"] = "paths", fields: Partial<Push> = {}): Push {
  return {
    checklist: launchChecklist,
    mode,
    rewriteMode: "all",
    fromSha: HEAD,
    toSha: NEXT_HEAD,
    comparison: { kind: "fast-forward", files: changedFiles, complete: true },
    at: "2026-11-26T10:00:00.000Z",
    actor: "gatehouse[bot]",
    ...fields,
  };
}

const newEvents = (before: Ledger, after: Ledger) => after.events.slice(before.events.length);

describe("carryOver, invalidate_on_push: paths", () => {
  it("invalidates the gates whose paths match, with a reason naming the glob and the files", () => {
    const { ledger, invalidated } = carryOver(signed, push(["README.md", "src/auth/login.ts"]));
    expect(invalidated).toEqual([
      { gate: "security", files: ["src/auth/login.ts"], reason: "invalidated by push fedcba9: src/auth/** changed (src/auth/login.ts)" },
    ]);
    expect(newEvents(signed, ledger)).toEqual<LedgerEvent[]>([
      {
        kind: "invalidate",
        actor: "gatehouse[bot]",
        role: "security",
        gate: "security",
        sha: NEXT_HEAD,
        at: "2026-11-26T10:00:00.000Z",
        method: "push",
        note: "invalidated by push fedcba9: src/auth/** changed (src/auth/login.ts)",
        files: ["src/auth/login.ts"],
      },
    ]);
  });

  it("appends only: earlier events are kept as they were, and the input ledger is not changed", () => {
    const before = structuredClone(signed);
    const { ledger } = carryOver(signed, push(["src/auth/login.ts"]));
    expect(ledger.events.slice(0, signed.events.length)).toEqual(signed.events);
    expect(signed).toEqual(before);
  });

  it("leaves gates without `paths` alone, however much changes", () => {
    const { invalidated } = carryOver(signed, push(["src/app.ts", "docs/runbook.md", "package.json"]));
    expect(invalidated).toEqual([]);
  });

  it("leaves matching gates that have no standing sign-offs alone", () => {
    const revoked: Ledger = { ...signed, events: [...signed.events, revoke("security")] };
    expect(carryOver(revoked, push(["src/auth/login.ts", "legal/dpa.md"])).invalidated.map((i) => i.gate)).toEqual(["compliance"]);
    const unsigned: Ledger = { version: 1, pr: 42, events: [] };
    expect(carryOver(unsigned, push(["src/auth/login.ts"])).ledger).toBe(unsigned);
  });

  it("names every matching glob and keeps at most 10 files, counting the rest", () => {
    const files = [...Array.from({ length: 11 }, (_, i) => `infra/module-${i}.tf`), "src/auth/session.ts"];
    const [security] = carryOver(signed, push(files)).invalidated;
    expect(security?.reason).toBe(
      "invalidated by push fedcba9: src/auth/**, infra/** changed (infra/module-0.tf, infra/module-1.tf, infra/module-2.tf and 9 more)",
    );
    expect(security?.files).toHaveLength(10);
  });

  it("makes the invalidated items show up as invalidated, and the verdict pending again", () => {
    const everything: Ledger = {
      ...signed,
      events: [
        ...signed.events,
        signoff("security", "penetration-test", { url: "https://example.com/report" }),
        signoff("compliance", "dpia", { actor: "erin" }),
      ],
    };
    const judge = (ledger: Ledger) =>
      evaluate({
        checklist: launchChecklist,
        config: launchConfig(),
        ledger,
        pr: { ...releasePr, headSha: NEXT_HEAD },
        now: new Date("2026-11-27T00:00:00Z"),
      });
    expect(judge(everything).status).toBe("approved");
    const { ledger } = carryOver(everything, push(["infra/main.tf"]));
    const verdict = judge(decodeLedger(encodeLedger(ledger))!);
    expect(verdict.status).toBe("pending");
    const security = verdict.gates.find((g) => g.gate.id === "security")!;
    expect(security.items[0]).toMatchObject({
      status: "invalidated",
      reason: "invalidated by push fedcba9: infra/** changed (infra/main.tf)",
    });
  });
});

describe("carryOver, invalidate_on_push: all", () => {
  it("invalidates every gate with sign-offs when any file changes", () => {
    const { invalidated } = carryOver(signed, push(["README.md", "docs/a.md"], "all"));
    expect(invalidated.map((i) => [i.gate, i.reason])).toEqual([
      ["security", "invalidated by push fedcba9: 2 files changed (README.md, docs/a.md)"],
      ["operations", "invalidated by push fedcba9: 2 files changed (README.md, docs/a.md)"],
      ["compliance", "invalidated by push fedcba9: 2 files changed (README.md, docs/a.md)"],
    ]);
  });

  it("skips gates nobody has signed", () => {
    const { invalidated } = carryOver(signed, push(["README.md"], "all"));
    expect(invalidated.map((i) => i.gate)).not.toContain("promotion");
    expect(invalidated[0]?.reason).toBe("invalidated by push fedcba9: 1 file changed (README.md)");
  });

  it("still invalidates when the changed files are unknown or none", () => {
    const { invalidated } = carryOver(signed, push([], "all"));
    expect(invalidated.map((i) => [i.gate, i.reason, i.files])).toEqual([
      ["security", "invalidated by push fedcba9 (invalidate_on_push: all)", []],
      ["operations", "invalidated by push fedcba9 (invalidate_on_push: all)", []],
      ["compliance", "invalidated by push fedcba9 (invalidate_on_push: all)", []],
    ]);
  });

  it("does nothing when the head did not move", () => {
    expect(carryOver(signed, push(["README.md"], "all", { toSha: HEAD })).ledger).toBe(signed);
  });
});

describe("carryOver, invalidate_on_push: none", () => {
  it("keeps every sign-off", () => {
    const result = carryOver(signed, push(["src/auth/login.ts", "legal/dpa.md"], "none"));
    expect(result).toEqual({ ledger: signed, invalidated: [] });
  });
});

describe("carryOver: repeated and racing pushes", () => {
  it("appends nothing when the same push is delivered twice", () => {
    const once = carryOver(signed, push(["src/auth/login.ts"])).ledger;
    const twice = carryOver(once, push(["src/auth/login.ts"]));
    expect(twice.ledger).toBe(once);
    expect(twice.invalidated).toEqual([]);
  });

  it("does not invalidate a re-sign-off given on the new head when the push is redelivered", () => {
    const once = carryOver(signed, push(["src/auth/login.ts"])).ledger;
    const resigned: Ledger = { ...once, events: [...once.events, signoff("security", "waf", { sha: NEXT_HEAD })] };
    expect(carryOver(resigned, push(["src/auth/login.ts"])).invalidated).toEqual([]);
  });

  it("invalidates again on a later push", () => {
    const once = carryOver(signed, push(["src/auth/login.ts"])).ledger;
    const resigned: Ledger = { ...once, events: [...once.events, signoff("security", "waf", { sha: NEXT_HEAD })] };
    const later = carryOver(
      resigned,
      push(["src/auth/token.ts"], "paths", { fromSha: NEXT_HEAD, toSha: "1111111222222233333334444444555555566666" }),
    );
    expect(later.invalidated.map((i) => i.reason)).toEqual(["invalidated by push 1111111: src/auth/** changed (src/auth/token.ts)"]);
  });
});

describe("carryOver: only a fast-forward with a complete file list is judged by paths", () => {
  const compared = (comparison: Comparison, fields: Partial<Push> = {}) => carryOver(signed, { ...push([]), comparison, ...fields });

  it("a force-push back to a reverted commit (new head behind the old one) invalidates every gate, saying why", () => {
    // GitHub's three-dot compare lists no files here: it diffs from the merge base, which is the new head.
    const { invalidated, ledger } = compared({ kind: "rewrite", aheadBy: 0, behindBy: 1 });
    expect(invalidated.map((i) => i.gate)).toEqual(["security", "operations", "compliance"]);
    expect(invalidated[0]!.reason).toBe(
      "invalidated by force-push fedcba9: the new head does not contain abc1234; history was rewritten (removed 1 commit), so the changed files cannot be trusted (invalidate_on_rewrite: all)",
    );
    expect(newEvents(signed, ledger).every((e) => e.kind === "invalidate" && e.sha === NEXT_HEAD && e.method === "push")).toBe(true);
  });

  it("a diverged history (rebase) invalidates every gate, even gates without paths", () => {
    const { invalidated } = compared({ kind: "rewrite", aheadBy: 3, behindBy: 2 });
    expect(invalidated.map((i) => i.gate)).toEqual(["security", "operations", "compliance"]);
    expect(invalidated[0]!.reason).toContain("(removed 2 commits and added 3)");
  });

  it("an unknown comparison invalidates every gate, naming what GitHub said", () => {
    const { invalidated } = compared({ kind: "unknown", why: "one of the commits no longer exists" });
    expect(invalidated).toHaveLength(3);
    expect(invalidated[0]!.reason).toBe(
      "invalidated by push fedcba9: GitHub could not compare abc1234 with the new head (one of the commits no longer exists) (invalidate_on_rewrite: all)",
    );
  });

  it("a cut-off file list under paths invalidates every gate, since unlisted files could match", () => {
    const files = Array.from({ length: 300 }, (_, i) => `docs/page-${i}.md`);
    const { invalidated } = compared({ kind: "fast-forward", files, complete: false });
    expect(invalidated.map((i) => i.gate)).toEqual(["security", "operations", "compliance"]);
    expect(invalidated[0]!.reason).toContain("300 or more files changed, more than GitHub lists");
  });

  it("invalidate_on_rewrite: none keeps every sign-off through a rewrite, an unknown compare and a cut-off list", () => {
    expect(compared({ kind: "rewrite", aheadBy: 0, behindBy: 1 }, { rewriteMode: "none" }).ledger).toBe(signed);
    expect(compared({ kind: "unknown", why: "x" }, { rewriteMode: "none" }).ledger).toBe(signed);
    expect(compared({ kind: "fast-forward", files: [], complete: false }, { rewriteMode: "none" }).ledger).toBe(signed);
  });

  it("invalidate_on_push: none keeps sign-offs through a fast-forward, but not through a rewrite", () => {
    expect(compared({ kind: "fast-forward", files: ["src/auth/a.ts"], complete: false }, { mode: "none" }).invalidated).toEqual([]);
    expect(compared({ kind: "rewrite", aheadBy: 1, behindBy: 1 }, { mode: "none" }).invalidated).toHaveLength(3);
  });

  it("a rewrite keeps gates whose sign-offs were all given on the new head itself", () => {
    const onHead: Ledger = {
      version: 1,
      pr: 42,
      events: [signoff("security", "waf", { sha: NEXT_HEAD }), signoff("operations", undefined, { actor: "dana" })],
    };
    const { invalidated } = carryOver(onHead, { ...push([]), comparison: { kind: "rewrite", aheadBy: 0, behindBy: 1 } });
    expect(invalidated.map((i) => i.gate)).toEqual(["operations"]);
  });
});

describe("bindSignoffs: a sign-off given on a commit that is no longer the head", () => {
  const bind = (events: LedgerEvent[], comparison: Comparison, fields: Partial<Push> = {}) =>
    bindSignoffs(events, { ...push([]), comparison, seenSha: HEAD, ...fields });

  it("counts when the head fast-forwarded without touching the gate's paths", () => {
    expect(bind([signoff("security", "waf")], { kind: "fast-forward", files: ["README.md"], complete: true })).toEqual({
      events: [],
      invalidated: [],
    });
  });

  it("is invalidated, item by item, when the gate's paths changed since the commit it was given on", () => {
    const { events, invalidated } = bind([signoff("security", "waf")], {
      kind: "fast-forward",
      files: ["src/auth/login.ts"],
      complete: true,
    });
    expect(invalidated[0]!.reason).toBe(
      "invalidated: signed at abc1234, but the head is now fedcba9: src/auth/** changed (src/auth/login.ts)",
    );
    expect(events).toEqual([
      expect.objectContaining({ kind: "invalidate", gate: "security", item: "waf", sha: NEXT_HEAD, files: ["src/auth/login.ts"] }),
    ]);
  });

  it("a whole-gate sign-off is invalidated on exactly the items it signed, so other owners' sign-offs stand", () => {
    const { events } = bind([signoff("security")], { kind: "rewrite", aheadBy: 1, behindBy: 1 });
    expect(events.map((e) => e.item)).toEqual(["waf", "rate-limits", "bug-bounty"]);
    const ledger: Ledger = {
      version: 1,
      pr: 42,
      events: [signoff("security", "penetration-test", { sha: NEXT_HEAD, url: "https://x" }), signoff("security"), ...events],
    };
    const verdict = evaluate({
      checklist: launchChecklist,
      config: launchConfig(),
      ledger,
      pr: { ...releasePr, headSha: NEXT_HEAD },
      now: new Date("2026-11-27T00:00:00Z"),
    });
    const items = verdict.gates.find((g) => g.gate.id === "security")!.items;
    expect(items.find((i) => i.item.id === "penetration-test")!.status).toBe("signed");
    expect(items.find((i) => i.item.id === "waf")!.status).toBe("invalidated");
  });

  it("leaves sign-offs on the head and revokes alone", () => {
    expect(
      bind([signoff("security", "waf", { sha: NEXT_HEAD }), revoke("security")], { kind: "rewrite", aheadBy: 1, behindBy: 1 }).events,
    ).toEqual([]);
  });
});

describe("retarget", () => {
  const input = {
    checklist: launchChecklist,
    mode: "all" as const,
    from: "release/1.0",
    to: "main",
    sha: NEXT_HEAD,
    at: "2026-11-26T10:00:00.000Z",
    actor: "dev",
  };

  it("invalidates every gate with standing sign-offs, saying which base it moved from and to", () => {
    const { ledger, invalidated } = retarget(signed, input);
    expect(invalidated.map((i) => i.gate)).toEqual(["security", "operations", "compliance"]);
    expect(newEvents(signed, ledger)[0]).toMatchObject({
      kind: "invalidate",
      gate: "security",
      sha: NEXT_HEAD,
      actor: "dev",
      note: "invalidated by retarget: the base branch changed from release/1.0 to main (invalidate_on_retarget: all)",
    });
  });

  it("with invalidate_on_retarget: none, or no real change, keeps everything", () => {
    expect(retarget(signed, { ...input, mode: "none" }).ledger).toBe(signed);
    expect(retarget(signed, { ...input, to: "release/1.0" }).ledger).toBe(signed);
  });
});
