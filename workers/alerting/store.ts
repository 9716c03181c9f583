import { and, asc, desc, eq, lt } from "drizzle-orm";
import type { Database } from "../db/client";
import { alertHistory, alertRules, alertStates } from "../db/schema";
import { BUILTIN_RULES } from "./defaults";
import {
  INITIAL_STATE,
  type AlertMetric,
  type AlertNotification,
  type AlertRule,
  type AlertState,
  type AlertStatus,
  type Comparator,
  type NotificationReason,
  type Severity,
} from "./types";

// D1 access for alerting: rules, the evaluator's state per rule, and the notification history.

type RuleRow = typeof alertRules.$inferSelect;
type StateRow = typeof alertStates.$inferSelect;
type HistoryRow = typeof alertHistory.$inferSelect;

/** How long notification history is kept; the cron prunes older rows. */
export const HISTORY_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export interface StoredRule extends AlertRule {
  createdAt: number;
  updatedAt: number;
}

export interface StoredState extends AlertState {
  /** Compare-and-set token; 0 for a rule that has no state row yet. */
  version: number;
}

export type Delivery = { status: "delivered"; statusCode: number } | { status: "failed"; statusCode: number | null; error: string } | { status: "skipped"; reason: string };

export interface HistoryEntry extends Omit<AlertNotification, "description"> {
  id: number;
  delivery: Delivery;
}

function toRule(row: RuleRow): StoredRule {
  return {
    id: row.id,
    description: row.description,
    metric: row.metric as AlertMetric,
    comparator: row.comparator as Comparator,
    threshold: row.threshold,
    windowMinutes: row.windowMinutes,
    severity: row.severity as Severity,
    cooldownMinutes: row.cooldownMinutes,
    enabled: row.enabled,
    builtin: row.builtin,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toState(row: StateRow): StoredState {
  return {
    status: row.status as AlertStatus,
    since: row.since,
    pendingSince: row.pendingSince,
    lastNotifiedAt: row.lastNotifiedAt,
    lastValue: row.lastValue,
    lastEvaluatedAt: row.lastEvaluatedAt,
    version: row.version,
  };
}

function toHistory(row: HistoryRow): HistoryEntry {
  const delivery: Delivery =
    row.delivery === "delivered"
      ? { status: "delivered", statusCode: row.statusCode ?? 200 }
      : row.delivery === "failed"
        ? { status: "failed", statusCode: row.statusCode, error: row.error ?? "unknown" }
        : { status: "skipped", reason: row.error ?? "no webhook configured" };
  return {
    id: row.id,
    kind: row.kind as AlertNotification["kind"],
    repeat: row.repeat,
    reason: row.reason as NotificationReason,
    ruleId: row.ruleId,
    metric: row.metric as AlertMetric,
    comparator: row.comparator as Comparator,
    threshold: row.threshold,
    windowMinutes: row.windowMinutes,
    severity: row.severity as Severity,
    value: row.value,
    since: row.since,
    at: row.at,
    dedupKey: row.dedupKey,
    delivery,
  };
}

/**
 * Seeds the built-in rules that are not stored yet (INSERT OR IGNORE: an operator's edits stay).
 * Called before every read of the rules: one small statement.
 */
export async function ensureBuiltinRules(db: Database, now: number): Promise<void> {
  await db
    .insert(alertRules)
    .values(BUILTIN_RULES.map((rule) => ({ ...rule, enabled: true, builtin: true, createdAt: now, updatedAt: now })))
    .onConflictDoNothing();
}

export async function listRules(db: Database, now: number): Promise<StoredRule[]> {
  await ensureBuiltinRules(db, now);
  const rows = await db.select().from(alertRules).orderBy(asc(alertRules.id));
  return rows.map(toRule);
}

export async function getRule(db: Database, id: string, now: number): Promise<StoredRule | null> {
  await ensureBuiltinRules(db, now);
  const rows = await db.select().from(alertRules).where(eq(alertRules.id, id));
  return rows[0] ? toRule(rows[0]) : null;
}

export async function createRule(db: Database, rule: Omit<AlertRule, "builtin">, now: number): Promise<StoredRule | null> {
  await ensureBuiltinRules(db, now);
  const rows = await db
    .insert(alertRules)
    .values({ ...rule, builtin: false, createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .returning();
  return rows[0] ? toRule(rows[0]) : null;
}

export type RuleChanges = Partial<Omit<AlertRule, "id" | "builtin">>;

export async function updateRule(db: Database, id: string, changes: RuleChanges, now: number): Promise<StoredRule | null> {
  await ensureBuiltinRules(db, now);
  const rows = await db
    .update(alertRules)
    .set({ ...changes, updatedAt: now })
    .where(eq(alertRules.id, id))
    .returning();
  return rows[0] ? toRule(rows[0]) : null;
}

/** Deletes a rule and its state; returns both as they were (null when there was no such rule). */
export async function deleteRule(db: Database, id: string): Promise<{ rule: StoredRule; state: StoredState } | null> {
  const [states, rules] = await db.batch([
    db.delete(alertStates).where(eq(alertStates.ruleId, id)).returning(),
    db.delete(alertRules).where(eq(alertRules.id, id)).returning(),
  ]);
  if (!rules[0]) return null;
  return { rule: toRule(rules[0]), state: states[0] ? toState(states[0]) : { ...INITIAL_STATE, version: 0 } };
}

export async function loadStates(db: Database): Promise<Map<string, StoredState>> {
  const rows = await db.select().from(alertStates);
  return new Map(rows.map((row) => [row.ruleId, toState(row)]));
}

export function stateOf(states: Map<string, StoredState>, ruleId: string): StoredState {
  return states.get(ruleId) ?? { ...INITIAL_STATE, version: 0 };
}

/**
 * Stores a rule's new state if nobody else did since `expected` was read. Returns the new version,
 * or null when another evaluation got there first (its notification, not ours, goes out).
 */
export async function compareAndSetState(db: Database, ruleId: string, expectedVersion: number, state: AlertState): Promise<number | null> {
  const values = {
    status: state.status,
    since: state.since,
    pendingSince: state.pendingSince,
    lastNotifiedAt: state.lastNotifiedAt,
    lastValue: state.lastValue,
    lastEvaluatedAt: state.lastEvaluatedAt,
  };
  const version = expectedVersion + 1;
  const rows =
    expectedVersion === 0
      ? await db
          .insert(alertStates)
          .values({ ruleId, ...values, version })
          .onConflictDoNothing()
          .returning({ version: alertStates.version })
      : await db
          .update(alertStates)
          .set({ ...values, version })
          .where(and(eq(alertStates.ruleId, ruleId), eq(alertStates.version, expectedVersion)))
          .returning({ version: alertStates.version });
  return rows[0] ? version : null;
}

/**
 * After a failed delivery of a firing notification: forget that it was announced, so the next
 * evaluation sends it again (only if the state is still the one this evaluation wrote).
 */
export async function markUnannounced(db: Database, ruleId: string, version: number): Promise<void> {
  await db
    .update(alertStates)
    .set({ lastNotifiedAt: null })
    .where(and(eq(alertStates.ruleId, ruleId), eq(alertStates.version, version)));
}

export async function recordNotification(db: Database, notification: AlertNotification, delivery: Delivery): Promise<void> {
  await db.insert(alertHistory).values({
    ruleId: notification.ruleId,
    kind: notification.kind,
    repeat: notification.repeat,
    reason: notification.reason,
    severity: notification.severity,
    metric: notification.metric,
    comparator: notification.comparator,
    threshold: notification.threshold,
    windowMinutes: notification.windowMinutes,
    value: notification.value,
    since: notification.since,
    at: notification.at,
    dedupKey: notification.dedupKey,
    delivery: delivery.status,
    statusCode: delivery.status === "skipped" ? null : delivery.statusCode,
    error: delivery.status === "failed" ? delivery.error : delivery.status === "skipped" ? delivery.reason : null,
  });
}

/** Newest first. */
export async function listHistory(db: Database, options: { limit: number; ruleId?: string }): Promise<HistoryEntry[]> {
  const rows = await db
    .select()
    .from(alertHistory)
    .where(options.ruleId === undefined ? undefined : eq(alertHistory.ruleId, options.ruleId))
    .orderBy(desc(alertHistory.at), desc(alertHistory.id))
    .limit(options.limit);
  return rows.map(toHistory);
}

export async function pruneHistory(db: Database, now: number): Promise<void> {
  await db.delete(alertHistory).where(lt(alertHistory.at, now - HISTORY_RETENTION_MS));
}
