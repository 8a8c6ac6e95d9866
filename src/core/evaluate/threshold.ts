export type ThresholdOp = ">=" | ">" | "<=" | "<" | "==";

/** A metric threshold such as `uptime_percent >= 99.9`. */
export interface Threshold {
  metric: string;
  op: ThresholdOp;
  value: number;
  /** The text it was parsed from. */
  source: string;
}

/** Metric names are what signers type in `/signoff gate.item uptime_percent=99.95`. */
export const METRIC_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

/** Shown in error messages next to a threshold that did not parse. */
export const THRESHOLD_HINT =
  'Write "<metric> <op> <number>", e.g. "uptime_percent >= 99.9"; metric names use lowercase letters, digits and "_"; ops are >=, >, <=, < and ==.';

/** Parses "uptime_percent >= 99.9". Returns undefined when the text is not a threshold. */
export function parseThreshold(s: string): Threshold | undefined {
  const match = /^\s*([a-z][a-z0-9_]*)\s*(>=|<=|==|>|<)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(s);
  if (!match) return undefined;
  return { metric: match[1]!, op: match[2] as ThresholdOp, value: Number(match[3]), source: s.trim() };
}

/** Whether a signer's value meets the threshold. NaN and infinities never do. */
export function meetsThreshold(t: Threshold, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  switch (t.op) {
    case ">=":
      return value >= t.value;
    case ">":
      return value > t.value;
    case "<=":
      return value <= t.value;
    case "<":
      return value < t.value;
    case "==":
      return value === t.value;
  }
}

const OP_TEXT: Record<ThresholdOp, string> = { ">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=" };

/** Human-readable form, e.g. "uptime_percent ≥ 99.9". */
export function describeThreshold(t: Threshold): string {
  return `${t.metric} ${OP_TEXT[t.op]} ${t.value}`;
}
