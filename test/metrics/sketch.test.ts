import { describe, expect, it } from "vitest";
import {
  MAX_TRACKED_MS,
  SKETCH_RELATIVE_ACCURACY,
  addToSketch,
  bucketIndex,
  bucketValue,
  emptySketch,
  mergeSketch,
  sketchQuantile,
  sketchQuantiles,
  type SketchData,
} from "../../workers/metrics/sketch";
import { normal, seededRandom } from "./random";

// The sketch's contract (workers/metrics/sketch.ts): the q-quantile is the sample of rank
// ⌊q·(n−1)⌋ in sorted order, answered within SKETCH_RELATIVE_ACCURACY (1%) of it — for any
// distribution, and for merged sketches exactly as for one sketch of all the samples.

const QUANTILES = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];
/** Floating-point slack on top of the 1% bound (bucket boundaries are computed with logs). */
const BOUND = SKETCH_RELATIVE_ACCURACY * (1 + 1e-9);

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

function sketchOf(values: number[]): SketchData {
  const sketch = emptySketch();
  for (const value of values) addToSketch(sketch, value);
  return sketch;
}

function relativeError(estimate: number, exact: number): number {
  return exact === 0 ? Math.abs(estimate) : Math.abs(estimate - exact) / exact;
}

const distributions: Record<string, (random: () => number) => number> = {
  "uniform 0–1000 ms": (r) => r() * 1000,
  "log-normal (median 20 ms)": (r) => Math.exp(Math.log(20) + normal(r)),
  "exponential (mean 50 ms)": (r) => -50 * Math.log(1 - r()),
  "bimodal cache hit / execution": (r) => (r() < 0.7 ? Math.abs(2 + normal(r) * 0.5) : Math.abs(800 + normal(r) * 150)),
  "pareto heavy tail": (r) => 5 / Math.pow(1 - r(), 1 / 1.2),
  "whole milliseconds with zeros (workerd clock)": (r) => Math.floor(-3 * Math.log(1 - r())),
  "sub-millisecond to minutes": (r) => Math.pow(10, -2 + r() * 7),
};

describe("latency sketch: accuracy against exact percentiles", () => {
  for (const [name, draw] of Object.entries(distributions)) {
    it(`${name}: every quantile within 1% of the exact sample quantile`, () => {
      for (const [seed, n] of [
        [1, 10],
        [2, 1_000],
        [3, 50_000],
      ] as const) {
        const random = seededRandom(seed * 7919 + name.length);
        const values = Array.from({ length: n }, () => draw(random));
        const sketch = sketchOf(values);
        const sorted = [...values].sort((a, b) => a - b);
        expect(sketch.count).toBe(n);
        for (const q of QUANTILES) {
          const exact = exactQuantile(sorted, q);
          const estimate = sketchQuantile(sketch, q)!;
          expect(relativeError(estimate, exact), `q=${q} n=${n}: ${estimate} vs exact ${exact}`).toBeLessThanOrEqual(BOUND);
        }
        expect(sketch.min).toBe(sorted[0]);
        expect(sketch.max).toBe(sorted[n - 1]);
        expect(sketch.sum).toBeCloseTo(values.reduce((a, b) => a + b, 0), 6);
      }
    });
  }

  it("quantile estimates never leave [min, max]", () => {
    const sketch = sketchOf([7, 7, 7]);
    for (const q of QUANTILES) expect(sketchQuantile(sketch, q)).toBe(7);
  });

  it("zero and negative latencies are answered as exactly 0", () => {
    const sketch = sketchOf([0, 0, 0, -1, 5]);
    expect(sketch.zero).toBe(4);
    expect(sketchQuantile(sketch, 0.5)).toBe(0);
    expect(sketchQuantile(sketch, 1)).toBe(5);
  });

  it("an empty sketch has no quantiles", () => {
    expect(sketchQuantile(emptySketch(), 0.5)).toBeNull();
    expect(sketchQuantiles(emptySketch(), [0.5, 0.99])).toEqual([null, null]);
  });

  it("values past the tracked range are clamped, keeping the bucket count bounded", () => {
    const sketch = sketchOf([1e12, 5]);
    expect(sketch.max).toBe(MAX_TRACKED_MS);
    expect(Object.keys(sketch.bins).length).toBe(2);
  });

  it("each bucket's answer is within 1% of both of its bounds", () => {
    for (let index = -400; index <= 900; index += 13) {
      const upper = Math.pow((1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY), index);
      const lower = upper / ((1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY));
      expect(relativeError(bucketValue(index), upper)).toBeLessThanOrEqual(BOUND);
      expect(relativeError(bucketValue(index), lower * (1 + 1e-12))).toBeLessThanOrEqual(BOUND);
      expect(bucketIndex(upper * (1 - 1e-9))).toBe(index);
    }
  });
});

describe("latency sketch: merging", () => {
  it("the merge of partial sketches is bucket-for-bucket the sketch of all samples", () => {
    const random = seededRandom(42);
    const values = Array.from({ length: 20_000 }, () => Math.exp(Math.log(30) + 1.3 * normal(random)));
    const whole = sketchOf(values);
    // Split unevenly into many partials, as isolates flush, and merge in a shuffled order.
    const partials: SketchData[] = [];
    for (let i = 0; i < values.length; ) {
      const size = 1 + Math.floor(random() * 700);
      partials.push(sketchOf(values.slice(i, i + size)));
      i += size;
    }
    partials.sort(() => random() - 0.5);
    const merged = emptySketch();
    for (const partial of partials) mergeSketch(merged, partial);
    expect(merged.count).toBe(whole.count);
    expect(merged.zero).toBe(whole.zero);
    expect(merged.bins).toEqual(whole.bins);
    expect(merged.min).toBe(whole.min);
    expect(merged.max).toBe(whole.max);
    expect(merged.sum).toBeCloseTo(whole.sum, 6);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of QUANTILES) {
      expect(sketchQuantile(merged, q)).toBe(sketchQuantile(whole, q));
      expect(relativeError(sketchQuantile(merged, q)!, exactQuantile(sorted, q))).toBeLessThanOrEqual(BOUND);
    }
  });

  it("merging an empty sketch changes nothing, and into an empty one copies", () => {
    const sketch = sketchOf([1, 2, 3]);
    const before = JSON.parse(JSON.stringify(sketch));
    mergeSketch(sketch, emptySketch());
    expect(sketch).toEqual(before);
    const into = emptySketch();
    mergeSketch(into, sketch);
    expect(into).toEqual(before);
  });

  it("survives JSON (storage) and structured clone (RPC) unchanged", () => {
    const random = seededRandom(7);
    const sketch = sketchOf(Array.from({ length: 500 }, () => random() * 300));
    const viaJson = JSON.parse(JSON.stringify(sketch)) as SketchData;
    const viaClone = structuredClone(sketch);
    for (const q of QUANTILES) {
      expect(sketchQuantile(viaJson, q)).toBe(sketchQuantile(sketch, q));
      expect(sketchQuantile(viaClone, q)).toBe(sketchQuantile(sketch, q));
    }
  });
});
