// Per-backend adaptive concurrency limit, after Netflix's concurrency-limits library: each finished
// request is a sample, and the limit moves within [minLimit, maxLimit] (the backend's
// minConcurrency / maxConcurrency). Two algorithms:
// - AIMD (AIMDLimit): multiply by backoffRatio on a drop, +1 on a success while the backend was
//   busy. Needs no latency baseline, so it is the default.
// - gradient (Gradient2Limit): grows or shrinks with the ratio of long-term to current latency, so
//   it backs off on queueing before anything fails.
// The limit is kept fractional so repeated small decreases are not lost to rounding; admission uses
// effectiveLimit(), an integer.
import type { Backend } from "./types";

export interface AdaptiveLimitConfig {
  /** Never below this (at least 1: a limit of 0 admits nothing, so no sample could raise it). */
  minLimit: number;
  maxLimit: number;
  /** Multiplier applied on a drop; in (0, 1). Default DEFAULT_BACKOFF_RATIO. */
  backoffRatio?: number;
  /** A success slower than this counts as a drop: the backend is overloaded even if it answered. */
  timeoutMs: number;
}

export interface AdaptiveLimitState {
  /** Fractional; read it through effectiveLimit(). */
  limit: number;
}

export interface LimitSample {
  latencyMs: number;
  /**
   * success: the backend answered. dropped: it failed to (error, timeout, 429/503) — a sign of
   * overload. ignore: says nothing about the backend (client went away, request refused before it
   * was sent); leaves the limit unchanged.
   */
  outcome: "success" | "dropped" | "ignore";
  /** Leases held when this request was admitted, counting itself (Netflix's inflight). */
  inFlight: number;
}

/** Netflix AIMDLimit's default: a drop costs 10 % of the limit. */
export const DEFAULT_BACKOFF_RATIO = 0.9;
/**
 * Where a backend starts before any sample. Not maxLimit: a fresh or restarted backend would take
 * its full configured concurrency before one answer proves it can. Not minLimit: a large backend
 * would be starved while AIMD climbs (+1 per busy success). 10 is Piston's order of magnitude and
 * is reached back or exceeded within a few dozen requests either way.
 */
export const INITIAL_LIMIT = 10;
/**
 * A timeout that fits this service: a run may legitimately last the sandbox's maximum wall time
 * (15 s, LIMIT_MAXIMA.wallTimeMs) plus transfer and queueing, so only slower answers mean overload.
 */
export const DEFAULT_LIMIT_TIMEOUT_MS = 20_000;

/** The config for a backend's own bounds. */
export function adaptiveLimitConfig(
  backend: Pick<Backend, "minConcurrency" | "maxConcurrency">,
  timeoutMs: number = DEFAULT_LIMIT_TIMEOUT_MS,
): AdaptiveLimitConfig {
  return { minLimit: backend.minConcurrency, maxLimit: backend.maxConcurrency, timeoutMs };
}

/**
 * Integer bounds that always make sense, whatever was configured: min ≥ 1, max ≥ min. Clamping
 * instead of throwing keeps a misconfigured backend serving at its minimum rather than failing.
 */
export function limitBounds(config: AdaptiveLimitConfig): { min: number; max: number } {
  const min = Math.max(1, Math.floor(finiteOr(config.minLimit, 1)));
  const max = Math.max(min, Math.floor(finiteOr(config.maxLimit, min)));
  return { min, max };
}

export function initialLimitState(config: AdaptiveLimitConfig): AdaptiveLimitState {
  const { min, max } = limitBounds(config);
  return { limit: clamp(INITIAL_LIMIT, min, max) };
}

/** The limit admission enforces. Clamped to the current config, which may have changed since. */
export function effectiveLimit(state: AdaptiveLimitState, config: AdaptiveLimitConfig): number {
  const { min, max } = limitBounds(config);
  return clamp(Math.floor(finiteOr(state.limit, min)), min, max);
}

/**
 * AIMD, as Netflix AIMDLimit: on a drop (or a success slower than timeoutMs) limit × backoffRatio;
 * on a success while inFlight × 2 ≥ limit, limit + 1 — a whole step per sample, not 1/limit, so
 * the limit climbs quickly under real load. A success with less than half the limit in flight is
 * app-limited (the load, not the backend, bounded concurrency) and proves nothing about a higher
 * limit, so the limit stays.
 */
export function onSample(state: AdaptiveLimitState, sample: LimitSample, config: AdaptiveLimitConfig): AdaptiveLimitState {
  const { min, max } = limitBounds(config);
  const current = clamp(finiteOr(state.limit, min), min, max);
  if (sample.outcome === "ignore") return { limit: current };

  if (sample.outcome === "dropped" || sample.latencyMs > config.timeoutMs) {
    return { limit: clamp(current * backoffRatio(config), min, max) };
  }
  // A success with no usable latency (NaN, negative) is a caller bug; it proves nothing either way.
  if (!(sample.latencyMs >= 0)) return { limit: current };
  if (sample.inFlight * 2 >= Math.floor(current)) return { limit: clamp(current + 1, min, max) };
  return { limit: current };
}

// ---- gradient (Gradient2Limit)

export interface GradientLimitConfig extends AdaptiveLimitConfig {
  /** How far the current latency may exceed the long-term average before the limit shrinks. Default 1.5. */
  tolerance?: number;
  /** Weight of each new estimate; lower is steadier. Default 0.2. */
  smoothing?: number;
  /** Requests allowed to queue beyond the estimated no-queue concurrency. Default 4. */
  queueSize?: number;
  /** Samples in the long-term latency average (exponential). Default 600. */
  longWindowSamples?: number;
}

export interface GradientLimitState extends AdaptiveLimitState {
  /** Long-term latency average, ms (0 before the first sample). */
  longRttMs: number;
  /** Samples seen, up to the warm-up count; the average is a plain mean until then. */
  samples: number;
}

/** Netflix averages the first 10 samples plainly so one early outlier does not dominate the EMA. */
const LONG_RTT_WARMUP_SAMPLES = 10;
/** The gradient never cuts the estimate by more than half per sample (Netflix: outliers happen). */
const MIN_GRADIENT = 0.5;

export function initialGradientState(config: GradientLimitConfig): GradientLimitState {
  return { ...initialLimitState(config), longRttMs: 0, samples: 0 };
}

/**
 * Gradient2: gradient = clamp(tolerance × longRtt / rtt, 0.5, 1); new = limit × gradient +
 * queueSize, blended into the limit by `smoothing`. Latency at or under the (tolerated) long-term
 * average lets the limit grow (by smoothing × queueSize per sample); rising latency shrinks it. One deviation from Netflix,
 * whose Gradient2 ignores drops: here a drop or timeout backs off like AIMD, because for a remote
 * backend an error is the clearest overload signal there is.
 */
export function onGradientSample(
  state: GradientLimitState,
  sample: LimitSample,
  config: GradientLimitConfig,
): GradientLimitState {
  const { min, max } = limitBounds(config);
  const current = clamp(finiteOr(state.limit, min), min, max);
  if (sample.outcome === "ignore") return { ...state, limit: current };

  if (sample.outcome === "dropped" || sample.latencyMs > config.timeoutMs) {
    // Drops say nothing about normal latency, so the average is left alone.
    return { ...state, limit: clamp(current * backoffRatio(config), min, max) };
  }
  if (!(sample.latencyMs >= 0)) return { ...state, limit: current };

  const { tolerance, smoothing, queueSize, longWindowSamples } = gradientParams(config);
  // Floor at 1 ms so a near-instant answer cannot divide by zero.
  const rtt = Math.max(1, sample.latencyMs);
  let samples = Math.max(0, finiteOr(state.samples, 0));
  let longRttMs: number;
  if (samples < LONG_RTT_WARMUP_SAMPLES) {
    samples += 1;
    longRttMs = (finiteOr(state.longRttMs, 0) * (samples - 1) + rtt) / samples;
  } else {
    const factor = 2 / (longWindowSamples + 1);
    longRttMs = finiteOr(state.longRttMs, rtt) * (1 - factor) + rtt * factor;
  }
  // After a long overload the average lags far behind recovered latency; pull it down faster so
  // the limit is not held low for hundreds of samples (Netflix does the same).
  if (longRttMs / rtt > 2) longRttMs *= 0.95;

  // App-limited: as in AIMD, a half-idle backend proves nothing about a higher limit.
  if (sample.inFlight * 2 < Math.floor(current)) return { limit: current, longRttMs, samples };

  const gradient = clamp((tolerance * longRttMs) / rtt, MIN_GRADIENT, 1);
  const estimate = current * gradient + queueSize;
  const limit = clamp(current * (1 - smoothing) + estimate * smoothing, min, max);
  return { limit, longRttMs, samples };
}

// ---- helpers

function backoffRatio(config: AdaptiveLimitConfig): number {
  const ratio = config.backoffRatio ?? DEFAULT_BACKOFF_RATIO;
  // Outside (0, 1) a "backoff" would not back off or would zero the limit; use the default.
  return ratio > 0 && ratio < 1 ? ratio : DEFAULT_BACKOFF_RATIO;
}

/** NaN clamps to min, so no arithmetic accident can leave the bounds. */
function clamp(value: number, min: number, max: number): number {
  if (Number.isNaN(value)) return min;
  return Math.min(max, Math.max(min, value));
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

/** Gradient options with defaults, each forced into a range where the arithmetic stays finite. */
function gradientParams(config: GradientLimitConfig) {
  return {
    tolerance: Math.max(1, finiteOr(config.tolerance ?? 1.5, 1.5)),
    smoothing: clamp(finiteOr(config.smoothing ?? 0.2, 0.2), 0, 1),
    queueSize: Math.max(0, finiteOr(config.queueSize ?? 4, 4)),
    longWindowSamples: Math.max(1, finiteOr(config.longWindowSamples ?? 600, 600)),
  };
}
