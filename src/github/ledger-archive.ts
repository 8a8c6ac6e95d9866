import type { Ledger, LedgerArchiveRef } from "../core/ledger/ledger.js";
import { planArchive } from "../core/ledger/archive-plan.js";
import { httpStatus } from "./http-error.js";
import { decodeArchiveBlock, decodeLedgerBlock, joinArchive, LedgerCorruptError } from "../core/ledger/ledger-codec.js";
import { createCheckRun } from "./check-runs.js";
import type { GitHubClient, RepoRef } from "./client.js";

/**
 * Archive runs hold a ledger's oldest events once its history outgrows one check run. The name
 * must never be one a branch rule requires (that is "Gatehouse"), so their neutral conclusion
 * passes or blocks nothing.
 */
export const ARCHIVE_CHECK_NAME = "Gatehouse ledger archive";

/**
 * The whole ledger in a check run's `output.text`: the main block and, when it refers to archive
 * runs, their events, each run read by id and trusted only when this App created it under the
 * archive name and its block matches the digest the main block holds. One extra read per archive
 * run, and none for a ledger that was never archived.
 * @throws LedgerCorruptError when a block or an archive run cannot be trusted; callers fail closed.
 */
export async function readLedgerText(gh: GitHubClient, repo: RepoRef, appId: number, text: string): Promise<Ledger | undefined> {
  const block = decodeLedgerBlock(text);
  if (block === undefined) return undefined;
  const archived = [];
  for (const ref of block.archive) archived.push(await readArchive(gh, repo, appId, block.pr, ref));
  return joinArchive(block, archived);
}

async function readArchive(gh: GitHubClient, repo: RepoRef, appId: number, pr: number, ref: LedgerArchiveRef) {
  let data: Awaited<ReturnType<GitHubClient["rest"]["checks"]["get"]>>["data"];
  try {
    ({ data } = await gh.rest.checks.get({ ...repo, check_run_id: ref.checkRunId }));
  } catch (error) {
    if (httpStatus(error) === 404) throw new LedgerCorruptError(`archive check run ${ref.checkRunId} does not exist`);
    throw error;
  }
  if (data.app?.id !== appId || data.name !== ARCHIVE_CHECK_NAME) {
    throw new LedgerCorruptError(`check run ${ref.checkRunId} is not a "${ARCHIVE_CHECK_NAME}" run of app ${appId}`);
  }
  return decodeArchiveBlock(data.output.text ?? "", pr, ref);
}

/**
 * Moves the oldest events of a ledger that no longer fits its check run into new archive runs on
 * `headSha`, and returns the ledger that refers to them. A ledger that fits is returned as it is,
 * with no call made.
 * @throws LedgerCapacityError when even archiving cannot make it fit.
 */
export async function archiveOverflow(gh: GitHubClient, repo: RepoRef, headSha: string, ledger: Ledger, now: Date): Promise<Ledger> {
  const chunks = planArchive(ledger);
  if (chunks.length === 0) return ledger;
  const refs = [...(ledger.archive ?? [])];
  let first = refs.reduce((n, r) => n + r.events, 0) + 1;
  for (const chunk of chunks) {
    const last = first + chunk.events.length - 1;
    const checkRunId = await createCheckRun(
      gh,
      repo,
      headSha,
      {
        name: ARCHIVE_CHECK_NAME,
        conclusion: "neutral",
        output: {
          title: `Ledger events ${first}–${last} of PR #${ledger.pr}`,
          summary:
            `Older sign-offs of PR #${ledger.pr}, archived by Gatehouse so the full history is kept. ` +
            `The "Gatehouse" check's ledger refers to this run by id and digest; this run decides nothing on its own.`,
          text: chunk.block,
        },
      },
      now,
    );
    refs.push({ checkRunId, digest: chunk.digest, events: chunk.events.length });
    first = last + 1;
  }
  return { ...ledger, archive: refs };
}
