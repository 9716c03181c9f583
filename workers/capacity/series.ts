// Per-region request-rate series from traffic samples (pure).

/**
 * Traffic of one period starting at `at`: a minute of the metrics rollups, or an hour of the
 * capacity history (capacity_hours). Samples are folded into hourly buckets by their start.
 */
export interface TrafficSample {
  /** Start of the period (ms). */
  at: number;
  /** Requests in the period, all routes. */
  requests: number;
  /** Sum of their latency (ms). */
  latencyMsSum: number;
  /** Executions per region id in the period. */
  regionRequests: Readonly<Record<string, number>>;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;

export const floorTo = (ms: number, unit: number): number => Math.floor(ms / unit) * unit;

/**
 * A region's mean request rate (requests/s) per bucket over the buckets in [from, to) (aligned to
 * bucketMs).
 * - The series starts at the region's first bucket with traffic: earlier buckets predate the
 *   region (or the metrics) and would read as a false quiet period.
 * - A bucket no sample covers at all (the history has a hole: the cron did not run) is filled with
 *   the value one season earlier, else the bucket before; a covered bucket without the region's
 *   requests is a real 0.
 * `start` is the first bucket's start, or null for an empty series.
 */
export function regionSeries(
  samples: readonly TrafficSample[],
  regionId: string,
  range: { from: number; to: number; bucketMs: number; seasonLength: number },
): { start: number | null; values: number[]; filled: number } {
  const { from, to, bucketMs, seasonLength } = range;
  const count = Math.max(0, Math.floor((to - from) / bucketMs));
  const totals = new Array<number>(count).fill(0);
  const covered = new Array<boolean>(count).fill(false);
  for (const sample of samples) {
    if (sample.at < from || sample.at >= to) continue;
    const bucket = Math.floor((sample.at - from) / bucketMs);
    covered[bucket] = true;
    const requests = sample.regionRequests[regionId] ?? 0;
    if (requests > 0) totals[bucket] += requests;
  }
  const first = totals.findIndex((total) => total > 0);
  if (first < 0) return { start: null, values: [], filled: 0 };
  const values: number[] = [];
  let filled = 0;
  for (let bucket = first; bucket < count; bucket++) {
    if (covered[bucket]) {
      values.push(totals[bucket] / (bucketMs / 1000));
      continue;
    }
    const i = values.length;
    values.push(i >= seasonLength ? values[i - seasonLength] : values[i - 1]);
    filled += 1;
  }
  return { start: from + first * bucketMs, values, filled };
}

/** Mean latency (ms) of the requests in [from, to); null when there were none. */
export function meanLatency(samples: readonly TrafficSample[], range: { from: number; to: number }): number | null {
  let sum = 0;
  let requests = 0;
  for (const sample of samples) {
    if (sample.at < range.from || sample.at >= range.to) continue;
    sum += sample.latencyMsSum;
    requests += sample.requests;
  }
  return requests > 0 ? sum / requests : null;
}

/** Folds samples into one sample per hour over the complete hours in [from, to). */
export function foldHours(samples: readonly TrafficSample[], range: { from: number; to: number }): TrafficSample[] {
  const hours = new Map<number, { at: number; requests: number; latencyMsSum: number; regionRequests: Record<string, number> }>();
  for (const sample of samples) {
    if (sample.at < range.from || sample.at >= range.to) continue;
    const at = floorTo(sample.at, HOUR_MS);
    let hour = hours.get(at);
    if (!hour) hours.set(at, (hour = { at, requests: 0, latencyMsSum: 0, regionRequests: {} }));
    hour.requests += sample.requests;
    hour.latencyMsSum += sample.latencyMsSum;
    for (const [region, n] of Object.entries(sample.regionRequests)) hour.regionRequests[region] = (hour.regionRequests[region] ?? 0) + n;
  }
  return [...hours.values()].sort((a, b) => a.at - b.at);
}
