import { archivedCount, type Ledger, type LedgerEvent } from "./ledger.js";
import { archiveDigest, encodeArchiveBlock, encodeLedger, LedgerCapacityError, LEDGER_BLOCK_BUDGET } from "./ledger-codec.js";

/** One archive run to write: consecutive events, their block and its digest. */
export interface ArchiveChunk {
  events: LedgerEvent[];
  block: string;
  digest: string;
}

/** Room kept free in the main block for the archive references' real ids and later events. */
const MAIN_HEADROOM = 2_000;
/** Stands in for a check run id not known yet while sizing the main block (GitHub ids have ≤ 12 digits). */
const PLACEHOLDER_ID = 999_999_999_999;

/**
 * Decides which of the oldest not-yet-archived events move to archive runs so the main block fits
 * LEDGER_BLOCK_BUDGET again. Returns no chunk when the ledger fits as it is (the common case: one
 * encode, no extra call). Each chunk is as large as one archive run can hold, so archiving is rare.
 * @throws LedgerCapacityError when even that cannot make the main block fit (e.g. one event alone
 *   exceeds a run, or the archive references themselves no longer fit); callers fail closed.
 */
export function planArchive(ledger: Ledger): ArchiveChunk[] {
  try {
    encodeLedger(ledger);
    return [];
  } catch (error) {
    if (!(error instanceof LedgerCapacityError)) throw error;
  }
  const chunks: ArchiveChunk[] = [];
  let start = archivedCount(ledger);
  const refs = [...(ledger.archive ?? [])];
  for (;;) {
    const tail = ledger.events.slice(start);
    // The newest event always stays in the main block, so the block never refers only to archives.
    const size = largestFit(tail.length - 1, (k) => encodeArchiveBlock(ledger.pr, tail.slice(0, k)).length <= LEDGER_BLOCK_BUDGET);
    if (size === 0) throw new LedgerCapacityError(ledger.events.length, Number.POSITIVE_INFINITY);
    const events = tail.slice(0, size);
    const block = encodeArchiveBlock(ledger.pr, events);
    const chunk = { events, block, digest: archiveDigest(block) };
    chunks.push(chunk);
    refs.push({ checkRunId: PLACEHOLDER_ID, digest: chunk.digest, events: size });
    start += size;
    const main = mainBlockLength({ ...ledger, archive: refs });
    if (main !== undefined && main <= LEDGER_BLOCK_BUDGET - MAIN_HEADROOM) return chunks;
  }
}

function mainBlockLength(ledger: Ledger): number | undefined {
  try {
    return encodeLedger(ledger).length;
  } catch (error) {
    if (error instanceof LedgerCapacityError) return undefined;
    throw error;
  }
}

/** The largest k in [0, max] with fits(k), for a `fits` that holds up to some k and not beyond. */
function largestFit(max: number, fits: (k: number) => boolean): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
