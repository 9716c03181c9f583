// Scale-out / scale-in recommendations for a region's pool from sampled utilisation. Advisory: the
// pool records a sample now and then (appendSample) and anything that provisions backends, or an
// operator, reads recommendScaling. Decisions need load sustained over the whole window, so a brief
// spike does not add capacity and a brief lull does not remove it — except that any rejected
// admission means demand already exceeded capacity, which is never a reason to wait.

export interface UtilisationSample {
  /** Epoch ms. */
  at: number;
  /** Leases held across the pool at that moment. */
  inFlight: number;
  /** Sum of the members' effective limits at that moment (the pool's capacity). */
  limit: number;
  /** Admissions refused since the previous sample (a delta, not a running total). */
  rejected: number;
}

export interface ScalingConfig {
  windowMs: number;
  /** Scale out at or above this mean utilisation (0.8). */
  highWaterRatio: number;
  /** Scale in at or below this mean utilisation (0.2). */
  lowWaterRatio: number;
  /** Fewest samples in the window for any decision. */
  minSamples: number;
}

export type ScalingAction = "scale_out" | "scale_in" | "hold";

export interface ScalingRecommendation {
  action: ScalingAction;
  /** Mean in-flight over mean capacity across the window's samples (may exceed 1 while limits shrink). */
  utilisation: number;
  /** Rejections in the window per minute of window. */
  rejectedPerMinute: number;
  /** Human-readable, for logs and the admin API. */
  reason: string;
  /**
   * Capacity (sum of limits) that would put the window's mean in-flight at the middle of the band,
   * at least 1; on scale_out always above current capacity. Only a target when action is not hold.
   */
  suggestedCapacity: number;
}

/**
 * Five minutes is long enough that a burst of slow runs does not look like sustained load, short
 * enough to react within one provisioning cycle; 10 samples means at least one per 30 s.
 */
export const DEFAULT_SCALING_CONFIG: ScalingConfig = {
  windowMs: 5 * 60_000,
  highWaterRatio: 0.8,
  lowWaterRatio: 0.2,
  minSamples: 10,
};
/** One sample a second fills the default window with 300; this leaves room for a faster cadence. */
export const SCALING_MAX_SAMPLES = 1_000;

const MS_PER_MINUTE = 60_000;
const CEIL_EPSILON = 1e-9;

export function recommendScaling(samples: UtilisationSample[], now: number, config: ScalingConfig): ScalingRecommendation {
  checkConfig(config);
  const { windowMs, highWaterRatio: high, lowWaterRatio: low } = config;
  const inWindow = samples.filter((s) => s.at >= now - windowMs && s.at <= now);
  const n = inWindow.length;

  let inFlightSum = 0;
  let limitSum = 0;
  let rejected = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const s of inWindow) {
    inFlightSum += Math.max(0, s.inFlight);
    limitSum += Math.max(0, s.limit);
    rejected += Math.max(0, s.rejected);
    first = Math.min(first, s.at);
    last = Math.max(last, s.at);
  }
  // Ratio of means rather than mean of ratios: it weighs each sample by its capacity, and it keeps
  // utilisation and suggestedCapacity consistent (utilisation ≥ high ⇒ suggestion > capacity).
  const utilisation = limitSum > 0 ? inFlightSum / limitSum : inFlightSum > 0 ? 1 : 0;
  const rejectedPerMinute = rejected / (windowMs / MS_PER_MINUTE);
  const capacity = n > 0 ? limitSum / n : 0;
  const demand = n > 0 ? inFlightSum / n : 0;
  const midpoint = (high + low) / 2;
  // The epsilon keeps float noise (7 / 0.7 = 10.000000000000002) from adding a whole slot.
  const toMidpoint = Math.max(1, Math.ceil(demand / midpoint - CEIL_EPSILON));
  const result = (action: ScalingAction, reason: string, suggestedCapacity = toMidpoint): ScalingRecommendation => ({
    action,
    utilisation,
    rejectedPerMinute,
    reason,
    suggestedCapacity,
  });

  const spanMs = n > 0 ? last - first : 0;
  const minSamples = Math.max(1, Math.ceil(config.minSamples));
  if (n < minSamples || spanMs < windowMs / 2) {
    return result(
      "hold",
      `not enough data: ${n} samples over ${seconds(spanMs)}, need ≥ ${minSamples} over ≥ ${seconds(windowMs / 2)}`,
    );
  }

  const pct = utilisation.toFixed(2);
  if (rejected > 0 || utilisation >= high) {
    // Rejected demand never shows up as in-flight, so the midpoint estimate can undershoot; at
    // least one more slot than today keeps "scale out" from suggesting the same or less.
    const suggested = Math.max(toMidpoint, Math.floor(capacity) + 1);
    const why =
      rejected > 0
        ? `${rejected} admissions rejected in the last ${seconds(windowMs)} (utilisation ${pct})`
        : `utilisation ${pct} ≥ high water ${high} over ${seconds(windowMs)}`;
    return result("scale_out", why, suggested);
  }
  if (limitSum <= 0) return result("hold", "no capacity and no demand in the window");
  if (utilisation <= low) {
    return result("scale_in", `utilisation ${pct} ≤ low water ${low} over ${seconds(windowMs)} with no rejections`);
  }
  return result("hold", `utilisation ${pct} within [${low}, ${high}]`);
}

/**
 * `samples` plus `sample`, in time order, without samples older than now - windowMs and with at
 * most maxSamples (the newest). maxSamples must cover the window at the sampling cadence, or the
 * kept samples span less than half the window and recommendScaling always holds.
 */
export function appendSample(
  samples: UtilisationSample[],
  sample: UtilisationSample,
  now: number,
  windowMs: number,
  maxSamples: number,
): UtilisationSample[] {
  const cutoff = now - windowMs;
  const kept = samples.filter((s) => s.at >= cutoff);
  if (sample.at >= cutoff) {
    // Usually appended at the end; a late sample goes after every sample not newer than it.
    let i = kept.length;
    while (i > 0 && kept[i - 1].at > sample.at) i--;
    kept.splice(i, 0, sample);
  }
  const cap = Math.max(0, Math.floor(maxSamples));
  return kept.length > cap ? kept.slice(kept.length - cap) : kept;
}

function checkConfig(config: ScalingConfig): void {
  const { windowMs, lowWaterRatio: low, highWaterRatio: high } = config;
  // Thrown, not clamped: these are constants in code, so a bad one is a bug to surface in tests.
  if (!(windowMs > 0)) throw new RangeError(`scaling windowMs must be > 0, got ${windowMs}`);
  if (!(low >= 0 && high > low)) {
    throw new RangeError(`scaling needs 0 ≤ lowWaterRatio < highWaterRatio, got ${low} and ${high}`);
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
