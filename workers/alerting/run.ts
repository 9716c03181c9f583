import type { Database } from "../db/client";
import { evaluate, resolveRemoved, type Evaluation } from "./evaluate";
import { metricValue } from "./metrics";
import { takeSnapshot, type AlertSources, type SourceLog } from "./sources";
import {
  compareAndSetState,
  listRules,
  loadStates,
  markUnannounced,
  pruneHistory,
  recordNotification,
  stateOf,
  type Delivery,
  type StoredState,
} from "./store";
import type { AlertNotification, AlertRule } from "./types";
import { deliver } from "./webhook";

// One evaluation of every rule (the cron's job, docs/alerting.md): read the metrics once, evaluate
// each rule, store its state with a compare-and-set, and deliver and record the notifications the
// evaluation won. Nothing here throws for a failing source or webhook: those become "no data" and
// a failed delivery in the history.

/** What delivering and recording a notification needs. */
export interface DispatchDeps {
  db: Database;
  webhookUrl: string | null;
  fetcher?: typeof fetch;
  log: SourceLog;
}

export interface AlertingDeps extends DispatchDeps {
  sources: AlertSources;
}

export interface EvaluationReport {
  evaluated: number;
  notifications: Array<{ ruleId: string; kind: AlertNotification["kind"]; repeat: boolean; delivery: Delivery["status"] }>;
  /** Rules whose state another evaluation wrote first (their notifications were its to send). */
  conflicts: string[];
}

/** Delivers a notification and records it; a firing that could not be delivered is re-sent next time. */
export async function dispatch(deps: DispatchDeps, notification: AlertNotification, version: number | null): Promise<Delivery> {
  const delivery = await deliver(deps.webhookUrl, notification, deps.fetcher);
  if (delivery.status === "failed") {
    deps.log("alert webhook delivery failed", { rule: notification.ruleId, kind: notification.kind, error: delivery.error });
    if (notification.kind === "firing" && version !== null) await markUnannounced(deps.db, notification.ruleId, version);
  }
  await recordNotification(deps.db, notification, delivery);
  return delivery;
}

async function apply(deps: AlertingDeps, rule: AlertRule, previous: StoredState, evaluation: Evaluation, report: EvaluationReport): Promise<void> {
  const version = await compareAndSetState(deps.db, rule.id, previous.version, evaluation.state);
  if (version === null) {
    report.conflicts.push(rule.id);
    return;
  }
  const notification = evaluation.notification;
  if (!notification) return;
  const delivery = await dispatch(deps, notification, version);
  report.notifications.push({ ruleId: rule.id, kind: notification.kind, repeat: notification.repeat, delivery: delivery.status });
}

export async function evaluateAlerts(deps: AlertingDeps, now: number): Promise<EvaluationReport> {
  const [rules, states] = await Promise.all([listRules(deps.db, now), loadStates(deps.db)]);
  const snapshot = await takeSnapshot(deps.sources, rules, now, deps.log);
  const report: EvaluationReport = { evaluated: 0, notifications: [], conflicts: [] };
  await Promise.all(
    rules.map(async (rule) => {
      const state = stateOf(states, rule.id);
      const evaluation = evaluate(rule, state, rule.enabled ? metricValue(rule.metric, rule.windowMinutes, snapshot) : null, now);
      report.evaluated += 1;
      try {
        await apply(deps, rule, state, evaluation, report);
      } catch (error) {
        deps.log("alert rule evaluation failed", { rule: rule.id, error: error instanceof Error ? error.message : String(error) });
      }
    }),
  );
  await pruneHistory(deps.db, now).catch(() => undefined);
  return report;
}

/** A firing rule that is deleted: its receivers get a resolved notification (reason rule_deleted). */
export async function announceDeletion(deps: DispatchDeps, rule: AlertRule, state: StoredState, now: number): Promise<void> {
  const { notification } = resolveRemoved(rule, state, now, "rule_deleted");
  if (notification) await dispatch(deps, notification, null);
}
