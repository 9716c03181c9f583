import type { AlertRule } from "./types";

// Built-in rules (docs/alerting.md). Seeded into D1 on first read with INSERT OR IGNORE (store.ts),
// so an operator's edits stick, and rules added here by a later release appear by themselves.
// They can be edited and disabled but not deleted (deleting would only bring them back).

type BuiltinRule = Omit<AlertRule, "builtin" | "enabled">;

export const BUILTIN_RULES: readonly BuiltinRule[] = [
  {
    id: "error-rate",
    description: "More than 5 % of requests failed over 5 minutes",
    metric: "error_rate",
    comparator: ">",
    threshold: 0.05,
    windowMinutes: 5,
    severity: "critical",
    cooldownMinutes: 60,
  },
  {
    id: "p99-latency",
    description: "p99 latency above 10 s over 10 minutes (executions are slow by nature; the largest wall budget is 10 s)",
    metric: "p99_latency_ms",
    comparator: ">",
    threshold: 10_000,
    windowMinutes: 10,
    severity: "warning",
    cooldownMinutes: 60,
  },
  {
    id: "cache-hit-ratio",
    description: "Fewer than 20 % of cache lookups hit over an hour",
    metric: "cache_hit_ratio",
    comparator: "<",
    threshold: 0.2,
    windowMinutes: 60,
    severity: "info",
    cooldownMinutes: 360,
  },
  {
    id: "open-breakers",
    description: "A remote backend's circuit breaker is open",
    metric: "open_breakers",
    comparator: ">=",
    threshold: 1,
    windowMinutes: 0,
    severity: "warning",
    cooldownMinutes: 60,
  },
  {
    id: "critical-regions",
    description: "A region has lost most of its backends",
    metric: "critical_regions",
    comparator: ">=",
    threshold: 1,
    windowMinutes: 0,
    severity: "critical",
    cooldownMinutes: 30,
  },
  {
    id: "queue-depth-interactive",
    description: "Interactive job queue at 80 % of JOBS_MAX_QUEUED_INTERACTIVE's default (1000), for 5 minutes",
    metric: "queue_depth_interactive",
    comparator: ">=",
    threshold: 800,
    windowMinutes: 5,
    severity: "warning",
    cooldownMinutes: 60,
  },
  {
    id: "queue-depth-batch",
    description: "Batch job queue at 80 % of JOBS_MAX_QUEUED_BATCH's default (20000), for 15 minutes",
    metric: "queue_depth_batch",
    comparator: ">=",
    threshold: 16_000,
    windowMinutes: 15,
    severity: "warning",
    cooldownMinutes: 120,
  },
];

export const BUILTIN_RULE_IDS: ReadonlySet<string> = new Set(BUILTIN_RULES.map((rule) => rule.id));
