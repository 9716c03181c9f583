import { Hono, type Context } from "hono";
import type { z } from "zod";
import {
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  createRuleSchema,
  defaultWindowMinutes,
  ruleErrors,
  updateRuleSchema,
} from "../../alerting/api-schema";
import { announceDeletion } from "../../alerting/run";
import {
  createRule,
  deleteRule,
  getRule,
  listHistory,
  listRules,
  loadStates,
  stateOf,
  updateRule,
  type HistoryEntry,
  type StoredRule,
  type StoredState,
} from "../../alerting/store";
import type { Severity } from "../../alerting/types";
import { openDatabase } from "../../db/client";
import type { AppEnv } from "../app-env";
import { ApiError, type FieldError } from "../errors";
import { methodNotAllowed } from "../method-not-allowed";
import { requireAdmin } from "../middleware/require-admin";
import { readJsonBody } from "../read-json-body";
import { toFieldErrors } from "../validate";

// Admin API for alerting (docs/alerting.md): rules (built-in defaults are seeded on first read),
// the notification history and the alerts firing now. Evaluation itself runs on the cron.

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function presentState(state: StoredState) {
  return {
    status: state.status,
    since: iso(state.since),
    lastValue: state.lastValue,
    lastEvaluatedAt: iso(state.lastEvaluatedAt),
    lastNotifiedAt: iso(state.lastNotifiedAt),
    pendingSince: iso(state.pendingSince),
  };
}

function presentRuleOnly(rule: StoredRule) {
  return {
    id: rule.id,
    description: rule.description,
    metric: rule.metric,
    comparator: rule.comparator,
    threshold: rule.threshold,
    windowMinutes: rule.windowMinutes,
    severity: rule.severity,
    cooldownMinutes: rule.cooldownMinutes,
    enabled: rule.enabled,
    builtin: rule.builtin,
    createdAt: iso(rule.createdAt)!,
    updatedAt: iso(rule.updatedAt)!,
  };
}

const presentRule = (rule: StoredRule, state: StoredState) => ({ ...presentRuleOnly(rule), state: presentState(state) });

function presentHistory(entry: HistoryEntry) {
  const { delivery } = entry;
  return {
    id: entry.id,
    ruleId: entry.ruleId,
    kind: entry.kind,
    repeat: entry.repeat,
    reason: entry.reason,
    severity: entry.severity,
    metric: entry.metric,
    comparator: entry.comparator,
    threshold: entry.threshold,
    windowMinutes: entry.windowMinutes,
    value: entry.value,
    since: iso(entry.since)!,
    at: iso(entry.at)!,
    dedupKey: entry.dedupKey,
    delivery: {
      status: delivery.status,
      statusCode: delivery.status === "skipped" ? null : delivery.statusCode,
      error: delivery.status === "failed" ? delivery.error : delivery.status === "skipped" ? delivery.reason : null,
    },
  };
}

function invalid(details: FieldError[]): ApiError {
  return new ApiError("validation_failed", details[0]?.message ?? "invalid request", details);
}

/** Unknown fields are reported at their own path ("warn_after is not a known field"). */
function parseBody<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue): z.core.$ZodIssue[] =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ code: "custom", input: undefined, path: [...issue.path, key], message: "is not a known field" }))
      : [issue],
  );
  throw invalid(toFieldErrors(issues));
}

const ruleNotFound = (id: string) => new ApiError("not_found", `alert rule '${id}' does not exist`);

/** `?limit=` (1..HISTORY_MAX_LIMIT, default HISTORY_DEFAULT_LIMIT). */
function limitParam(c: Context<AppEnv>): number {
  const raw = c.req.query("limit");
  if (raw === undefined) return HISTORY_DEFAULT_LIMIT;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(n) || n < 1 || n > HISTORY_MAX_LIMIT) {
    throw invalid([{ path: "limit", message: `limit must be a whole number from 1 to ${HISTORY_MAX_LIMIT}` }]);
  }
  return n;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** `/v1/admin/alerts/...` (ADMIN_SECRET). */
export function alertRoutes() {
  const app = new Hono<AppEnv>();
  app.use("/alerts", requireAdmin());
  app.use("/alerts/*", requireAdmin());

  app.get("/alerts/rules", async (c) => {
    const db = openDatabase(c.env.DB);
    const [rules, states] = await Promise.all([listRules(db, Date.now()), loadStates(db)]);
    return c.json({ rules: rules.map((rule) => presentRule(rule, stateOf(states, rule.id))) });
  });
  app.post("/alerts/rules", async (c) => {
    const body = parseBody(createRuleSchema, await readJsonBody(c));
    const rule = {
      ...body,
      id: body.id ?? `rule-${crypto.randomUUID().slice(0, 8)}`,
      windowMinutes: body.windowMinutes ?? defaultWindowMinutes(body.metric),
    };
    const errors = ruleErrors(rule);
    if (errors.length > 0) throw invalid(errors);
    const created = await createRule(openDatabase(c.env.DB), rule, Date.now());
    if (!created) throw new ApiError("conflict", `alert rule '${rule.id}' already exists`);
    return c.json(presentRule(created, stateOf(new Map(), created.id)), 201);
  });
  app.all("/alerts/rules", methodNotAllowed("GET", "POST"));

  app.get("/alerts/rules/:ruleId", async (c) => {
    const id = c.req.param("ruleId");
    const db = openDatabase(c.env.DB);
    const rule = await getRule(db, id, Date.now());
    if (!rule) throw ruleNotFound(id);
    return c.json(presentRule(rule, stateOf(await loadStates(db), id)));
  });
  app.patch("/alerts/rules/:ruleId", async (c) => {
    const id = c.req.param("ruleId");
    const changes = Object.fromEntries(
      Object.entries(parseBody(updateRuleSchema, await readJsonBody(c))).filter(([, value]) => value !== undefined),
    ) as z.output<typeof updateRuleSchema>;
    const db = openDatabase(c.env.DB);
    const now = Date.now();
    const current = await getRule(db, id, now);
    if (!current) throw ruleNotFound(id);
    const errors = ruleErrors({ ...current, ...changes });
    if (errors.length > 0) throw invalid(errors);
    const updated = await updateRule(db, id, changes, now);
    if (!updated) throw ruleNotFound(id);
    return c.json(presentRule(updated, stateOf(await loadStates(db), id)));
  });
  app.delete("/alerts/rules/:ruleId", async (c) => {
    const id = c.req.param("ruleId");
    const db = openDatabase(c.env.DB);
    const now = Date.now();
    const rule = await getRule(db, id, now);
    if (!rule) throw ruleNotFound(id);
    if (rule.builtin) {
      throw new ApiError("conflict", `alert rule '${id}' is built in and cannot be deleted; disable it with PATCH {"enabled": false}`);
    }
    const deleted = await deleteRule(db, id);
    if (!deleted) throw ruleNotFound(id);
    // Receivers of a firing alert get its end (reason rule_deleted) rather than an alert left open.
    await announceDeletion(
      { db, webhookUrl: c.env.ALERT_WEBHOOK_URL || null, log: (message, fields) => c.get("logger").log("warn", message, toLogFields(fields)) },
      deleted.rule,
      deleted.state,
      now,
    );
    return c.json(presentRule(deleted.rule, deleted.state));
  });
  app.all("/alerts/rules/:ruleId", methodNotAllowed("GET", "PATCH", "DELETE"));

  app.get("/alerts/history", async (c) => {
    const limit = limitParam(c);
    const ruleId = c.req.query("rule");
    const history = await listHistory(openDatabase(c.env.DB), { limit, ...(ruleId ? { ruleId } : {}) });
    return c.json({ history: history.map(presentHistory) });
  });
  app.all("/alerts/history", methodNotAllowed("GET"));

  app.get("/alerts/active", async (c) => {
    const db = openDatabase(c.env.DB);
    const [rules, states] = await Promise.all([listRules(db, Date.now()), loadStates(db)]);
    const active = rules
      .map((rule) => ({ rule, state: stateOf(states, rule.id) }))
      .filter(({ state }) => state.status === "firing")
      .sort((a, b) => SEVERITY_RANK[a.rule.severity] - SEVERITY_RANK[b.rule.severity] || (a.state.since ?? 0) - (b.state.since ?? 0))
      .map(({ rule, state }) => ({
        rule: presentRuleOnly(rule),
        since: iso(state.since ?? state.lastEvaluatedAt ?? 0)!,
        lastValue: state.lastValue,
        lastEvaluatedAt: iso(state.lastEvaluatedAt),
        lastNotifiedAt: iso(state.lastNotifiedAt),
      }));
    return c.json({ active });
  });
  app.all("/alerts/active", methodNotAllowed("GET"));

  return app;
}

function toLogFields(fields: Record<string, unknown>): Record<string, string | number | boolean | null> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      key,
      typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value === null ? value : String(value),
    ]),
  );
}
