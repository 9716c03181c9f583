import { beforeAll, describe, expect, it } from "vitest";
import { readRollups } from "../../workers/metrics";
import type { MetricsReport } from "../../workers/metrics/report";
import { env } from "../helpers/bindings";
import { ADMIN, call, callWithVars, postJson } from "../helpers/http";
import { parsePrometheus, sampleValue } from "./prometheus-parser";

// End to end through the real Worker: requests are recorded by the request-context middleware,
// GET /v1/metrics flushes the isolate's pending rollups to the MetricsRollup DO and reads them
// back, GET /metrics renders them for Prometheus. Storage is per test file, so the counts below
// are exactly this file's requests.

const REGION = "metrics-e2e";

async function metrics(minutes = 10): Promise<MetricsReport> {
  const response = await call(`/v1/metrics?minutes=${minutes}`);
  expect(response.status).toBe(200);
  return (await response.json()) as MetricsReport;
}

function execute(code: string, headers: Record<string, string> = {}) {
  return postJson("/v1/executions", { language: "javascript", code }, { "X-Edgebox-Region": REGION, ...headers });
}

beforeAll(async () => {
  const response = await postJson(
    "/v1/admin/regions",
    { id: REGION, name: "Metrics test", latitude: 1, longitude: 1, policy: "round_robin" },
    ADMIN,
  );
  expect(response.status).toBe(201);
});

describe("metrics end to end", () => {
  it("GET /v1/metrics counts exactly the requests sent, with cache levels and region state", async () => {
    const before = await metrics();

    const first = await execute("console.log(6 * 7)");
    expect(first.status).toBe(200);
    expect(first.headers.get("X-Cache")).toBe("MISS");
    const second = await execute("console.log(6 * 7)");
    expect(second.headers.get("X-Cache")).toBe("HIT-L1");
    const bypass = await execute("console.log(1)", { "cache-control": "no-cache" });
    expect(bypass.headers.get("X-Cache")).toBe("BYPASS");
    expect((await call("/v1/no-such-route")).status).toBe(404);
    expect((await postJson("/v1/executions", { language: "javascript" })).status).toBe(400);

    const after = await metrics();
    // The 5 requests above, plus the first GET /v1/metrics (recorded after it answered).
    expect(after.requests.total - before.requests.total).toBe(6);
    expect(after.requests.errorRate).toBe(0);
    expect(after.cache.byLevel.L1.hits - before.cache.byLevel.L1.hits).toBe(1);
    expect(after.cache.byLevel.miss.count - before.cache.byLevel.miss.count).toBe(1);
    expect(after.cache.byLevel.bypass.count - before.cache.byLevel.bypass.count).toBe(1);
    expect(after.cache.hitRatio).not.toBeNull();

    // The shape the dashboard is built against.
    expect(Object.keys(after)).toEqual(["window", "requests", "latencyMs", "cache", "queues", "regions", "series"]);
    expect(after.window.minutes).toBe(10);
    expect(new Date(after.window.from).toISOString()).toBe(after.window.from);
    expect(after.series).toHaveLength(10);
    expect(after.series.reduce((sum, m) => sum + m.requests, 0)).toBe(after.requests.total);
    expect(Object.keys(after.series[0]).sort()).toEqual(["cacheHits", "cacheLookups", "errors", "minute", "p50", "p95", "p99", "requests"]);
    expect(after.requests.rps).toBeGreaterThan(0);
    expect(after.latencyMs.p50).not.toBeNull();
    expect(after.queues).toEqual({ interactive: { depth: 0 }, batch: { depth: 0 } });
    const region = after.regions.find((r) => r.id === REGION)!;
    expect(region).toMatchObject({ status: "healthy", inFlight: 0 });
    expect(region.backends).toEqual([{ id: `builtin-${REGION}`, inFlight: 0, limit: 64, breaker: "closed", probe: "healthy" }]);

    // readRollups (what forecasting and alerting read): exact per-region counts.
    const now = Date.now();
    const rollups = await readRollups(env, { from: now - 10 * 60_000, to: now + 1 });
    expect(rollups.reduce((sum, m) => sum + (m.regionRequests[REGION] ?? 0), 0)).toBe(3);
    expect(rollups.reduce((sum, m) => sum + m.cache.L1, 0)).toBe(after.cache.byLevel.L1.hits);
    expect(rollups.every((m, i) => i === 0 || m.minute === rollups[i - 1].minute + 60_000)).toBe(true);
  });

  it("GET /metrics is valid Prometheus text with the same counts", async () => {
    const response = await call("/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const families = parsePrometheus(await response.text());
    expect(sampleValue(families, "edgebox_region_requests_total", { region: REGION })).toBe(3);
    expect(sampleValue(families, "edgebox_requests_total", { route: "POST /v1/executions", status_class: "2xx" })).toBe(3);
    expect(sampleValue(families, "edgebox_requests_total", { route: "POST /v1/executions", status_class: "4xx" })).toBe(1);
    expect(sampleValue(families, "edgebox_requests_total", { route: "unmatched", status_class: "4xx" })).toBe(1);
    expect(sampleValue(families, "edgebox_cache_requests_total", { level: "L1" })).toBe(1);
    expect(sampleValue(families, "edgebox_executions_total", { runtime: "javascript" })).toBe(2);
    expect(sampleValue(families, "edgebox_queue_depth", { lane: "interactive" })).toBe(0);
    expect(sampleValue(families, "edgebox_backend_breaker_state", { region: REGION, backend: `builtin-${REGION}`, state: "closed" })).toBe(1);
  });

  it("needs the admin secret in production, and is open elsewhere", async () => {
    for (const path of ["/v1/metrics", "/metrics"]) {
      expect((await callWithVars({ ENVIRONMENT: "production" }, path)).status).toBe(401);
      expect((await callWithVars({ ENVIRONMENT: "production" }, path, { headers: { authorization: "Bearer wrong" } })).status).toBe(403);
      expect((await callWithVars({ ENVIRONMENT: "production" }, path, { headers: ADMIN })).status).toBe(200);
      expect((await callWithVars({ ENVIRONMENT: "development" }, path)).status).toBe(200);
    }
  });

  it("validates the window and allows only GET", async () => {
    for (const minutes of ["0", "2881", "1.5", "x"]) expect((await call(`/v1/metrics?minutes=${minutes}`)).status).toBe(400);
    expect((await call("/v1/metrics?minutes=2880")).status).toBe(200);
    expect((await call("/v1/metrics", { method: "POST" })).status).toBe(405);
    expect((await call("/metrics", { method: "DELETE" })).status).toBe(405);
  });
});
