const UNIT_MS = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

/** Shown in error messages next to a duration that did not parse. */
export const DURATION_HINT = 'Use a whole number and a unit: "30m" (minutes), "12h" (hours), "90d" (days) or "2w" (weeks).';

/**
 * Parses a duration such as "90d", "12h", "2w" or "30m" into milliseconds.
 * Returns undefined for anything else, including zero ("0d" would expire every sign-off at once).
 */
export function parseDuration(s: string): number | undefined {
  const match = /^\s*(\d{1,6})\s*([mhdw])\s*$/.exec(s);
  if (!match) return undefined;
  const amount = Number(match[1]);
  if (amount === 0) return undefined;
  return amount * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Formats milliseconds as the largest whole unit, e.g. 3 days → "3d", 90 minutes → "90m". */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  for (const unit of ["w", "d", "h"] as const) {
    if (abs >= UNIT_MS[unit] && abs % UNIT_MS[unit] === 0) return `${abs / UNIT_MS[unit]}${unit}`;
  }
  if (abs >= UNIT_MS.d) return `${Math.floor(abs / UNIT_MS.d)}d`;
  if (abs >= UNIT_MS.h) return `${Math.floor(abs / UNIT_MS.h)}h`;
  return `${Math.floor(abs / UNIT_MS.m)}m`;
}
