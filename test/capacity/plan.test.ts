import { describe, expect, it } from "vitest";
import { buildCapacityPlan } from "../../workers/capacity/plan";
import { HOUR_MS, MINUTE_MS, foldHours, meanLatency, regionSeries, type TrafficSample } from "../../workers/capacity/series";
import type { Backend, Region } from "../../workers/routing/types";
import { syntheticSeries } from "./synthetic-series";

const T0 = Date.UTC(2026, 10, 2, 0, 0, 0);

const sample = (at: number, regionRequests: Record<string, number>, latencyMs = 100): TrafficSample => {
  const requests = Object.values(regionRequests).reduce((a, b) => a + b, 0);
  return { at, requests, latencyMsSum: requests * latencyMs, regionRequests };
};

function region(id: string): Region {
  return { id, name: id.toUpperCase(), latitude: 0, longitude: 0, locationHint: null, countries: [], continents: [], policy: "least_connections", sessionFailover: "temporary", affinityTtlSeconds: 1800, isDefault: id === "eu", enabled: true };
}

function backend(id: string, regionId: string, kind: Backend["kind"], maxConcurrency: number): Backend {
  return { id, regionId, kind, url: kind === "piston" ? `http://${id}` : null, weight: 1, maxConcurrency, minConcurrency: 1, languages: [], enabled: true, runtimes: [], healthy: true, lastCheckedAt: null };
}

describe("request-rate series", () => {
  it("buckets requests per hour as requests/s, from the region's first hour with traffic", () => {
    const samples = [
      sample(T0, {}),
      sample(T0 + HOUR_MS, { eu: 3600 }),
      sample(T0 + HOUR_MS + 5 * MINUTE_MS, { eu: 3600, us: 1 }),
      sample(T0 + 2 * HOUR_MS, {}),
      sample(T0 + 3 * HOUR_MS, { eu: 7200 }),
    ];
    const series = regionSeries(samples, "eu", { from: T0, to: T0 + 4 * HOUR_MS, bucketMs: HOUR_MS, seasonLength: 24 });
    expect(series).toEqual({ start: T0 + HOUR_MS, values: [2, 0, 2], filled: 0 });
    expect(regionSeries(samples, "ap", { from: T0, to: T0 + 4 * HOUR_MS, bucketMs: HOUR_MS, seasonLength: 24 })).toEqual({ start: null, values: [], filled: 0 });
  });

  it("fills hours no sample covers with the value a season earlier, else the hour before", () => {
    const samples = [0, 1, 2, 4].map((h) => sample(T0 + h * HOUR_MS, { eu: 3600 * (h + 1) }));
    // Hours 3 and 5 are missing; hour 5 is outside the samples and also filled.
    const series = regionSeries(samples, "eu", { from: T0, to: T0 + 6 * HOUR_MS, bucketMs: HOUR_MS, seasonLength: 2 });
    expect(series.values).toEqual([1, 2, 3, 2, 5, 2]);
    expect(series.filled).toBe(2);
  });

  it("folds minutes into hours and means latency over requests", () => {
    const minutes = [sample(T0, { eu: 10 }, 100), sample(T0 + MINUTE_MS, { eu: 30, us: 10 }, 200), sample(T0 + HOUR_MS, { us: 5 }, 50)];
    expect(foldHours(minutes, { from: T0, to: T0 + HOUR_MS })).toEqual([
      { at: T0, requests: 50, latencyMsSum: 10 * 100 + 40 * 200, regionRequests: { eu: 40, us: 10 } },
    ]);
    expect(meanLatency(minutes, { from: T0, to: T0 + 2 * HOUR_MS })).toBeCloseTo((1000 + 8000 + 250) / 55, 10);
    expect(meanLatency([], { from: T0, to: T0 + HOUR_MS })).toBeNull();
  });
});

describe("capacity plan", () => {
  // 14 days of hourly history for "eu" from the synthetic series (rps), none for "us".
  const rps = syntheticSeries({ seed: 3, days: 14 });
  const samples = rps.map((value, h) => sample(T0 + h * HOUR_MS, { eu: Math.round(value * 3600) }, 250));
  const now = T0 + 14 * 24 * HOUR_MS + 20 * MINUTE_MS;

  it("forecasts each region with the model its history allows and recommends capacity", () => {
    const plan = buildCapacityPlan({
      now,
      horizonHours: 6,
      samples,
      regions: [region("eu"), region("us")],
      backends: [backend("eu-1", "eu", "piston", 16), backend("builtin-eu", "eu", "builtin", 64), backend("builtin-us", "us", "builtin", 64)],
    });
    expect(plan.generatedAt).toBe(new Date(now).toISOString());
    expect(plan.horizonHours).toBe(6);
    expect(plan.model).toMatchObject({ name: "holt_winters_additive", seasonLength: 24, bucketMinutes: 60, interval: 0.95, headroom: 1.3 });

    const [eu, us] = plan.regions;
    expect(eu).toMatchObject({ id: "eu", historyPoints: 14 * 24, filledPoints: 0, elastic: true, currentCapacity: 16, meanLatencyMs: 250 });
    expect(eu.model.kind).toBe("holt_winters");
    // The current hour and the next six (the horizon ends 20 minutes into the seventh).
    expect(eu.forecast).toHaveLength(7);
    expect(eu.forecast[0].at).toBe(new Date(T0 + 14 * 24 * HOUR_MS).toISOString());
    expect(eu.forecastPeakRps).toBe(Math.max(...eu.forecast.map((p) => p.rps)));
    // ~200 rps at night-to-morning hours × 0.25 s × 1.3 ≫ 16 slots.
    expect(eu.requiredConcurrency).toBe(Math.ceil(Math.round(eu.forecastPeakRps * 0.25 * 1.3 * 1e9) / 1e9));
    expect(eu.action).toBe("scale_out");
    expect(eu.suggestedCapacity).toBe(eu.requiredConcurrency);
    for (const point of eu.forecast) expect(point.low).toBeLessThanOrEqual(point.rps);

    expect(us).toMatchObject({ id: "us", historyPoints: 0, historyStart: null, forecastPeakRps: 0, action: "hold", currentCapacity: 0, elastic: true });
    expect(us.model.kind).toBe("none");
  });

  it("falls back to seasonal naive, Holt and then the mean as history shortens", () => {
    const plan = (hours: number) =>
      buildCapacityPlan({ now, horizonHours: 1, samples: samples.slice(-hours), regions: [region("eu")], backends: [] }).regions[0].model.kind;
    expect(plan(48)).toBe("holt_winters");
    expect(plan(47)).toBe("seasonal_naive");
    expect(plan(24)).toBe("seasonal_naive");
    expect(plan(23)).toBe("holt");
    expect(plan(4)).toBe("holt");
    expect(plan(3)).toBe("mean");
  });
});
