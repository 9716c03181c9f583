import { z } from "zod";
import type { FieldError } from "../api/errors";
import { ALERT_METRICS, COMPARATORS, SEVERITIES, isGauge, type AlertMetric } from "./types";

// `/v1/admin/alerts` bodies and answers (docs/alerting.md). camelCase, strict objects: an unknown
// field is a 400 naming it, as in the topology admin API.

export const MAX_WINDOW_MINUTES = 1440;
export const MAX_COOLDOWN_MINUTES = 10_080;
export const DEFAULT_COOLDOWN_MINUTES = 60;
/** windowMinutes when a new rule gives none: 5 for window metrics, 0 (at once) for gauges. */
export const defaultWindowMinutes = (metric: AlertMetric): number => (isGauge(metric) ? 0 : 5);
export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 500;

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const RATIO_METRICS: readonly AlertMetric[] = ["error_rate", "cache_hit_ratio"];

const int = (min: number, max: number, what: string) =>
  z
    .number({ error: `must be a number (${what})` })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const fields = {
  id: z
    .string({ error: "must be a string" })
    .regex(ID_PATTERN, "must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit"),
  description: z.string({ error: "must be a string or null" }).trim().max(500, "must be at most 500 characters").nullable(),
  metric: z.enum(ALERT_METRICS, { error: `must be one of ${ALERT_METRICS.join(", ")}` }),
  comparator: z.enum(COMPARATORS, { error: `must be one of ${COMPARATORS.join(", ")}` }),
  threshold: z.number({ error: "must be a number" }).refine(Number.isFinite, "must be a finite number"),
  windowMinutes: int(0, MAX_WINDOW_MINUTES, "minutes").describe(
    "window metrics: the aggregation window (≥ 1); gauges: how long the condition must hold before firing (0 = at once)",
  ),
  severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(", ")}` }),
  cooldownMinutes: int(1, MAX_COOLDOWN_MINUTES, "minutes").describe("while firing, a reminder goes out at most this often"),
  enabled: z.boolean({ error: "must be a boolean" }),
};

export const createRuleSchema = z
  .object({
    id: fields.id.optional().describe("generated (rule-xxxxxxxx) when absent"),
    description: fields.description.default(null),
    metric: fields.metric,
    comparator: fields.comparator,
    threshold: fields.threshold,
    windowMinutes: fields.windowMinutes.optional().describe("default 5 for window metrics, 0 for gauges"),
    severity: fields.severity.default("warning"),
    cooldownMinutes: fields.cooldownMinutes.default(DEFAULT_COOLDOWN_MINUTES),
    enabled: fields.enabled.default(true),
  })
  .strict();

export const updateRuleSchema = z
  .object({
    description: fields.description.optional(),
    metric: fields.metric.optional(),
    comparator: fields.comparator.optional(),
    threshold: fields.threshold.optional(),
    windowMinutes: fields.windowMinutes.optional(),
    severity: fields.severity.optional(),
    cooldownMinutes: fields.cooldownMinutes.optional(),
    enabled: fields.enabled.optional(),
  })
  .strict();

/**
 * Rules that involve several fields, checked on a new rule and on the merged result of a PATCH:
 * window metrics need a window of at least a minute; ratios are thresholds in [0, 1]; nothing
 * watched here is negative.
 */
export function ruleErrors(rule: { metric: AlertMetric; threshold: number; windowMinutes: number }): FieldError[] {
  const errors: FieldError[] = [];
  if (!isGauge(rule.metric) && rule.windowMinutes < 1) {
    errors.push({ path: "windowMinutes", message: `windowMinutes must be at least 1 for ${rule.metric} (it is aggregated over the window)` });
  }
  if (RATIO_METRICS.includes(rule.metric) && (rule.threshold < 0 || rule.threshold > 1)) {
    errors.push({ path: "threshold", message: `threshold must be between 0 and 1 for ${rule.metric} (a ratio, not a percentage)` });
  } else if (rule.threshold < 0) {
    errors.push({ path: "threshold", message: `threshold must not be negative for ${rule.metric}` });
  }
  return errors;
}

// ---- Answers

const stateSchema = z.object({
  status: z.enum(["ok", "firing"]),
  since: z.string().nullable().describe("ISO 8601: when the current status began"),
  lastValue: z.number().nullable().describe("the value at the last evaluation; null for no data"),
  lastEvaluatedAt: z.string().nullable(),
  lastNotifiedAt: z.string().nullable(),
  pendingSince: z.string().nullable().describe("gauges: since when the condition has held without firing yet"),
});

export const ruleSchema = z.object({
  id: z.string(),
  description: z.string().nullable(),
  metric: z.enum(ALERT_METRICS),
  comparator: z.enum(COMPARATORS),
  threshold: z.number(),
  windowMinutes: z.number().int(),
  severity: z.enum(SEVERITIES),
  cooldownMinutes: z.number().int(),
  enabled: z.boolean(),
  builtin: z.boolean().describe("a built-in default: editable, not deletable"),
  createdAt: z.string(),
  updatedAt: z.string(),
  state: stateSchema,
});

export const historyEntrySchema = z.object({
  id: z.number().int(),
  ruleId: z.string(),
  kind: z.enum(["firing", "resolved"]),
  repeat: z.boolean().describe("a reminder of an alert already announced"),
  reason: z.enum(["condition_met", "condition_cleared", "rule_disabled", "rule_deleted"]),
  severity: z.enum(SEVERITIES),
  metric: z.enum(ALERT_METRICS),
  comparator: z.enum(COMPARATORS),
  threshold: z.number(),
  windowMinutes: z.number().int(),
  value: z.number().nullable(),
  since: z.string(),
  at: z.string(),
  dedupKey: z.string().describe("`<ruleId>:<since ms>`: the same for every notification of one episode"),
  delivery: z.object({
    status: z.enum(["delivered", "failed", "skipped"]),
    statusCode: z.number().int().nullable(),
    error: z.string().nullable(),
  }),
});

export const activeAlertSchema = z.object({
  rule: ruleSchema.omit({ state: true }),
  since: z.string(),
  lastValue: z.number().nullable(),
  lastEvaluatedAt: z.string().nullable(),
  lastNotifiedAt: z.string().nullable(),
});
