import type { GitHubClient, RepoRef } from "./client.js";
import { ANSWER_UNPARSED, discardAnswer, jsonAnswer } from "./unparsed-answers.js";
import { httpStatus } from "./http-error.js";

export interface IssueComment {
  id: number;
  body: string;
  html_url: string;
}

/**
 * Finds the checklist comment this app wrote on a PR: the first comment by a bot that starts with
 * the marker and, where GitHub says which app performed it, was performed by this app.
 */
export async function findAppComment(
  gh: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  appId: number,
  isOurs: (body: string) => boolean,
): Promise<IssueComment | undefined> {
  const comments = await gh.paginate(gh.rest.issues.listComments, { ...repo, issue_number: issueNumber, per_page: 100 });
  const match = comments.find(
    (c) =>
      c.user?.type === "Bot" && (c.performed_via_github_app == null || c.performed_via_github_app.id === appId) && isOurs(c.body ?? ""),
  );
  return match && { id: match.id, body: match.body ?? "", html_url: match.html_url };
}

export async function createComment(gh: GitHubClient, repo: RepoRef, issueNumber: number, body: string): Promise<IssueComment> {
  const { data } = await gh.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
  return { id: data.id, body: data.body ?? body, html_url: data.html_url };
}

export async function updateComment(gh: GitHubClient, repo: RepoRef, commentId: number, body: string): Promise<void> {
  const { data } = await gh.rest.issues.updateComment({ ...repo, comment_id: commentId, body, request: ANSWER_UNPARSED });
  await discardAnswer(data);
}

export type Reaction = "+1" | "confused";

/**
 * Acknowledges a command. A comment deleted since (404, 410) has nobody left to answer; any other
 * failure is thrown, so GitHub sees the delivery fail and the redelivery answers it (the command
 * itself is recorded once, by its source).
 */
export async function reactToComment(gh: GitHubClient, repo: RepoRef, commentId: number, content: Reaction): Promise<void> {
  try {
    await gh.rest.reactions.createForIssueComment({ ...repo, comment_id: commentId, content });
  } catch (error) {
    const status = httpStatus(error);
    if (status !== 404 && status !== 410) throw error;
  }
}

/** Links a check run to the checklist comment; the id is recovered from it on a cold start. */
export function commentIdFromUrl(url: string | null | undefined): number | undefined {
  const match = /#issuecomment-(\d+)$/.exec(url ?? "");
  return match ? Number(match[1]) : undefined;
}

export async function getCommentBody(gh: GitHubClient, repo: RepoRef, commentId: number): Promise<string | undefined> {
  try {
    const { data } = await gh.rest.issues.getComment({ ...repo, comment_id: commentId, request: ANSWER_UNPARSED });
    return (await jsonAnswer<{ body?: string | null }>(data)).body ?? "";
  } catch (error) {
    // A deleted checklist comment is recreated by the caller.
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}
