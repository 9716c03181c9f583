import type { Backend, Region } from "../routing/types";
import { fitModel, forecast, Z_95, type FittedModel } from "./forecast";
import { DEFAULT_RECOMMENDATION, recommend, regionCapacity, type Recommendation } from "./recommend";
import { HOUR_MS, floorTo, meanLatency, regionSeries, type TrafficSample } from "./series";

// GET /v1/capacity's answer, from traffic samples and the topology (pure; docs/capacity.md).

export interface CapacityConfig {
  /** Hours per season: daily seasonality on hourly buckets. */
  seasonLength: number;
  /** How far back the history reaches. */
  historyDays: number;
  headroom: number;
  scaleInBelow: number;
  /** The mean latency used for Little's law is taken over this many recent hours. */
  latencyWindowHours: number;
  /** z of the prediction interval (1.96: 95 %). */
  z: number;
}

export const DEFAULT_CAPACITY_CONFIG: Readonly<CapacityConfig> = Object.freeze({
  seasonLength: 24,
  historyDays: 14,
  headroom: DEFAULT_RECOMMENDATION.headroom,
  scaleInBelow: DEFAULT_RECOMMENDATION.scaleInBelow,
  latencyWindowHours: 24,
  z: Z_95,
});

export const DEFAULT_HORIZON_HOURS = 6;
export const MAX_HORIZON_HOURS = 48;

export interface PlanInput {
  now: number;
  horizonHours: number;
  /** Hourly history and recent per-minute rollups, any order; periods must not overlap. */
  samples: readonly TrafficSample[];
  regions: readonly Region[];
  backends: readonly Backend[];
}

export interface RegionPlan extends Recommendation {
  id: string;
  name: string;
  /** Hourly points the model was fitted on (from the region's first hour with traffic). */
  historyPoints: number;
  historyStart: string | null;
  /** Of those, hours with no data at all that were filled (a day earlier, else the hour before). */
  filledPoints: number;
  model: { kind: FittedModel["kind"]; params: FittedModel["params"]; sigma: number };
  forecast: Array<{ at: string; rps: number; low: number; high: number }>;
  forecastPeakRps: number;
  forecastPeakAt: string | null;
  meanLatencyMs: number | null;
  /** The region has a builtin backend (elastic capacity, not counted in currentCapacity). */
  elastic: boolean;
}

export interface CapacityPlan {
  generatedAt: string;
  horizonHours: number;
  model: {
    name: "holt_winters_additive";
    fallbacks: ["seasonal_naive", "holt", "mean"];
    bucketMinutes: 60;
    seasonLength: number;
    historyDays: number;
    interval: number;
    headroom: number;
    scaleInBelow: number;
    latencyWindowHours: number;
  };
  regions: RegionPlan[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Two-sided coverage of a normal interval ±z (0.95 for 1.96). */
function coverage(z: number): number {
  // Abramowitz-Stegun 7.1.26 erf approximation: plenty for a label.
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return Math.round(erf * 1000) / 1000;
}

export function buildCapacityPlan(input: PlanInput, config: CapacityConfig = DEFAULT_CAPACITY_CONFIG): CapacityPlan {
  const { now, horizonHours } = input;
  const currentHour = floorTo(now, HOUR_MS);
  const from = currentHour - config.historyDays * 24 * HOUR_MS;
  // Buckets overlapping (now, now + horizon]: the current hour and the ones after it.
  const steps = Math.max(1, Math.ceil((now + horizonHours * HOUR_MS - currentHour) / HOUR_MS));
  const latency = meanLatency(input.samples, { from: currentHour - config.latencyWindowHours * HOUR_MS, to: now + 1 });

  const regions = input.regions.map((region): RegionPlan => {
    const series = regionSeries(input.samples, region.id, { from, to: currentHour, bucketMs: HOUR_MS, seasonLength: config.seasonLength });
    const model = fitModel(series.values, config.seasonLength);
    const points = forecast(model, steps, { z: config.z });
    let peak = 0;
    let peakAt: number | null = null;
    points.forEach((point, i) => {
      if (peakAt === null || point.value > peak) {
        peak = point.value;
        peakAt = currentHour + i * HOUR_MS;
      }
    });
    const capacity = regionCapacity(input.backends, region.id);
    const recommendation = recommend(
      { forecastPeakRps: peak, meanLatencyMs: latency, remoteShare: 1, ...capacity },
      { headroom: config.headroom, scaleInBelow: config.scaleInBelow },
    );
    return {
      id: region.id,
      name: region.name,
      historyPoints: series.values.length,
      historyStart: series.start === null ? null : iso(series.start),
      filledPoints: series.filled,
      model: {
        kind: model.kind,
        params: model.params,
        sigma: round(model.sigma),
      },
      forecast: points.map((point, i) => ({ at: iso(currentHour + i * HOUR_MS), rps: round(point.value), low: round(point.low), high: round(point.high) })),
      forecastPeakRps: round(peak),
      forecastPeakAt: peakAt === null ? null : iso(peakAt),
      meanLatencyMs: latency === null ? null : round(latency, 1),
      elastic: capacity.hasBuiltin,
      ...recommendation,
    };
  });

  return {
    generatedAt: iso(now),
    horizonHours,
    model: {
      name: "holt_winters_additive",
      fallbacks: ["seasonal_naive", "holt", "mean"],
      bucketMinutes: 60,
      seasonLength: config.seasonLength,
      historyDays: config.historyDays,
      interval: coverage(config.z),
      headroom: config.headroom,
      scaleInBelow: config.scaleInBelow,
      latencyWindowHours: config.latencyWindowHours,
    },
    regions,
  };
}
