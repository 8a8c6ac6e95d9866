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
    expect(writtenConclusion(JSON.stringify([null, null, "t", "s", null]))).toBeUndefined();
  });
});
