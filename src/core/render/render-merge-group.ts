import { escapeMarkdown, markdownLink } from "./escape.js";

/** One PR of a merge group as the group's check judged it. */
export interface GroupEntry {
  number: number;
  url: string;
  /** The head judged: the one that was queued. */
  headSha?: string;
  status: "approved" | "not-gated" | "not-approved";
  /** Plain text, e.g. "2 of 5 required gates approved". Escaped here. */
  reason: string;
}

const ICON: Record<GroupEntry["status"], string> = { approved: "✅", "not-gated": "➖", "not-approved": "⛔" };

/**
 * The merge group check: passes only when every PR the group carries is approved at the head that
 * was queued (or is not a release PR). Names each PR that is not, with why.
 */
export function renderMergeGroup(entries: GroupEntry[]): { conclusion: "success" | "failure"; title: string; summary: string } {
  const blocked = entries.filter((e) => e.status === "not-approved");
  const numbers = (list: GroupEntry[]) => list.map((e) => `#${e.number}`).join(", ");
  const title =
    blocked.length === 0
      ? entries.length === 1
        ? `#${entries[0]!.number} approved`
        : `All ${entries.length} PRs in the group approved`
      : `${numbers(blocked)} ${blocked.length === 1 ? "is" : "are"} not approved`;
  const intro =
    entries.length === 1
      ? "This merge group carries one pull request; it must be approved at the head that was queued."
      : `This merge group carries ${entries.length} pull requests; each must be approved at the head that was queued, because the group's commit ships them all.`;
  const lines = entries.map((e) => {
    const link = markdownLink(`#${e.number}`, e.url) ?? escapeMarkdown(`#${e.number}`);
    const at = e.headSha ? ` at \`${e.headSha.slice(0, 7)}\`` : "";
    return `- ${ICON[e.status]} ${link}${at}: ${escapeMarkdown(e.reason, { maxLength: 300 })}`;
  });
  return { conclusion: blocked.length === 0 ? "success" : "failure", title, summary: [intro, "", ...lines].join("\n") };
}

/** The check for a group Gatehouse cannot take apart: it fails, and says why. */
export function renderUnknownGroup(reason: string): { conclusion: "failure"; title: string; summary: string } {
  return {
    conclusion: "failure",
    title: "Merge group not checked",
    summary: `Gatehouse could not tell which pull requests this merge group carries: ${escapeMarkdown(reason, { maxLength: 500 })} Nothing in it is approved until it can.`,
  };
}
