import { shippedChecklist } from "../../src/core/config/resolve-checklist.js";
import type { PullRecord } from "../support/github-stand-in.js";
import { issueCommentEvent } from "../fixtures/webhooks.js";
import { OWNERS, type Harness } from "./harness.js";

let nextCommentId = 50_000;

/** `sender` posts a PR comment (GitHub stores it, then sends issue_comment.created). */
export async function comment(h: Harness, pr: PullRecord, sender: string, body: string): Promise<{ id: number; reactions: string[] }> {
  const record = { id: nextCommentId++, body, user: { login: sender, type: "User" } };
  h.github.comments.push({ ...record, issue: pr.number, performed_via_github_app: null, html_url: "", reactions: [] });
  await h.deliver(issueCommentEvent("created", { pr, comment: record, sender }));
  return h.github.comments.find((c) => c.id === record.id)!;
}

/** Every owner of a required pre-production gate signs it by command, so the check turns green. */
export async function approveAll(h: Harness, pr: PullRecord): Promise<void> {
  const checklist = shippedChecklist("pre-production")!;
  for (const gate of checklist.gates.filter((g) => g.required)) {
    const lines = [`/signoff ${gate.id}`];
    for (const item of gate.items.filter((i) => i.evidence?.link))
      lines.push(`/signoff ${gate.id}.${item.id} https://evidence.example.com/${item.id}`);
    await comment(h, pr, OWNERS[gate.owner]!, lines.join("\n"));
  }
}
