/** A clock that moves only when a test says so, for the caches' TTLs. */
export function manualClock(start = Date.parse("2026-11-24T12:00:00Z")) {
  let ms = start;
  return {
    now: () => new Date(ms),
    advance(by: number) {
      ms += by;
    },
  };
}
