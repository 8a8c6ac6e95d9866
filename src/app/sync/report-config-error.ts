import { encodeLedger } from "../../core/ledger/ledger-codec.js";
import type { ProblemError } from "../../core/config/problem.js";
import type { PullRequestInfo } from "../../github/pull-requests.js";
import { configErrorCheckRun } from "./check-run-content.js";
import { prKey, type PrState } from "../runtime/pr-state.js";
import type { SyncOutcome, SyncRequest } from "./sync-types.js";
import { writeCheckRun } from "./release-writer.js";
import type { Runtime } from "../runtime/runtime.js";
import { loadPrState } from "./state-loader.js";

/**
 * A broken config must never leave a green check: the head gets a failing run listing each
 * problem as file:line:col. The ledger found on the head is kept in it, so no sign-off is lost.
 */
export async function reportConfigError(rt: Runtime, req: SyncRequest, pr: PullRequestInfo, error: ProblemError): Promise<SyncOutcome> {
  const { gh, repo } = req;
  const key = prKey(repo, pr.number);
  const cached = rt.states.get(key);
  let state = cached?.headSha === pr.headSha ? cached : undefined;
  let carried = false;
  if (!state) {
    const loaded = await loadPrState(gh, repo, rt.appId, pr, { ...(cached ? { cached } : {}), searchEarlier: false });
    state = loaded.state;
    carried = loaded.carriedFrom !== undefined;
  }
  const content = configErrorCheckRun({
    problems: error.problems,
    repo,
    // A ledger that still belongs to an earlier head stays there; carry-over happens once the config is fixed.
    ...(carried || state.ledger.events.length === 0 ? {} : { ledgerText: encodeLedger(state.ledger) }),
    ...(state.comment ? { detailsUrl: state.comment.url } : {}),
  });
  const next: PrState = { ...state, gateRuns: { ...state.gateRuns } };
  if (carried) delete next.checkRunId;
  await writeCheckRun(gh, repo, pr.headSha, content, next, "aggregate", rt.now());
  // The cache must not hold a carried ledger as if it were this head's: drop it and reload next time.
  rt.states.delete(key);
  return { kind: "config-error", problems: error.problems };
}
