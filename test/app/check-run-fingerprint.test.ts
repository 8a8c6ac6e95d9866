import { describe, expect, it } from "vitest";
import { checkRunFingerprint, writtenConclusion } from "../../src/app/sync/check-run-content.js";

describe("writtenConclusion", () => {
  it("reads the conclusion a fingerprint records, whatever the output holds", () => {
    const output = { title: 'Pending: "quoted" [x]', summary: '["success", 1]', text: "<!-- gatehouse-ledger:v1:gz:abc -->" };
    for (const conclusion of ["success", "action_required", "failure"] as const) {
      const fingerprint = checkRunFingerprint({ name: "Gatehouse", conclusion, output });
      expect(writtenConclusion(fingerprint)).toBe(conclusion);
    }
  });

  it("knows none without a fingerprint, and none that is not a string", () => {
    expect(writtenConclusion(undefined)).toBeUndefined();
    const inProgress = { id: 1, name: "Gatehouse", headSha: "a".repeat(40), detailsUrl: null, conclusion: null };
    expect(writtenConclusion(checkRunFingerprint({ ...inProgress, output: { title: "t", summary: "s", text: null } }))).toBeUndefined();
  });
});

describe("checkRunFingerprint", () => {
  const content = {
    name: "Gatehouse",
    conclusion: "action_required" as const,
    details_url: "https://github.com/acme/api/pull/7#issuecomment-1",
    output: { title: "Pending", summary: "2 of 5 gates", text: "<!-- gatehouse-ledger:v1:gz:abc -->" },
  };

  it("is the same for what was written and the run read back, so an unchanged run is not PATCHed", () => {
    const readBack = {
      id: 9,
      name: "Gatehouse",
      headSha: "a".repeat(40),
      detailsUrl: content.details_url,
      conclusion: "action_required",
      output: { ...content.output },
    };
    expect(checkRunFingerprint(readBack)).toBe(checkRunFingerprint(content));
    const noText = { ...content, output: { title: "t", summary: "s" } };
    expect(checkRunFingerprint({ ...readBack, detailsUrl: null, output: { title: "t", summary: "s", text: null } })).toBe(
      checkRunFingerprint({ ...noText, details_url: undefined }),
    );
  });

  it("differs when any field differs, also when text only moves from one field to the next", () => {
    const base = checkRunFingerprint(content);
    const variants = [
      { ...content, conclusion: "success" as const },
      { ...content, details_url: `${content.details_url}0` },
      { ...content, output: { ...content.output, title: "Pending!" } },
      { ...content, output: { ...content.output, summary: "3 of 5 gates" } },
      { ...content, output: { ...content.output, text: "<!-- gatehouse-ledger:v1:gz:abd -->" } },
      { ...content, output: { ...content.output, title: "Pending2", summary: " of 5 gates" } },
      { ...content, output: { title: "Pending", summary: "2 of 5 gates" } },
    ];
    const prints = variants.map((v) => checkRunFingerprint(v));
    expect(new Set([base, ...prints]).size).toBe(variants.length + 1);
    // A digest: a cached PR keeps a few dozen characters, not its whole output.
    expect(base.length).toBeLessThan(80);
  });
});
