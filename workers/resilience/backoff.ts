// Exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"):
// the delay before retry n is uniform in [0, min(max, base · 2^(n-1))). Full jitter spreads the
// retries of many clients that failed together (a backend dying under load) across the whole window
// instead of synchronising them into waves, and it did the least total work in AWS's comparison.
// Pure: the random source is injected so tests and simulations are deterministic.
import type { Random } from "../routing/types";

export interface BackoffConfig {
  /** Ceiling of the first retry's delay. */
  baseDelayMs: number;
  /** No delay ceiling grows past this (Infinity: uncapped). */
  maxDelayMs: number;
}

/**
 * Executions are interactive: a person or a test runner waits for the answer, and the whole
 * request has a deadline. So the first retry comes quickly (≤ 50 ms, about one intra-region round
 * trip) and no wait ever exceeds 1 s; longer waits would spend a deadline a retry elsewhere could use.
 */
export const BASE_DELAY_MS = 50;
export const MAX_DELAY_MS = 1_000;
export const DEFAULT_BACKOFF: Readonly<BackoffConfig> = Object.freeze({
  baseDelayMs: BASE_DELAY_MS,
  maxDelayMs: MAX_DELAY_MS,
});

/**
 * Upper bound of the delay before retry `attempt` (1 = first retry): min(max, base · 2^(attempt-1)).
 * Attempts below 1 (and NaN) count as 1 and fractions are floored; a negative, NaN or infinite base and a
 * negative or NaN max count as 0, so a bad config means "retry at once", never NaN or a negative wait.
 */
export function backoffCeilingMs(attempt: number, config: BackoffConfig): number {
  const base = Number.isFinite(config.baseDelayMs) ? Math.max(0, config.baseDelayMs) : 0;
  const max = config.maxDelayMs > 0 ? config.maxDelayMs : 0; // NaN and negatives → 0
  const n = Number.isNaN(attempt) ? 1 : Math.max(1, Math.floor(attempt));
  if (base === 0 || max === 0) return 0; // also avoids 0 · Infinity = NaN for huge attempts
  // 2^(n-1) overflows to Infinity past n ≈ 1024; min() then yields max, which is what we want.
  return Math.min(max, base * 2 ** (n - 1));
}

/**
 * The delay before retry `attempt`: random() · ceiling, so in [0, ceiling). Fractional
 * milliseconds; round as needed. A random source that strays outside [0, 1) is clamped into it.
 */
export function backoffDelayMs(attempt: number, config: BackoffConfig, random: Random): number {
  return unit(random()) * backoffCeilingMs(attempt, config);
}

/** Largest double below 1, so a misbehaving random() returning 1 still stays below the ceiling. */
const BELOW_ONE = 1 - Number.EPSILON / 2;

function unit(value: number): number {
  if (!(value > 0)) return 0; // also NaN
  return Math.min(value, BELOW_ONE);
}
