// The vocabulary of alerting (docs/alerting.md). Rules and states are plain data; the evaluator
// (evaluate.ts) is a pure function of them.

export const ALERT_METRICS = [
  "error_rate",
  "p99_latency_ms",
  "cache_hit_ratio",
  "rps",
  "open_breakers",
  "critical_regions",
  "queue_depth_interactive",
  "queue_depth_batch",
] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

/**
 * Window metrics are aggregated from the per-minute rollups over the rule's window. Gauges are read
 * at evaluation time; for them the window is how long the condition must have held (at every
 * evaluation since it was first seen) before the rule fires, 0 meaning at once.
 */
export const WINDOW_METRICS: readonly AlertMetric[] = ["error_rate", "p99_latency_ms", "cache_hit_ratio", "rps"];
export const GAUGE_METRICS: readonly AlertMetric[] = ["open_breakers", "critical_regions", "queue_depth_interactive", "queue_depth_batch"];
export const isGauge = (metric: AlertMetric): boolean => GAUGE_METRICS.includes(metric);

/** What each metric measures, for docs, the OpenAPI document and notification text. */
export const METRIC_UNITS: Readonly<Record<AlertMetric, string>> = {
  error_rate: "share of requests that failed (0-1)",
  p99_latency_ms: "99th-percentile latency (ms)",
  cache_hit_ratio: "share of cache lookups answered from any level (0-1)",
  rps: "requests per second",
  open_breakers: "remote backends whose circuit breaker is open or forced open",
  critical_regions: "regions with fewer than half of their backends usable",
  queue_depth_interactive: "queued interactive jobs",
  queue_depth_batch: "queued batch jobs",
};

export const COMPARATORS = [">", ">=", "<", "<="] as const;
export type Comparator = (typeof COMPARATORS)[number];

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AlertRule {
  id: string;
  description: string | null;
  metric: AlertMetric;
  comparator: Comparator;
  threshold: number;
  /** Window metrics: aggregation window (≥ 1). Gauges: how long the condition must hold (≥ 0). */
  windowMinutes: number;
  severity: Severity;
  /** While a rule keeps firing, a reminder goes out at most this often (≥ 1). */
  cooldownMinutes: number;
  enabled: boolean;
  /** One of the built-in defaults (seeded, editable, not deletable). */
  builtin: boolean;
}

export type AlertStatus = "ok" | "firing";

/** What the evaluator remembers about a rule between evaluations. */
export interface AlertState {
  status: AlertStatus;
  /** When the current status began (ms); null for a rule never seen firing. */
  since: number | null;
  /** Gauges: when the condition was first seen true in the current run of true evaluations. */
  pendingSince: number | null;
  /** When the last notification for the current episode went out; null when none did (or it failed). */
  lastNotifiedAt: number | null;
  /** The value seen at the last evaluation; null for no data. */
  lastValue: number | null;
  lastEvaluatedAt: number | null;
}

export const INITIAL_STATE: Readonly<AlertState> = Object.freeze({
  status: "ok",
  since: null,
  pendingSince: null,
  lastNotifiedAt: null,
  lastValue: null,
  lastEvaluatedAt: null,
});

/** Why a notification was sent. */
export type NotificationReason =
  /** The condition became true (or, with repeat: true, is still true after the cooldown). */
  | "condition_met"
  /** The condition is false again. */
  | "condition_cleared"
  /** The rule was disabled while firing. */
  | "rule_disabled"
  /** The rule was deleted while firing. */
  | "rule_deleted";

export interface AlertNotification {
  kind: "firing" | "resolved";
  /** A reminder of an alert already announced (firing only). */
  repeat: boolean;
  reason: NotificationReason;
  ruleId: string;
  description: string | null;
  metric: AlertMetric;
  comparator: Comparator;
  threshold: number;
  windowMinutes: number;
  severity: Severity;
  /** The value that decided; null when the rule was disabled or deleted without fresh data. */
  value: number | null;
  /** When the episode began (firing: since when it fires; resolved: since when it had fired). */
  since: number;
  at: number;
  /** Same for every notification of one episode: `<ruleId>:<since>`. Receivers can group by it. */
  dedupKey: string;
}
