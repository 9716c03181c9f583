import { emptySketch, mergeSketch, sketchQuantile, type SketchData } from "../metrics/sketch";
import type { AlertMetric } from "./types";

// Metric values for the evaluator, from one snapshot of everything the rules read (pure).

/** One minute of traffic, as alerting needs it (adapted from the metrics rollups in sources.ts). */
export interface AlertRollup {
  /** Start of the minute (ms). */
  at: number;
  requests: number;
  errors: number;
  /** The minute's latency sketch (mergeable: a window's p99 is exact to the sketch's 1 %). */
  latency: SketchData | null;
  /** Cache lookups answered from any level. */
  cacheHits: number;
  /** Cache lookups (hits + misses; bypasses are not lookups). */
  cacheLookups: number;
}

/** Point-in-time readings; null for a reading that could not be taken. */
export interface GaugeReadings {
  openBreakers: number | null;
  criticalRegions: number | null;
  queueDepthInteractive: number | null;
  queueDepthBatch: number | null;
}

export interface MetricSnapshot {
  now: number;
  /** Rollups covering at least the longest window in use; null when they could not be read. */
  rollups: AlertRollup[] | null;
  gauges: GaugeReadings;
}

/**
 * Ratios and percentiles over fewer requests (or lookups) than this are "no data": one failure out
 * of three requests at night is not a 33 % error rate anyone should be woken for.
 */
export const MIN_SAMPLE = 20;

const MINUTE_MS = 60_000;

/**
 * The window of a rule at `now`: the last `windowMinutes` complete minutes, [end − window, end)
 * with end = the start of the current minute (which is still being counted).
 */
export function windowBounds(now: number, windowMinutes: number): { from: number; to: number } {
  const to = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  return { from: to - windowMinutes * MINUTE_MS, to };
}

/** The value of a metric for a rule's window, or null when there is no (or too little) data. */
export function metricValue(metric: AlertMetric, windowMinutes: number, snapshot: MetricSnapshot): number | null {
  switch (metric) {
    case "open_breakers":
      return snapshot.gauges.openBreakers;
    case "critical_regions":
      return snapshot.gauges.criticalRegions;
    case "queue_depth_interactive":
      return snapshot.gauges.queueDepthInteractive;
    case "queue_depth_batch":
      return snapshot.gauges.queueDepthBatch;
  }
  if (snapshot.rollups === null || !(windowMinutes > 0)) return null;
  const { from, to } = windowBounds(snapshot.now, windowMinutes);
  const minutes = snapshot.rollups.filter((r) => r.at >= from && r.at < to);
  const requests = minutes.reduce((sum, r) => sum + r.requests, 0);
  switch (metric) {
    case "rps":
      // Minutes without a rollup had no traffic: a silent window is 0 rps, not "no data".
      return requests / (windowMinutes * 60);
    case "error_rate":
      return requests < MIN_SAMPLE ? null : minutes.reduce((sum, r) => sum + r.errors, 0) / requests;
    case "cache_hit_ratio": {
      const lookups = minutes.reduce((sum, r) => sum + r.cacheLookups, 0);
      return lookups < MIN_SAMPLE ? null : minutes.reduce((sum, r) => sum + r.cacheHits, 0) / lookups;
    }
    case "p99_latency_ms": {
      const merged = emptySketch();
      for (const minute of minutes) if (minute.latency) mergeSketch(merged, minute.latency);
      return merged.count < MIN_SAMPLE ? null : sketchQuantile(merged, 0.99);
    }
  }
}
