import type { RepoConfig } from "../../core/config/config-schema.js";
import { parseOwner, sameLogin } from "../../core/config/owner-ref.js";
import { ProblemError } from "../../core/config/problem.js";
import { matchRelease } from "../../core/evaluate/release-match.js";
import type { LedgerEvent } from "../../core/ledger/ledger.js";
import { escapeMarkdown } from "../../core/render/escape.js";
import type { GitHubClient, RepoRef } from "../../github/client.js";
import { addLabel, repositoryRole } from "../../github/pull-people.js";
import type { PullRequestInfo } from "../../github/pull-requests.js";
import type { TeamMembership } from "../../github/team-membership.js";
import { prKey } from "../runtime/pr-state.js";
import type { Runtime } from "../runtime/runtime.js";
import type { Signer } from "./authorize.js";
import { syncRelease } from "./release-sync.js";
import { loadPrState } from "./state-loader.js";

/**
 * Labels the App put back, per runtime: GitHub echoes each as `pull_request.labeled`, which changes
 * nothing and must not re-render the comment (that would wipe the notice explaining the revert).
 */
const restored = new WeakMap<Runtime, Set<string>>();

/** Is this `labeled` event the echo of a label Gatehouse put back? Consumes the expectation. */
export function isRestoredLabelEcho(rt: Runtime, repo: RepoRef, number: number, label: string): boolean {
  const key = `${prKey(repo, number)}:${label.toLowerCase()}`;
  return restored.get(rt)?.delete(key) ?? false;
}

/** Repository roles that may un-gate a release PR, besides the configured release managers. */
const UNGATING_ROLES = new Set(["admin", "maintain"]);

/**
 * The release label came off a PR. Once Gatehouse has posted its checklist, that label is what
 * keeps a label-based release PR gated, so removing it is a decision only repository maintainers
 * and admins or the configured `release_managers` may take. Anyone else's removal is reverted (the
 * App puts the label back) and explained in the comment; an allowed removal is recorded in the
 * ledger and named on the neutral check. Both land in the ledger, so the audit reports them.
 * @returns false when this removal is not Gatehouse's business (another label, still a release PR
 *   by another rule, never gated, or a config that does not load): the caller syncs as usual.
 */
export async function guardReleaseLabel(
  rt: Runtime,
  input: { gh: GitHubClient; repo: RepoRef; pr: PullRequestInfo; label: string; remover: Signer },
): Promise<boolean> {
  const { gh, repo, pr, label, remover } = input;
  let config: RepoConfig;
  try {
    ({ config } = await rt.configs.load(gh, repo));
  } catch (error) {
    // The usual sync reports a broken config on the check (fail closed there).
    if (error instanceof ProblemError) return false;
    throw error;
  }
  const configured = config.release.labels.find((l) => l.toLowerCase() === label.toLowerCase());
  if (configured === undefined || matchRelease(config, pr).release) return false;
  const cached = rt.states.get(prKey(repo, pr.number));
  const state = cached?.headSha === pr.headSha ? cached : (await loadPrState(gh, repo, rt.appId, pr, { searchEarlier: false })).state;
  if (state.checkRunId === undefined) return false;

  const at = rt.now().toISOString();
  const who = `@${remover.login}`;
  const standing = await removerStanding(gh, rt.membership, repo, config, remover);
  const base = {
    actor: remover.login,
    ...(remover.id !== undefined ? { actorId: remover.id } : {}),
    gate: "",
    sha: pr.headSha,
    at,
    method: "label" as const,
  };

  if (standing.allowed) {
    const event: LedgerEvent = {
      ...base,
      kind: "unlabel",
      role: standing.role,
      note: `removed the release label "${label}" as ${standing.role}; the PR is no longer gated`,
    };
    await syncRelease(rt, {
      gh,
      repo,
      number: pr.number,
      pr,
      retireIfNotRelease: true,
      ungated: { events: [event] },
    });
    return true;
  }

  // Put the label back before anything else, so the PR is never shown as un-gated.
  let failure: unknown;
  try {
    const echoes = restored.get(rt) ?? new Set<string>();
    restored.set(rt, echoes);
    echoes.add(`${prKey(repo, pr.number)}:${configured.toLowerCase()}`);
    if (echoes.size > 1_000) echoes.delete(echoes.values().next().value as string);
    await addLabel(gh, repo, pr.number, configured);
  } catch (error) {
    failure = error;
  }
  const event: LedgerEvent = {
    ...base,
    kind: "relabel",
    role: standing.role,
    note: `removed the release label "${label}" (role: ${standing.role}), which only ${standing.who} may do; ${failure ? "Gatehouse could not put it back" : "Gatehouse put it back"}`,
  };
  const notice =
    `🏷️ ${escapeMarkdown(who)} removed the release label **${escapeMarkdown(label)}**, but once Gatehouse has posted its checklist only ` +
    `${escapeMarkdown(standing.who)} may un-gate a release PR (${escapeMarkdown(who)}'s role here: ${escapeMarkdown(standing.role)}). ` +
    (failure
      ? `Gatehouse could not put the label back (${escapeMarkdown((failure as Error).message ?? String(failure), { maxLength: 200 })}); add it again — this PR stays gated.`
      : "Gatehouse put the label back; this PR stays gated.");
  await syncRelease(rt, {
    gh,
    repo,
    number: pr.number,
    // The PR as it is now that the label is back (or as it must be treated if that failed).
    pr: { ...pr, labels: [...pr.labels, configured] },
    change: async () => ({ events: [event], notices: [notice] }),
  });
  if (failure) throw failure;
  return true;
}

/** Whether the remover may un-gate, the standing recorded in the ledger, and who may (for the explanation). */
async function removerStanding(
  gh: GitHubClient,
  membership: TeamMembership,
  repo: RepoRef,
  config: RepoConfig,
  remover: Signer,
): Promise<{ allowed: boolean; role: string; who: string }> {
  const managers = config.release_managers;
  const who = `repository maintainers and admins${managers.length > 0 ? ` or the release managers (${managers.join(", ")})` : ""}`;
  for (const text of managers) {
    const owner = parseOwner(text);
    if (owner.kind === "user" && sameLogin(owner.login, remover.login)) return { allowed: true, role: `release manager ${text}`, who };
  }
  for (const text of managers) {
    const owner = parseOwner(text);
    if (owner.kind === "team" && (await membership.isActiveMember(gh, owner.org, owner.slug, remover.login))) {
      return { allowed: true, role: `release manager (member of ${text})`, who };
    }
  }
  const role = await repositoryRole(gh, repo, remover.login);
  return { allowed: UNGATING_ROLES.has(role), role: role === "none" ? "no access" : role, who };
}
