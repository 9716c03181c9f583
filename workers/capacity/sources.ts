import { openDatabase } from "../db/client";
import { readRollups } from "../metrics";
import type { MinuteRollup } from "../metrics/rollup";
import { topologyFor } from "../pools/topology-cache";
import { gatherSamples, recordHistory, type ReadSamples } from "./history";
import { DEFAULT_CAPACITY_CONFIG, buildCapacityPlan, type CapacityPlan } from "./plan";
import { HOUR_MS, floorTo, type TrafficSample } from "./series";

// The live inputs of capacity planning: per-minute rollups (workers/metrics), the hourly history
// in D1, and the effective topology (regions and backends with their maxConcurrency).

export function toTrafficSample(rollup: MinuteRollup): TrafficSample {
  return { at: rollup.minute, requests: rollup.requests, latencyMsSum: rollup.latencyMs.sum, regionRequests: rollup.regionRequests };
}

export function rollupSamples(env: Pick<Env, "METRICS_ROLLUP">): ReadSamples {
  return async (range) => (await readRollups(env, range)).map(toTrafficSample);
}

/** GET /v1/capacity's plan, now. */
export async function currentCapacityPlan(env: Env, now: number, horizonHours: number): Promise<CapacityPlan> {
  const from = floorTo(now, HOUR_MS) - DEFAULT_CAPACITY_CONFIG.historyDays * 24 * HOUR_MS;
  const [samples, topology] = await Promise.all([
    gatherSamples(openDatabase(env.DB), rollupSamples(env), { from, now }),
    topologyFor(env, now),
  ]);
  return buildCapacityPlan({ now, horizonHours, samples, regions: topology.regions, backends: topology.backends });
}

/** The cron's part: fold complete hours of rollups into the D1 history. */
export async function recordCapacityHistory(env: Env, now: number): Promise<number[]> {
  return recordHistory(openDatabase(env.DB), rollupSamples(env), now);
}
