// Sliding windows of call outcomes, with resilience4j's semantics, for the circuit breaker:
// - count: the last N outcomes (FixedSizeSlidingWindowMetrics).
// - time: the outcomes of the last N seconds — the current epoch second and the N − 1 before it —
//   aggregated per second (SlidingTimeWindowMetrics' partial aggregations), so memory is bounded
//   by N whatever the call rate.
// Windows are plain JSON (they live in Durable Object storage) and never mutated: every function
// returns a new window. Time is passed in (`now`, epoch ms) so everything here is deterministic.

export type WindowType = "count" | "time";

export interface CallOutcome {
  success: boolean;
  /** Slower than the breaker's slowCallDurationMs. A slow call may also be a failure. */
  slow: boolean;
}

/**
 * The last `size` outcomes, oldest first, one code each: bit 0 = failure, bit 1 = slow. Numbers
 * rather than objects because this array is stored and rewritten on every call.
 */
export interface CountWindow {
  type: "count";
  size: number;
  codes: number[];
}

/** One epoch second's outcomes. Only seconds that saw a call are stored. */
export interface TimeBucket {
  second: number;
  calls: number;
  failures: number;
  slowCalls: number;
}

export interface TimeWindow {
  type: "time";
  /** Seconds covered, counting the current one. */
  size: number;
  /** Ascending by second, at most `size` of them. */
  buckets: TimeBucket[];
}

export type SlidingWindow = CountWindow | TimeWindow;

export interface WindowAggregate {
  calls: number;
  failures: number;
  slowCalls: number;
  /** 0–100; 0 when there are no calls. */
  failureRatePct: number;
  /** 0–100; 0 when there are no calls. */
  slowCallRatePct: number;
}

/**
 * Storage guards: a window is one JSON value in Durable Object storage (128 KiB per value), and
 * is rewritten on every outcome. 1 000 codes are ~2 KB; 600 buckets ~30 KB. Larger configured
 * sizes are clamped, not rejected, so a typo degrades the breaker instead of disabling it.
 */
export const MAX_COUNT_WINDOW_CALLS = 1_000;
export const MAX_TIME_WINDOW_SECONDS = 600;

const FAILURE_BIT = 1;
const SLOW_BIT = 2;
const MS_PER_SECOND = 1_000;

/** The size a window of this type really has (≥ 1, integer, within the storage guard). */
export function effectiveWindowSize(type: WindowType, size: number): number {
  const max = type === "count" ? MAX_COUNT_WINDOW_CALLS : MAX_TIME_WINDOW_SECONDS;
  const whole = Number.isFinite(size) ? Math.floor(size) : 1;
  return Math.min(max, Math.max(1, whole));
}

export function createWindow(type: WindowType, size: number): SlidingWindow {
  const effective = effectiveWindowSize(type, size);
  return type === "count" ? { type, size: effective, codes: [] } : { type, size: effective, buckets: [] };
}

/** Whether a stored window was built for this type and size (configs can change under stored state). */
export function windowMatches(window: SlidingWindow, type: WindowType, size: number): boolean {
  return window.type === type && window.size === effectiveWindowSize(type, size);
}

export function recordInWindow(window: SlidingWindow, outcome: CallOutcome, now: number): SlidingWindow {
  if (window.type === "count") {
    const code = (outcome.success ? 0 : FAILURE_BIT) | (outcome.slow ? SLOW_BIT : 0);
    // Keep size − 1 of the old codes so that, with the new one, exactly `size` remain.
    const kept = window.size > 1 ? window.codes.slice(-(window.size - 1)) : [];
    return { ...window, codes: [...kept, code] };
  }
  const second = currentSecond(window, now);
  const live = liveBuckets(window, second);
  const last = live[live.length - 1];
  const add = { calls: 1, failures: outcome.success ? 0 : 1, slowCalls: outcome.slow ? 1 : 0 };
  if (last && last.second === second) {
    const merged: TimeBucket = {
      second,
      calls: last.calls + add.calls,
      failures: last.failures + add.failures,
      slowCalls: last.slowCalls + add.slowCalls,
    };
    return { ...window, buckets: [...live.slice(0, -1), merged] };
  }
  return { ...window, buckets: [...live, { second, ...add }] };
}

/** Totals and rates over what the window holds at `now` (time windows drop expired seconds). */
export function windowAggregate(window: SlidingWindow, now: number): WindowAggregate {
  let calls = 0;
  let failures = 0;
  let slowCalls = 0;
  if (window.type === "count") {
    for (const code of window.codes) {
      calls += 1;
      if (code & FAILURE_BIT) failures += 1;
      if (code & SLOW_BIT) slowCalls += 1;
    }
  } else {
    for (const bucket of liveBuckets(window, currentSecond(window, now))) {
      calls += bucket.calls;
      failures += bucket.failures;
      slowCalls += bucket.slowCalls;
    }
  }
  return aggregate(calls, failures, slowCalls);
}

/** Rates from counts, each within [0, 100] whatever the counts (stored state may be damaged). */
export function aggregate(calls: number, failures: number, slowCalls: number): WindowAggregate {
  return {
    calls,
    failures,
    slowCalls,
    failureRatePct: ratePct(failures, calls),
    slowCallRatePct: ratePct(slowCalls, calls),
  };
}

function ratePct(part: number, total: number): number {
  if (!(total > 0) || !(part > 0)) return 0;
  return Math.min(100, (part / total) * 100);
}

/**
 * The epoch second `now` falls in, never before the newest bucket: if the clock steps back (a
 * Durable Object moving between machines), outcomes join the newest second instead of reviving
 * expired ones or being lost.
 */
function currentSecond(window: TimeWindow, now: number): number {
  const second = Number.isFinite(now) ? Math.floor(now / MS_PER_SECOND) : Number.NEGATIVE_INFINITY;
  const newest = window.buckets[window.buckets.length - 1];
  if (newest && newest.second > second) return newest.second;
  return Number.isFinite(second) ? second : 0;
}

/** Buckets still inside the window: the current second and the size − 1 before it. */
function liveBuckets(window: TimeWindow, second: number): TimeBucket[] {
  const oldest = second - window.size + 1;
  return window.buckets.filter((bucket) => bucket.second >= oldest && bucket.second <= second);
}
