import { recordCapacityHistory } from "../capacity/sources";
import { openDatabase } from "../db/client";
import { readRollups } from "../metrics";
import type { LogFields, LogLevel } from "../observability/logger";
import { evaluateAlerts } from "./run";
import { liveAlertSources } from "./sources";

// The operator side of the cron (wrangler.toml [triggers], every 5 minutes): evaluate the alert
// rules (docs/alerting.md) and fold finished hours of traffic into the capacity history
// (docs/capacity.md). Never throws: a failure is logged and the next run tries again.

type Log = (level: LogLevel, message: string, fields?: LogFields) => void;

function fieldsOf(fields: Record<string, unknown>): LogFields {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      key,
      typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value === null ? value : JSON.stringify(value),
    ]),
  );
}

export async function runOperatorCron(env: Env, now: number, log: Log): Promise<void> {
  const alerting = evaluateAlerts(
    {
      db: openDatabase(env.DB),
      sources: liveAlertSources(env, readRollups),
      webhookUrl: env.ALERT_WEBHOOK_URL || null,
      log: (message, fields) => log("warn", message, fieldsOf(fields)),
    },
    now,
  ).then(
    (report) => {
      if (report.notifications.length > 0 || report.conflicts.length > 0) {
        log("info", "alerts evaluated", fieldsOf({ evaluated: report.evaluated, notifications: report.notifications, conflicts: report.conflicts }));
      }
    },
    (error: unknown) => log("error", "alert evaluation failed", { error: String(error) }),
  );
  const capacity = recordCapacityHistory(env, now).catch((error: unknown) => log("error", "recording capacity history failed", { error: String(error) }));
  await Promise.all([alerting, capacity]);
}
