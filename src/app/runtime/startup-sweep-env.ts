/**
 * `GATEHOUSE_STARTUP_SWEEP`: whether the App re-evaluates every installation's open release PRs
 * when it starts (`on`, the default: expiries missed while it was down), or not (`off`: e.g. a
 * benchmark, or a fleet that restarts often and relies on expiry timers and events).
 */
export function startupSweepFromEnv(value: string | undefined): boolean {
  const text = (value ?? "").trim().toLowerCase();
  if (text === "" || text === "on") return true;
  if (text === "off") return false;
  throw new Error(`Invalid GATEHOUSE_STARTUP_SWEEP '${value}': expected on or off.`);
}
