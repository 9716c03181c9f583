import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { evaluateAlerts } from "../../workers/alerting/run";
import type { AlertSources } from "../../workers/alerting/sources";
import { compareAndSetState } from "../../workers/alerting/store";
import { INITIAL_STATE } from "../../workers/alerting/types";
import { openDatabase } from "../../workers/db/client";
import worker from "../../workers/index";
import { addToSketch, emptySketch } from "../../workers/metrics/sketch";
import { env } from "../helpers/bindings";
import { ADMIN, call } from "../helpers/http";

// Alerting end to end: the real cron (scheduled handler) evaluates the rules against D1's job
// queue, stores state and history, and POSTs Slack-compatible notifications to a webhook receiver
// (test/fakes/callback-receiver.ts) — firing, deduplicated while firing, a reminder after the
// cooldown, resolved; failed deliveries recorded and re-sent.

const MIN = 60_000;

interface Received {
  method: string;
  headers: Record<string, string>;
  body: string;
}
interface Payload {
  text: string;
  blocks: unknown[];
  event: string;
  alert: { ruleId: string; status: string; repeat: boolean; value: number | null; dedupKey: string; reason: string };
}

const hook = (name: string) => `http://${name}.receiver.test/hook`;
async function received(name: string): Promise<Payload[]> {
  const requests = (await (await fetch(`http://${name}.receiver.test/__receiver/requests`)).json()) as Received[];
  return requests.map((request) => {
    expect(request.method).toBe("POST");
    expect(request.headers["content-type"]).toBe("application/json");
    return JSON.parse(request.body) as Payload;
  });
}
const forRule = (payloads: Payload[], ruleId: string) => payloads.filter((p) => p.alert.ruleId === ruleId);

async function runCron(scheduledTime: number, vars: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime }), { ...env, ...vars } as unknown as Env, ctx);
  await waitOnExecutionContext(ctx);
}

async function admin(method: string, path: string, body?: unknown) {
  const response = await call(path, {
    method,
    headers: { ...ADMIN, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

let jobs = 0;
async function queueJob(): Promise<string> {
  const id = `alert-job-${++jobs}`;
  await env.DB.prepare(
    "INSERT INTO jobs (id, tenant_id, lane, status, flavor, request, request_hash, attempts, created_at) VALUES (?1, 't', 'interactive', 'queued', 'native', '{}', 'h', 0, ?2)",
  )
    .bind(id, Date.now())
    .run();
  return id;
}
const finishJobs = () => env.DB.prepare("UPDATE jobs SET status = 'completed' WHERE status = 'queued'").run();

async function queueRule(id: string) {
  const created = await admin("POST", "/v1/admin/alerts/rules", {
    id,
    metric: "queue_depth_interactive",
    comparator: ">=",
    threshold: 1,
    windowMinutes: 0,
    severity: "critical",
    cooldownMinutes: 30,
  });
  expect(created.status).toBe(201);
}

beforeEach(async () => {
  await env.DB.batch([
    env.DB.prepare("DELETE FROM alert_rules"),
    env.DB.prepare("DELETE FROM alert_states"),
    env.DB.prepare("DELETE FROM alert_history"),
    env.DB.prepare("DELETE FROM jobs"),
  ]);
});

describe("alerting cron, end to end", () => {
  it("fires, deduplicates, reminds after the cooldown and resolves, posting to the webhook", async () => {
    const name = "alerts-lifecycle";
    const vars = { ALERT_WEBHOOK_URL: hook(name) };
    await queueRule("queue");
    const t0 = Date.now();

    await runCron(t0, vars); // nothing queued: ok
    expect(forRule(await received(name), "queue")).toEqual([]);

    await queueJob();
    await runCron(t0 + 5 * MIN, vars);
    let posts = forRule(await received(name), "queue");
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ event: "alert.firing", alert: { status: "firing", repeat: false, value: 1, reason: "condition_met" } });
    expect(posts[0].text).toMatch(/^:rotating_light: \[CRITICAL\] queue: queue_depth_interactive is 1/);
    expect(posts[0].blocks.length).toBeGreaterThan(0);

    const active = await admin("GET", "/v1/admin/alerts/active");
    expect((active.body.active as Array<{ rule: { id: string } }>).map((a) => a.rule.id)).toEqual(["queue"]);

    // Still firing within the cooldown: deduplicated.
    await queueJob();
    await runCron(t0 + 10 * MIN, vars);
    await runCron(t0 + 30 * MIN, vars);
    expect(forRule(await received(name), "queue")).toHaveLength(1);

    // 30 minutes after the announcement: a reminder with the same episode key.
    await runCron(t0 + 35 * MIN, vars);
    posts = forRule(await received(name), "queue");
    expect(posts).toHaveLength(2);
    expect(posts[1]).toMatchObject({ event: "alert.firing", alert: { repeat: true, value: 2, dedupKey: posts[0].alert.dedupKey } });

    // The queue drains: resolved, once.
    await finishJobs();
    await runCron(t0 + 40 * MIN, vars);
    await runCron(t0 + 45 * MIN, vars);
    posts = forRule(await received(name), "queue");
    expect(posts.map((p) => p.event)).toEqual(["alert.firing", "alert.firing", "alert.resolved"]);
    expect(posts[2].alert).toMatchObject({ status: "resolved", value: 0, reason: "condition_cleared", dedupKey: posts[0].alert.dedupKey });

    expect((await admin("GET", "/v1/admin/alerts/active")).body.active).toEqual([]);
    const history = (await admin("GET", "/v1/admin/alerts/history?rule=queue")).body.history as Array<Record<string, unknown>>;
    expect(history.map((h) => [h.kind, h.repeat])).toEqual([
      ["resolved", false],
      ["firing", true],
      ["firing", false],
    ]);
    for (const entry of history) expect(entry.delivery).toEqual({ status: "delivered", statusCode: 200, error: null });
    const rule = (await admin("GET", "/v1/admin/alerts/rules/queue")).body;
    expect(rule.state).toMatchObject({ status: "ok", lastValue: 0, lastEvaluatedAt: new Date(t0 + 45 * MIN).toISOString() });
  });

  it("records a failed delivery and sends the firing again at the next evaluation", async () => {
    const name = "alerts-flaky";
    await fetch(`http://${name}.receiver.test/__receiver/control`, { method: "POST", body: JSON.stringify({ status: 503, failNext: 1 }) });
    await queueRule("flaky");
    await queueJob();
    const t0 = Date.now();
    await runCron(t0, { ALERT_WEBHOOK_URL: hook(name) });
    await runCron(t0 + 5 * MIN, { ALERT_WEBHOOK_URL: hook(name) });
    await runCron(t0 + 10 * MIN, { ALERT_WEBHOOK_URL: hook(name) });
    const posts = forRule(await received(name), "flaky");
    // The 503 answer, then the re-send that got through; then nothing (deduplicated).
    expect(posts.map((p) => [p.alert.status, p.alert.repeat])).toEqual([
      ["firing", false],
      ["firing", false],
    ]);
    const history = (await admin("GET", "/v1/admin/alerts/history?rule=flaky")).body.history as Array<{ delivery: unknown }>;
    expect(history.map((h) => h.delivery)).toEqual([
      { status: "delivered", statusCode: 200, error: null },
      { status: "failed", statusCode: 503, error: "webhook answered HTTP 503" },
    ]);
  });

  it("never fails the cron: an unusable webhook URL is a failed delivery, no URL a skipped one", async () => {
    await queueRule("broken");
    await queueJob();
    const t0 = Date.now();
    await runCron(t0, { ALERT_WEBHOOK_URL: "not a url" });
    let history = (await admin("GET", "/v1/admin/alerts/history?rule=broken")).body.history as Array<{ delivery: { status: string; error: string } }>;
    expect(history[0].delivery).toMatchObject({ status: "failed" });

    await finishJobs();
    await runCron(t0 + 5 * MIN, { ALERT_WEBHOOK_URL: "" });
    history = (await admin("GET", "/v1/admin/alerts/history?rule=broken")).body.history as Array<{ delivery: { status: string; error: string } }>;
    expect(history[0]).toMatchObject({ kind: "resolved", delivery: { status: "skipped", statusCode: null, error: "ALERT_WEBHOOK_URL is not set" } });
  });

  it("announces the end of a firing alert whose rule is deleted", async () => {
    const name = "alerts-deleted";
    await queueRule("gone");
    await queueJob();
    await runCron(Date.now(), { ALERT_WEBHOOK_URL: hook(name) });
    // The API request uses the Worker's own ALERT_WEBHOOK_URL (empty in tests): recorded as skipped.
    expect((await admin("DELETE", "/v1/admin/alerts/rules/gone")).status).toBe(200);
    const history = (await admin("GET", "/v1/admin/alerts/history?rule=gone")).body.history as Array<{ kind: string; reason: string }>;
    expect(history.map((h) => [h.kind, h.reason])).toEqual([
      ["resolved", "rule_deleted"],
      ["firing", "condition_met"],
    ]);
  });
});

describe("evaluation over rollups (fake sources, real D1)", () => {
  const now = Date.UTC(2026, 10, 2, 12, 0, 30);
  function sources(errors: number): AlertSources {
    return {
      rollups: async ({ from, to }) => {
        const out = [];
        for (let at = from; at < to; at += MIN) {
          const latency = emptySketch();
          addToSketch(latency, 120, 100);
          out.push({ at, requests: 100, errors, latency, cacheHits: 50, cacheLookups: 100 });
        }
        return out;
      },
      queueDepth: async () => 0,
      health: async () => ({ openBreakers: 0, criticalRegions: 0 }),
    };
  }

  it("fires the built-in error-rate rule and resolves it, recording each", async () => {
    const db = openDatabase(env.DB);
    const sent: Array<{ event: string; alert: { ruleId: string } }> = [];
    const fetcher = (async (_url: string, init: RequestInit) => {
      sent.push(JSON.parse(String(init.body)));
      return new Response("ok");
    }) as unknown as typeof fetch;
    const deps = { db, webhookUrl: "https://hooks.example/alerts", fetcher, log: () => {} };

    const first = await evaluateAlerts({ ...deps, sources: sources(20) }, now);
    expect(first.evaluated).toBe(7);
    expect(first.notifications).toEqual([{ ruleId: "error-rate", kind: "firing", repeat: false, delivery: "delivered" }]);
    const second = await evaluateAlerts({ ...deps, sources: sources(1) }, now + 5 * MIN);
    expect(second.notifications).toEqual([{ ruleId: "error-rate", kind: "resolved", repeat: false, delivery: "delivered" }]);
    expect(sent.map((p) => [p.event, p.alert.ruleId])).toEqual([
      ["alert.firing", "error-rate"],
      ["alert.resolved", "error-rate"],
    ]);
    const state = await env.DB.prepare("SELECT status, last_value AS value, version FROM alert_states WHERE rule_id = 'error-rate'").first();
    expect(state).toEqual({ status: "ok", value: 0.01, version: 2 });
  });

  it("lets only one of two concurrent evaluations write a rule's new state", async () => {
    const db = openDatabase(env.DB);
    const firing = { ...INITIAL_STATE, status: "firing" as const, since: now, lastNotifiedAt: now };
    expect(await compareAndSetState(db, "race", 0, firing)).toBe(1);
    expect(await compareAndSetState(db, "race", 0, firing)).toBeNull();
    expect(await compareAndSetState(db, "race", 1, INITIAL_STATE)).toBe(2);
    expect(await compareAndSetState(db, "race", 1, INITIAL_STATE)).toBeNull();
  });
});
