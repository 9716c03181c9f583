import { beforeEach, describe, expect, it } from "vitest";
import { BUILTIN_RULES } from "../../workers/alerting/defaults";
import { env } from "../helpers/bindings";
import { ADMIN, call, callWithVars } from "../helpers/http";

// The admin API for alert rules, history and active alerts: validation (field-level 400s in the
// standard envelope), round trips, built-in defaults, auth.

type Json = Record<string, unknown>;
interface Envelope {
  error: { code: string; status: number; message: string; details?: Array<{ path: string; message: string }> };
}

function send(method: string, path: string, body?: unknown, headers: Record<string, string> = ADMIN): Promise<Response> {
  return call(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function ok(response: Response, status = 200): Promise<Json> {
  const body = (await response.json()) as Json;
  expect(response.status, JSON.stringify(body)).toBe(status);
  return body;
}

async function invalid(response: Response): Promise<Array<{ path: string; message: string }>> {
  const body = (await response.json()) as Envelope;
  expect(response.status, JSON.stringify(body)).toBe(400);
  expect(body.error.code).toBe("validation_failed");
  return body.error.details ?? [];
}

const paths = async (response: Response) => (await invalid(response)).map((d) => d.path);

beforeEach(async () => {
  await env.DB.batch([env.DB.prepare("DELETE FROM alert_rules"), env.DB.prepare("DELETE FROM alert_states"), env.DB.prepare("DELETE FROM alert_history")]);
});

describe("alert rules API", () => {
  it("seeds the built-in defaults on first read", async () => {
    const { rules } = (await ok(await send("GET", "/v1/admin/alerts/rules"))) as { rules: Array<Json & { state: Json }> };
    expect(rules.map((r) => r.id).sort()).toEqual(BUILTIN_RULES.map((r) => r.id).sort());
    expect(new Set(rules.map((r) => r.metric))).toEqual(
      new Set(["error_rate", "p99_latency_ms", "cache_hit_ratio", "open_breakers", "critical_regions", "queue_depth_interactive", "queue_depth_batch"]),
    );
    for (const rule of rules) {
      expect(rule).toMatchObject({ builtin: true, enabled: true });
      expect(rule.state).toEqual({ status: "ok", since: null, lastValue: null, lastEvaluatedAt: null, lastNotifiedAt: null, pendingSince: null });
    }
  });

  it("creates, reads, changes and deletes a rule (camelCase, defaults filled in)", async () => {
    const created = await ok(
      await send("POST", "/v1/admin/alerts/rules", { id: "slow", metric: "p99_latency_ms", comparator: ">=", threshold: 2500, description: "  slow  " }),
      201,
    );
    expect(created).toMatchObject({
      id: "slow",
      description: "slow",
      metric: "p99_latency_ms",
      comparator: ">=",
      threshold: 2500,
      windowMinutes: 5,
      severity: "warning",
      cooldownMinutes: 60,
      enabled: true,
      builtin: false,
      state: { status: "ok" },
    });
    expect(await ok(await send("GET", "/v1/admin/alerts/rules/slow"))).toEqual(created);

    const changed = await ok(await send("PATCH", "/v1/admin/alerts/rules/slow", { threshold: 4000, severity: "critical", enabled: false }));
    expect(changed).toMatchObject({ id: "slow", threshold: 4000, severity: "critical", enabled: false, windowMinutes: 5 });
    expect(Date.parse(changed.updatedAt as string)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt as string));

    expect(await ok(await send("DELETE", "/v1/admin/alerts/rules/slow"))).toMatchObject({ id: "slow", threshold: 4000 });
    expect((await send("GET", "/v1/admin/alerts/rules/slow")).status).toBe(404);
    expect((await send("DELETE", "/v1/admin/alerts/rules/slow")).status).toBe(404);
  });

  it("generates an id when none is given, and gauges default to a window of 0", async () => {
    const created = await ok(await send("POST", "/v1/admin/alerts/rules", { metric: "queue_depth_batch", comparator: ">", threshold: 10 }), 201);
    expect(created.id).toMatch(/^rule-[0-9a-f]{8}$/);
    expect(created.windowMinutes).toBe(0);
  });

  it("answers 409 for an existing id, including a built-in one", async () => {
    const body = { id: "dup", metric: "rps", comparator: ">", threshold: 1 };
    await ok(await send("POST", "/v1/admin/alerts/rules", body), 201);
    expect((await send("POST", "/v1/admin/alerts/rules", body)).status).toBe(409);
    expect((await send("POST", "/v1/admin/alerts/rules", { ...body, id: "error-rate" })).status).toBe(409);
  });

  it("lets built-in rules be edited and disabled but not deleted", async () => {
    expect(await ok(await send("PATCH", "/v1/admin/alerts/rules/error-rate", { threshold: 0.1, enabled: false }))).toMatchObject({
      builtin: true,
      threshold: 0.1,
      enabled: false,
    });
    const refused = await send("DELETE", "/v1/admin/alerts/rules/error-rate");
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as Envelope).error.message).toMatch(/enabled/);
    // The edit survives the next seeding read.
    expect(await ok(await send("GET", "/v1/admin/alerts/rules/error-rate"))).toMatchObject({ threshold: 0.1, enabled: false });
  });

  it("reports every invalid field of a new rule at its own path", async () => {
    const details = await invalid(
      await send("POST", "/v1/admin/alerts/rules", {
        id: "Not Valid",
        metric: "cpu",
        comparator: "==",
        threshold: "high",
        windowMinutes: 1.5,
        severity: "page",
        cooldownMinutes: 0,
        enabled: "yes",
        warn_after: 3,
      }),
    );
    expect(details.map((d) => d.path).sort()).toEqual(
      ["comparator", "cooldownMinutes", "enabled", "id", "metric", "severity", "threshold", "warn_after", "windowMinutes"].sort(),
    );
    expect(details.find((d) => d.path === "metric")!.message).toMatch(/^metric must be one of error_rate, /);
    expect(details.find((d) => d.path === "warn_after")!.message).toBe("warn_after is not a known field");
    expect(await paths(await send("POST", "/v1/admin/alerts/rules", {}))).toEqual(expect.arrayContaining(["metric", "comparator", "threshold"]));
  });

  it("checks rules across fields: window metrics need a window, ratios are 0..1, nothing is negative", async () => {
    expect(await paths(await send("POST", "/v1/admin/alerts/rules", { metric: "error_rate", comparator: ">", threshold: 0.1, windowMinutes: 0 }))).toEqual(["windowMinutes"]);
    const ratio = await invalid(await send("POST", "/v1/admin/alerts/rules", { metric: "error_rate", comparator: ">", threshold: 5 }));
    expect(ratio).toEqual([{ path: "threshold", message: expect.stringMatching(/between 0 and 1/) }]);
    expect(await paths(await send("POST", "/v1/admin/alerts/rules", { metric: "rps", comparator: "<", threshold: -1 }))).toEqual(["threshold"]);
    // On PATCH the merged rule is checked: turning a gauge rule with window 0 into a window metric.
    await ok(await send("POST", "/v1/admin/alerts/rules", { id: "g", metric: "open_breakers", comparator: ">=", threshold: 1 }), 201);
    expect(await paths(await send("PATCH", "/v1/admin/alerts/rules/g", { metric: "rps" }))).toEqual(["windowMinutes"]);
    expect(await ok(await send("PATCH", "/v1/admin/alerts/rules/g", { metric: "rps", windowMinutes: 10 }))).toMatchObject({ metric: "rps", windowMinutes: 10 });
    expect(await paths(await send("PATCH", "/v1/admin/alerts/rules/g", { builtin: true, id: "x" }))).toEqual(["builtin", "id"]);
  });

  it("rejects bodies that are not JSON objects and unknown methods", async () => {
    const notJson = await call("/v1/admin/alerts/rules", { method: "POST", headers: { ...ADMIN, "content-type": "application/json" }, body: "{" });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as Envelope).error.code).toBe("invalid_json");
    const put = await send("PUT", "/v1/admin/alerts/rules/error-rate", {});
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, PATCH, DELETE, HEAD");
    expect((await send("POST", "/v1/admin/alerts/history", {})).status).toBe(405);
    expect((await send("PATCH", "/v1/admin/alerts/rules/nope", { threshold: 1 })).status).toBe(404);
  });

  it("needs the admin secret", async () => {
    expect((await send("GET", "/v1/admin/alerts/rules", undefined, {})).status).toBe(401);
    expect((await send("GET", "/v1/admin/alerts/active", undefined, { authorization: "Bearer wrong" })).status).toBe(403);
    expect((await callWithVars({ ENVIRONMENT: "production" }, "/v1/admin/alerts/history")).status).toBe(401);
  });
});

describe("alert history and active alerts API", () => {
  async function seedHistory(n: number) {
    const statements = Array.from({ length: n }, (_, i) =>
      env.DB.prepare(
        "INSERT INTO alert_history (rule_id, kind, repeat, reason, severity, metric, comparator, threshold, window_minutes, value, since, at, dedup_key, delivery, status_code, error) VALUES (?1, ?2, 0, 'condition_met', 'warning', 'rps', '>', 1, 5, ?3, 1000, ?4, ?5, 'delivered', 200, NULL)",
      ).bind(i % 2 === 0 ? "a" : "b", "firing", i, 1_000 + i * 1000, `a:${i}`),
    );
    await env.DB.batch(statements);
  }

  it("lists history newest first, limited, optionally for one rule", async () => {
    await seedHistory(5);
    const all = (await ok(await send("GET", "/v1/admin/alerts/history"))) as { history: Json[] };
    expect(all.history.map((h) => h.value)).toEqual([4, 3, 2, 1, 0]);
    expect(all.history[0]).toMatchObject({
      ruleId: "a",
      kind: "firing",
      repeat: false,
      reason: "condition_met",
      at: new Date(5000).toISOString(),
      since: new Date(1000).toISOString(),
      delivery: { status: "delivered", statusCode: 200, error: null },
    });
    const two = (await ok(await send("GET", "/v1/admin/alerts/history?limit=2"))) as { history: Json[] };
    expect(two.history).toHaveLength(2);
    const b = (await ok(await send("GET", "/v1/admin/alerts/history?rule=b"))) as { history: Json[] };
    expect(b.history.map((h) => h.value)).toEqual([3, 1]);
  });

  it("validates limit", async () => {
    for (const limit of ["0", "501", "abc", "1.5", ""]) {
      expect(await invalid(await send("GET", `/v1/admin/alerts/history?limit=${limit}`))).toEqual([
        { path: "limit", message: "limit must be a whole number from 1 to 500" },
      ]);
    }
  });

  it("lists firing rules, most severe first", async () => {
    await ok(await send("GET", "/v1/admin/alerts/rules"));
    await env.DB.batch([
      env.DB.prepare("INSERT INTO alert_states (rule_id, status, since, last_value, last_evaluated_at, last_notified_at, version) VALUES ('open-breakers', 'firing', 2000, 3, 3000, 2000, 1)"),
      env.DB.prepare("INSERT INTO alert_states (rule_id, status, since, last_value, last_evaluated_at, last_notified_at, version) VALUES ('critical-regions', 'firing', 2500, 1, 3000, 2500, 1)"),
      env.DB.prepare("INSERT INTO alert_states (rule_id, status, since, version) VALUES ('error-rate', 'ok', 1000, 1)"),
    ]);
    const { active } = (await ok(await send("GET", "/v1/admin/alerts/active"))) as { active: Array<{ rule: Json; since: string; lastValue: number }> };
    expect(active.map((a) => [a.rule.id, a.rule.severity, a.lastValue])).toEqual([
      ["critical-regions", "critical", 1],
      ["open-breakers", "warning", 3],
    ]);
    expect(active[1].since).toBe(new Date(2000).toISOString());
  });
});
