// A mergeable latency sketch with a known relative error (DDSketch, Masson et al., VLDB 2019).
// Pure and plain-data: a sketch is a JSON object, so it travels through Durable Object RPC and
// into storage as is, and two sketches merge by adding bucket counts.
//
// Buckets are logarithmic: bucket i holds the values x with gamma^(i-1) < x <= gamma^i, where
// gamma = (1 + α) / (1 - α). Answering with 2·gamma^i / (gamma + 1) for any value of bucket i is
// off by at most α relative to that value. So every quantile is within α (1%) of the exact sample
// quantile, whatever the distribution, and merging loses nothing: the merge of two sketches is the
// sketch of the union of their samples, bucket for bucket.
//
// Values at or below MIN_TRACKED_MS (1 µs; workerd's clock often reports 0 ms) are counted in a
// zero bucket and answered as 0, so below 1 µs the error is absolute (≤ 1 µs) rather than relative.
// Values above MAX_TRACKED_MS are clamped to it. The number of buckets is bounded by the tracked
// range: at most ⌈log_gamma(MAX/MIN)⌉ ≈ 1,150, in practice a few hundred.

/** Relative accuracy of every quantile answer (for values above MIN_TRACKED_MS). */
export const SKETCH_RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Smaller values go to the zero bucket. */
export const MIN_TRACKED_MS = 0.001;
/** Larger values are clamped (about 2.8 hours: far above any request's lifetime). */
export const MAX_TRACKED_MS = 10_000_000;

export interface SketchData {
  /** Samples added (including the zero bucket). */
  count: number;
  /** Exact sum of the samples (after clamping), for means. */
  sum: number;
  /** Exact smallest and largest sample; 0 when empty. */
  min: number;
  max: number;
  /** Samples at or below MIN_TRACKED_MS. */
  zero: number;
  /** Bucket index → count, only non-empty buckets. */
  bins: Record<string, number>;
}

export function emptySketch(): SketchData {
  return { count: 0, sum: 0, min: 0, max: 0, zero: 0, bins: {} };
}

/** The bucket a (positive, tracked) value falls into. */
export function bucketIndex(value: number): number {
  return Math.ceil(Math.log(value) / LOG_GAMMA);
}

/** The value a bucket answers with: within α of every value the bucket holds. */
export function bucketValue(index: number): number {
  return (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);
}

/** Adds `count` samples of `value` (milliseconds; negative and NaN count as 0). */
export function addToSketch(sketch: SketchData, value: number, count = 1): void {
  if (!(count > 0)) return;
  let x = Number.isFinite(value) && value > 0 ? value : 0;
  if (x > MAX_TRACKED_MS) x = MAX_TRACKED_MS;
  if (sketch.count === 0) {
    sketch.min = x;
    sketch.max = x;
  } else {
    if (x < sketch.min) sketch.min = x;
    if (x > sketch.max) sketch.max = x;
  }
  sketch.count += count;
  sketch.sum += x * count;
  if (x <= MIN_TRACKED_MS) {
    sketch.zero += count;
    return;
  }
  const key = String(bucketIndex(x));
  sketch.bins[key] = (sketch.bins[key] ?? 0) + count;
}

/** Adds `from` into `into` (mutates `into`). Merging is exact: it equals sketching both sample sets together. */
export function mergeSketch(into: SketchData, from: SketchData): void {
  if (from.count === 0) return;
  if (into.count === 0) {
    into.min = from.min;
    into.max = from.max;
  } else {
    into.min = Math.min(into.min, from.min);
    into.max = Math.max(into.max, from.max);
  }
  into.count += from.count;
  into.sum += from.sum;
  into.zero += from.zero;
  for (const [key, n] of Object.entries(from.bins)) into.bins[key] = (into.bins[key] ?? 0) + n;
}

export function cloneSketch(sketch: SketchData): SketchData {
  return { ...sketch, bins: { ...sketch.bins } };
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of the samples, or null when there are none.
 *
 * Definition: the sample of rank ⌊q·(n − 1)⌋ (0-based) in sorted order — the lower nearest rank, so
 * q = 0 is the minimum and q = 1 the maximum. The answer is within SKETCH_RELATIVE_ACCURACY of that
 * sample (exactly 0 when it is in the zero bucket), and never outside [min, max].
 */
export function sketchQuantile(sketch: SketchData, q: number): number | null {
  return sketchQuantiles(sketch, [q])[0];
}

/** Several quantiles at once (the buckets are sorted once). */
export function sketchQuantiles(sketch: SketchData, qs: readonly number[]): Array<number | null> {
  if (sketch.count === 0) return qs.map(() => null);
  let indexes: number[] | null = null;
  return qs.map((q) => {
    const p = Math.min(1, Math.max(0, Number.isFinite(q) ? q : 0));
    if (p === 0) return sketch.min;
    if (p === 1) return sketch.max;
    const rank = Math.floor(p * (sketch.count - 1));
    if (rank < sketch.zero) return 0;
    indexes ??= Object.keys(sketch.bins)
      .map(Number)
      .sort((a, b) => a - b);
    let seen = sketch.zero;
    for (const index of indexes) {
      seen += sketch.bins[String(index)];
      if (seen > rank) return Math.min(sketch.max, Math.max(sketch.min, bucketValue(index)));
    }
    return sketch.max;
  });
}
