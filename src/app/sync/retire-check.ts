import { escapeMarkdown } from "../../core/render/escape.js";
import { encodeLedger } from "../../core/ledger/ledger-codec.js";
import { appendEvents } from "../../core/ledger/ledger.js";
import type { CheckRunContent } from "../../github/check-runs.js";
import { CHECK_NAME } from "../../github/ledger-check-run.js";
import type { PullRequestInfo } from "../../github/pull-requests.js";
import { prKey, type PrState } from "../runtime/pr-state.js";
import type { SyncRequest } from "./sync-types.js";
import { writeCheckRun } from "./release-writer.js";
import type { Runtime } from "../runtime/runtime.js";
import { loadPrState } from "./state-loader.js";

/** A PR that stopped being a release PR (label removed, base changed) gets its check neutralised. */
export async function retire(rt: Runtime, req: SyncRequest, pr: PullRequestInfo, reason: string): Promise<void> {
  const { gh, repo } = req;
  const key = prKey(repo, pr.number);
  const cached = rt.states.get(key);
  const state = cached?.headSha === pr.headSha ? cached : (await loadPrState(gh, repo, rt.appId, pr, { searchEarlier: false })).state;
  if (state.checkRunId === undefined) return;
  // An allowed removal of the release label is part of the PR's record.
  const ledger = req.ungated ? appendEvents(state.ledger, req.ungated.events) : state.ledger;
  // The check names who un-gated the PR, also on later events, rather than just the bare rule.
  const removal = [...ledger.events].reverse().find((e) => e.kind === "unlabel" || e.kind === "relabel");
  const why =
    removal?.kind === "unlabel"
      ? `@${removal.actor} (${removal.role}) removed the release label on ${removal.at.slice(0, 10)}, so ${reason}`
      : reason;
  const content: CheckRunContent = {
    name: CHECK_NAME,
    conclusion: "neutral",
    ...(state.comment ? { details_url: state.comment.url } : {}),
    output: {
      title: "Not a release PR",
      summary: `Gatehouse does not gate this pull request: ${escapeMarkdown(why)}.`,
      text: encodeLedger(ledger),
    },
  };
  const next: PrState = { ...state, ledger, gateRuns: { ...state.gateRuns } };
  await writeCheckRun(gh, repo, pr.headSha, content, next, "aggregate", rt.now());
  rt.states.set(key, next);
}
