/** Longest accepted window: past policy-bot's 30 s, owners would wonder whether their tick counted. */
const MAX_SECONDS = 30;

/** `GATEHOUSE_COMMENT_WINDOW_SECONDS`: how long a comment re-render may wait (unset: the default). */
export function commentWindowFromEnv(value: string | undefined): { commentWindowMs?: number } {
  if (value === undefined || value.trim() === "") return {};
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_SECONDS) {
    throw new Error(`Invalid GATEHOUSE_COMMENT_WINDOW_SECONDS '${value}': expected a number of seconds from 0 to ${MAX_SECONDS}, e.g. 5.`);
  }
  return { commentWindowMs: seconds * 1000 };
}
