import { describe, expect, it } from "vitest";
import { MIN_SAMPLE, metricValue, windowBounds, type AlertRollup, type MetricSnapshot } from "../../workers/alerting/metrics";
import { takeSnapshot, type AlertSources } from "../../workers/alerting/sources";
import type { AlertRule } from "../../workers/alerting/types";
import { addToSketch, emptySketch } from "../../workers/metrics/sketch";

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 2, 12, 0, 30); // 30 s into the minute

function minute(offset: number, requests: number, errors = 0, latencies: number[] = [], cache = { hits: 0, lookups: 0 }): AlertRollup {
  const latency = emptySketch();
  for (const ms of latencies) addToSketch(latency, ms);
  return { at: Math.floor(NOW / MIN) * MIN + offset * MIN, requests, errors, latency, cacheHits: cache.hits, cacheLookups: cache.lookups };
}

const gauges = { openBreakers: 2, criticalRegions: 1, queueDepthInteractive: 7, queueDepthBatch: null };
const snapshot = (rollups: AlertRollup[] | null): MetricSnapshot => ({ now: NOW, rollups, gauges });

describe("alert metric values", () => {
  it("windows are the last complete minutes", () => {
    const to = Math.floor(NOW / MIN) * MIN;
    expect(windowBounds(NOW, 5)).toEqual({ from: to - 5 * MIN, to });
  });

  it("error rate over the window, not counting the current minute or older ones", () => {
    const rollups = [minute(-6, 1000, 1000), minute(-5, 100, 10), minute(-1, 100, 0), minute(0, 1000, 1000)];
    expect(metricValue("error_rate", 5, snapshot(rollups))).toBeCloseTo(10 / 200, 10);
  });

  it(`ratios over fewer than ${MIN_SAMPLE} requests or lookups are no data`, () => {
    expect(metricValue("error_rate", 5, snapshot([minute(-1, MIN_SAMPLE - 1, 5)]))).toBeNull();
    expect(metricValue("error_rate", 5, snapshot([minute(-1, MIN_SAMPLE, 5)]))).toBe(0.25);
    expect(metricValue("cache_hit_ratio", 5, snapshot([minute(-1, 100, 0, [], { hits: 5, lookups: 10 })]))).toBeNull();
    expect(metricValue("cache_hit_ratio", 5, snapshot([minute(-1, 100, 0, [], { hits: 30, lookups: 40 })]))).toBe(0.75);
  });

  it("p99 latency over the window from the merged minute sketches", () => {
    const fast = Array.from({ length: 99 }, () => 10);
    const rollups = [minute(-2, 99, 0, fast), minute(-1, 101, 0, [...Array.from({ length: 99 }, () => 10), 5000, 5000])];
    // 200 samples, 2 of them at 5 s: the p99 sample (0-based rank floor(0.99 × 199) = 197) is 10 ms…
    expect(metricValue("p99_latency_ms", 5, snapshot(rollups))).toBeCloseTo(10, -1);
    // …and with a third slow one (rank 198 of 201) it is 5 s (within the sketch's 1 %).
    rollups.push(minute(-3, 1, 0, [5000]));
    expect(metricValue("p99_latency_ms", 5, snapshot(rollups))! / 5000).toBeCloseTo(1, 1);
    expect(metricValue("p99_latency_ms", 5, snapshot([minute(-1, 5, 0, [1, 2, 3, 4, 5])]))).toBeNull();
  });

  it("rps over the window, 0 for a silent window", () => {
    expect(metricValue("rps", 2, snapshot([minute(-2, 60), minute(-1, 180)]))).toBe(2);
    expect(metricValue("rps", 2, snapshot([]))).toBe(0);
  });

  it("no rollups (the source failed) is no data for every window metric; gauges are read as they are", () => {
    for (const metric of ["error_rate", "p99_latency_ms", "cache_hit_ratio", "rps"] as const) expect(metricValue(metric, 5, snapshot(null))).toBeNull();
    expect(metricValue("open_breakers", 0, snapshot(null))).toBe(2);
    expect(metricValue("critical_regions", 0, snapshot(null))).toBe(1);
    expect(metricValue("queue_depth_interactive", 0, snapshot(null))).toBe(7);
    expect(metricValue("queue_depth_batch", 0, snapshot(null))).toBeNull();
  });
});

describe("snapshot gathering", () => {
  const rule = (metric: AlertRule["metric"], windowMinutes: number, enabled = true): AlertRule => ({
    id: metric,
    description: null,
    metric,
    comparator: ">",
    threshold: 0,
    windowMinutes,
    severity: "info",
    cooldownMinutes: 60,
    enabled,
    builtin: false,
  });

  it("reads only what enabled rules use, rollups over the longest window", async () => {
    const calls: string[] = [];
    const sources: AlertSources = {
      rollups: async (range) => {
        calls.push(`rollups ${(range.to - range.from) / MIN}`);
        return [];
      },
      queueDepth: async (lane) => {
        calls.push(`queue ${lane}`);
        return 3;
      },
      health: async () => {
        calls.push("health");
        return { openBreakers: 0, criticalRegions: 0 };
      },
    };
    const result = await takeSnapshot(sources, [rule("error_rate", 5), rule("rps", 30), rule("queue_depth_batch", 0), rule("open_breakers", 0, false)], NOW, () => {});
    expect(calls.sort()).toEqual(["queue batch", "rollups 30"]);
    expect(result.gauges).toEqual({ openBreakers: null, criticalRegions: null, queueDepthInteractive: null, queueDepthBatch: 3 });
  });

  it("turns a failing source into no data and logs it", async () => {
    const logged: string[] = [];
    const sources: AlertSources = {
      rollups: async () => {
        throw new Error("store down");
      },
      queueDepth: async () => 1,
      health: async () => {
        throw new Error("D1 down");
      },
    };
    const result = await takeSnapshot(sources, [rule("error_rate", 5), rule("critical_regions", 0), rule("queue_depth_interactive", 0)], NOW, (_, fields) =>
      logged.push(String(fields.source)),
    );
    expect(result.rollups).toBeNull();
    expect(result.gauges).toEqual({ openBreakers: null, criticalRegions: null, queueDepthInteractive: 1, queueDepthBatch: null });
    expect(logged.sort()).toEqual(["health", "rollups"]);
  });
});
