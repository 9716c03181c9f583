import {
  isGauge,
  type AlertNotification,
  type AlertRule,
  type AlertState,
  type Comparator,
  type NotificationReason,
} from "./types";

// The alert evaluator (docs/alerting.md): a pure function of a rule, its state, the metric's value
// and the time. The cron stores the state it returns and delivers the notification, if any.
//
// - ok → firing when the condition holds (gauges: once it has held for windowMinutes): one
//   "firing" notification.
// - firing, condition still true: no notification (deduplicated), except a reminder (repeat: true)
//   once cooldownMinutes have passed since the last notification that went out.
// - firing → ok when the condition is false: one "resolved" notification. Transitions are always
//   announced, cooldown or not: suppressing one would leave the receiver believing the opposite.
// - No data (null): nothing changes and nothing is sent. A gap is not evidence either way: a firing
//   rule stays firing (silently: reminders need a value) until data shows the condition cleared,
//   and an ok rule does not fire. A gauge's pending run is not broken by a gap.
// - Disabled rule: a firing rule resolves (reason rule_disabled); otherwise it rests at ok.

export interface Evaluation {
  state: AlertState;
  notification?: AlertNotification;
}

const MINUTE_MS = 60_000;

export function conditionHolds(value: number, comparator: Comparator, threshold: number): boolean {
  switch (comparator) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
  }
}

function notify(
  rule: AlertRule,
  kind: "firing" | "resolved",
  reason: NotificationReason,
  value: number | null,
  since: number,
  now: number,
  repeat = false,
): AlertNotification {
  return {
    kind,
    repeat,
    reason,
    ruleId: rule.id,
    description: rule.description,
    metric: rule.metric,
    comparator: rule.comparator,
    threshold: rule.threshold,
    windowMinutes: rule.windowMinutes,
    severity: rule.severity,
    value,
    since,
    at: now,
    dedupKey: `${rule.id}:${since}`,
  };
}

/** The resolved notification for a firing rule that is taken away (disabled or deleted). */
export function resolveRemoved(rule: AlertRule, state: AlertState, now: number, reason: "rule_disabled" | "rule_deleted"): Evaluation {
  if (state.status !== "firing") return { state: { ...state, pendingSince: null, lastEvaluatedAt: now } };
  const since = state.since ?? now;
  return {
    state: { status: "ok", since: now, pendingSince: null, lastNotifiedAt: now, lastValue: state.lastValue, lastEvaluatedAt: now },
    notification: notify(rule, "resolved", reason, state.lastValue, since, now),
  };
}

export function evaluate(rule: AlertRule, state: AlertState, value: number | null, now: number): Evaluation {
  if (!rule.enabled) return resolveRemoved(rule, state, now, "rule_disabled");
  if (value === null || !Number.isFinite(value)) {
    return { state: { ...state, lastValue: null, lastEvaluatedAt: now } };
  }
  const holds = conditionHolds(value, rule.comparator, rule.threshold);
  const seen = { lastValue: value, lastEvaluatedAt: now };

  if (state.status === "firing") {
    const since = state.since ?? now;
    if (!holds) {
      return {
        state: { status: "ok", since: now, pendingSince: null, lastNotifiedAt: now, ...seen },
        notification: notify(rule, "resolved", "condition_cleared", value, since, now),
      };
    }
    const due = state.lastNotifiedAt === null || now - state.lastNotifiedAt >= rule.cooldownMinutes * MINUTE_MS;
    if (!due) return { state: { ...state, ...seen } };
    // A firing whose announcement never went out (lastNotifiedAt null) is sent again as itself.
    const repeat = state.lastNotifiedAt !== null;
    return {
      state: { ...state, since, lastNotifiedAt: now, ...seen },
      notification: notify(rule, "firing", "condition_met", value, since, now, repeat),
    };
  }

  if (!holds) return { state: { ...state, pendingSince: null, ...seen } };
  // Gauges must hold for windowMinutes (their first true evaluation starts the clock).
  const pendingSince = state.pendingSince ?? now;
  if (isGauge(rule.metric) && now - pendingSince < rule.windowMinutes * MINUTE_MS) {
    return { state: { ...state, pendingSince, ...seen } };
  }
  return {
    state: { status: "firing", since: now, pendingSince: null, lastNotifiedAt: now, ...seen },
    notification: notify(rule, "firing", "condition_met", value, now, now),
  };
}
