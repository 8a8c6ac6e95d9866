import type { RepoConfig } from "../config/config-schema.js";
import type { Verdict } from "./verdict.js";

/** Which gates a deployment environment requires, and the config rule that said so. */
export interface EnvironmentGates {
  /** The gate subset to evaluate; undefined means every gate the release PR's own check requires. */
  gates?: string[];
  /** A stable key for caching verdicts: environments with the same selection share one. */
  key: string;
  /** Plain text, e.g. "environments.staging lists security". Escape before rendering. */
  rule: string;
}

/**
 * The gates an environment requires under `config.environments`: a list of gate ids, or `all`
 * for everything the release PR's check requires. An environment the config does not list also
 * requires everything: a protected environment nobody configured fails closed, never open.
 */
export function environmentGates(config: Pick<RepoConfig, "environments">, environment: string): EnvironmentGates {
  const listed = Object.hasOwn(config.environments, environment) ? config.environments[environment] : undefined;
  if (listed === undefined) {
    return { key: "*", rule: `environment "${environment}" is not listed in environments, so every required gate counts` };
  }
  if (listed === "all") return { key: "*", rule: `environments.${environment} is "all": every required gate counts` };
  const gates = [...new Set(listed)].sort();
  return { gates, key: gates.join(","), rule: `environments.${environment} lists ${gates.join(", ") || "no gates"}` };
}

export type DeploymentState = "approved" | "rejected" | "pending";

/**
 * What a deployment protection rule answers for a verdict: approved, rejected (an error, or a
 * selection no sign-off can ever satisfy) or pending (wait for more sign-offs).
 */
export function deploymentState(verdict: Verdict): DeploymentState {
  if (verdict.status === "approved") return "approved";
  if (verdict.status === "error") return "rejected";
  // Nothing is required, so nothing could ever approve: waiting would hold the run for 30 days.
  return verdict.requiredGates === 0 ? "rejected" : "pending";
}
