import { beforeEach, describe, expect, it } from "vitest";
import { capacityPlanSchema } from "../../workers/capacity/api-schema";
import { HOUR_MS, MINUTE_MS, type TrafficSample } from "../../workers/capacity/series";
import { MAX_HOURS_PER_RUN, ROLLUP_REACH_HOURS, gatherSamples, loadHistory, recordHistory } from "../../workers/capacity/history";
import { openDatabase } from "../../workers/db/client";
import { env } from "../helpers/bindings";
import { ADMIN, call, callWithVars } from "../helpers/http";
import { syntheticSeries } from "./synthetic-series";

// GET /v1/capacity over real D1 (the hourly history) and the real metrics store, and the cron's
// recording of complete hours into that history.

interface Plan {
  generatedAt: string;
  horizonHours: number;
  model: Record<string, unknown>;
  regions: Array<{ id: string; historyPoints: number; model: { kind: string }; forecast: Array<{ at: string; rps: number; low: number; high: number }>; action: string; elastic: boolean; currentCapacity: number }>;
}

const currentHour = () => Math.floor(Date.now() / HOUR_MS) * HOUR_MS;

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM capacity_hours").run();
});

describe("GET /v1/capacity", () => {
  it("answers a plan per region, open outside production", async () => {
    const response = await call("/v1/capacity");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const plan = (await response.json()) as Plan;
    expect(plan.horizonHours).toBe(6);
    expect(plan.model).toMatchObject({ name: "holt_winters_additive", seasonLength: 24, historyDays: 14 });
    // No regions stored: the synthetic `local` region, builtin only (elastic), no traffic yet.
    expect(plan.regions).toHaveLength(1);
    expect(plan.regions[0]).toMatchObject({ id: "local", historyPoints: 0, model: { kind: "none" }, action: "hold", elastic: true, currentCapacity: 0 });
    expect(plan.regions[0].forecast.length).toBeGreaterThanOrEqual(6);
  });

  it("forecasts from the recorded hourly history with Holt-Winters", async () => {
    const start = currentHour() - 14 * 24 * HOUR_MS;
    const rps = syntheticSeries({ seed: 5, days: 14 - 2 });
    // Twelve days recorded, up to where the per-minute rollups take over (they are empty here).
    await env.DB.batch(
      rps.map((value, h) =>
        env.DB.prepare("INSERT INTO capacity_hours (hour, requests, latency_ms_sum, region_requests, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)").bind(
          start + h * HOUR_MS,
          Math.round(value * 3600),
          Math.round(value * 3600) * 80,
          JSON.stringify({ local: Math.round(value * 3600) }),
          Date.now(),
        ),
      ),
    );
    const plan = (await (await call("/v1/capacity?hours=12")).json()) as Plan;
    // The answer matches the schema the OpenAPI document publishes.
    expect(capacityPlanSchema.strict().safeParse(plan).error).toBeUndefined();
    expect(plan.horizonHours).toBe(12);
    const local = plan.regions[0];
    expect(local.model.kind).toBe("holt_winters");
    expect(local.historyPoints).toBe(14 * 24);
    expect(local.forecast.length).toBeGreaterThanOrEqual(12);
  });

  it("validates hours", async () => {
    for (const hours of ["0", "49", "2.5", "x"]) {
      const response = await call(`/v1/capacity?hours=${hours}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; details: Array<{ path: string }> } };
      expect(body.error.code).toBe("validation_failed");
      expect(body.error.details.map((d) => d.path)).toEqual(["query.hours"]);
    }
    expect((await call("/v1/capacity", { method: "POST" })).status).toBe(405);
  });

  it("needs the admin secret in production", async () => {
    expect((await callWithVars({ ENVIRONMENT: "production" }, "/v1/capacity")).status).toBe(401);
    expect((await callWithVars({ ENVIRONMENT: "production" }, "/v1/capacity", { headers: ADMIN })).status).toBe(200);
  });

  it("is in the OpenAPI document, with the alerting admin API", async () => {
    const doc = (await (await call("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths["/v1/capacity"])).toEqual(["get"]);
    expect(Object.keys(doc.paths["/v1/admin/alerts/rules"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/v1/admin/alerts/rules/{ruleId}"]).sort()).toEqual(["delete", "get", "patch"]);
    expect(doc.paths["/v1/admin/alerts/history"]).toHaveProperty("get");
    expect(doc.paths["/v1/admin/alerts/active"]).toHaveProperty("get");
  });
});

describe("capacity history recording", () => {
  /** Minutes with 60 requests each (1 rps) in "eu", 100 ms each. */
  const fakeRollups = (calls: Array<{ from: number; to: number }>) => async (range: { from: number; to: number }): Promise<TrafficSample[]> => {
    calls.push(range);
    const out: TrafficSample[] = [];
    for (let at = range.from; at < range.to; at += MINUTE_MS) out.push({ at, requests: 60, latencyMsSum: 6000, regionRequests: { eu: 60 } });
    return out;
  };

  it("folds complete hours, oldest first, a bounded number per run, and continues where it stopped", async () => {
    const db = openDatabase(env.DB);
    const now = currentHour() + 7 * MINUTE_MS;
    const calls: Array<{ from: number; to: number }> = [];
    const first = await recordHistory(db, fakeRollups(calls), now);
    const oldest = currentHour() - ROLLUP_REACH_HOURS * HOUR_MS;
    expect(first).toEqual(Array.from({ length: MAX_HOURS_PER_RUN }, (_, i) => oldest + i * HOUR_MS));
    const second = await recordHistory(db, fakeRollups(calls), now);
    expect(second[0]).toBe(oldest + MAX_HOURS_PER_RUN * HOUR_MS);
    expect(calls[1].from).toBe(oldest + MAX_HOURS_PER_RUN * HOUR_MS);

    const rows = await loadHistory(db, { from: 0, to: now });
    expect(rows).toHaveLength(2 * MAX_HOURS_PER_RUN);
    expect(rows[0]).toEqual({ at: oldest, requests: 3600, latencyMsSum: 360_000, regionRequests: { eu: 3600 } });

    // Caught up: the current hour is never recorded (it is not complete).
    for (let i = 0; i < 10; i++) await recordHistory(db, fakeRollups(calls), now);
    const all = await loadHistory(db, { from: 0, to: now + HOUR_MS });
    expect(all.at(-1)!.at).toBe(currentHour() - HOUR_MS);
    expect(await recordHistory(db, fakeRollups(calls), now)).toEqual([]);
  });

  it("reads the recorded hours, and rollups only for what is not recorded yet", async () => {
    const db = openDatabase(env.DB);
    const now = currentHour() + 30 * MINUTE_MS;
    const reach = currentHour() - ROLLUP_REACH_HOURS * HOUR_MS;
    const insert = (hours: number[]) =>
      env.DB.batch(
        hours.map((hour) =>
          env.DB.prepare("INSERT INTO capacity_hours (hour, requests, latency_ms_sum, region_requests, recorded_at) VALUES (?1, 1, 1, '{}', 0)").bind(hour),
        ),
      );
    const calls: Array<{ from: number; to: number }> = [];
    // Recorded up to 3 hours before the rollups' reach (the cron paused): rollups from the reach.
    await insert([reach - 4 * HOUR_MS, reach - 3 * HOUR_MS]);
    let samples = await gatherSamples(db, fakeRollups(calls), { from: reach - 10 * HOUR_MS, now });
    expect(calls.at(-1)).toEqual({ from: reach, to: now });
    expect(samples.filter((s) => s.requests === 1).map((s) => s.at)).toEqual([reach - 4 * HOUR_MS, reach - 3 * HOUR_MS]);
    // Recorded up to the last complete hour: rollups only for the current one.
    await insert([currentHour() - 2 * HOUR_MS, currentHour() - HOUR_MS]);
    samples = await gatherSamples(db, fakeRollups(calls), { from: reach - 10 * HOUR_MS, now });
    expect(calls.at(-1)).toEqual({ from: currentHour(), to: now });
    expect(samples.filter((s) => s.requests === 1)).toHaveLength(4);
    expect(samples.filter((s) => s.requests === 60)).toHaveLength(30);
  });

  it("runs from the cron with the real metrics store", async () => {
    const { createExecutionContext, createScheduledController, waitOnExecutionContext } = await import("cloudflare:test");
    const worker = (await import("../../workers/index")).default;
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), env as unknown as Env, ctx);
    await waitOnExecutionContext(ctx);
    const rows = await loadHistory(openDatabase(env.DB), { from: 0, to: Date.now() });
    expect(rows).toHaveLength(MAX_HOURS_PER_RUN);
    expect(rows.every((row) => row.requests === 0)).toBe(true);
  });
});
