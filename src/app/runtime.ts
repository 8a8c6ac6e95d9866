import { TeamMembership } from "../github/team-membership.js";
import { ConfigCache } from "./config-cache.js";
import { Deliveries } from "./deliveries.js";
import { PrLock } from "./pr-lock.js";
import { PrStateCache } from "./pr-state.js";

/** Process-wide state shared by the handlers. Built once per app instance, so tests get a fresh one. */
export interface Runtime {
  appId: number;
  membership: TeamMembership;
  configs: ConfigCache;
  states: PrStateCache;
  locks: PrLock;
  deliveries: Deliveries;
  now: () => Date;
}

export interface RuntimeOptions {
  appId: number;
  now?: () => Date;
}

export function createRuntime(options: RuntimeOptions): Runtime {
  if (!Number.isInteger(options.appId) || options.appId <= 0) {
    throw new Error(`Gatehouse needs the App's numeric id to recognise its own check runs: set APP_ID (got ${String(options.appId)}).`);
  }
  return {
    appId: options.appId,
    membership: new TeamMembership(),
    configs: new ConfigCache(),
    states: new PrStateCache(),
    locks: new PrLock(),
    deliveries: new Deliveries(),
    now: options.now ?? (() => new Date()),
  };
}
