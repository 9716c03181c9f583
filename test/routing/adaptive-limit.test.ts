import { seededRandom as prng } from "../helpers/seeded-random";
import { describe, expect, it } from "vitest";
import {
  adaptiveLimitConfig,
  DEFAULT_BACKOFF_RATIO,
  effectiveLimit,
  initialGradientState,
  initialLimitState,
  onGradientSample,
  onSample,
  type AdaptiveLimitConfig,
  type AdaptiveLimitState,
  type GradientLimitConfig,
  type LimitSample,
} from "../../workers/routing/adaptive-limit";

const CONFIG: AdaptiveLimitConfig = { minLimit: 2, maxLimit: 50, timeoutMs: 1_000 };

function randomSample(rand: () => number, limit: number): LimitSample {
  const r = rand();
  const outcome = r < 0.15 ? "dropped" : r < 0.2 ? "ignore" : "success";
  // Mostly sane, sometimes hostile inputs.
  const weird = [NaN, -5, Infinity, 0];
  const latencyMs = rand() < 0.05 ? weird[Math.floor(rand() * weird.length)] : rand() * 2_000;
  const inFlight = Math.floor(rand() * (limit + 3));
  return { latencyMs, outcome, inFlight };
}

describe("AIMD limit", () => {
  it("starts at 10 inside the bounds, or at a bound when 10 is outside", () => {
    expect(initialLimitState(CONFIG).limit).toBe(10);
    expect(initialLimitState({ ...CONFIG, maxLimit: 4 }).limit).toBe(4);
    expect(initialLimitState({ ...CONFIG, minLimit: 16 }).limit).toBe(16);
  });

  it("stays within [minLimit, maxLimit] under random sample sequences (seeded)", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const rand = prng(seed);
      const config: AdaptiveLimitConfig = {
        minLimit: 1 + Math.floor(rand() * 5),
        maxLimit: 5 + Math.floor(rand() * 60),
        timeoutMs: 500 + rand() * 1_000,
        backoffRatio: 0.5 + rand() * 0.45,
      };
      let state = initialLimitState(config);
      for (let i = 0; i < 2_000; i++) {
        state = onSample(state, randomSample(rand, effectiveLimit(state, config)), config);
        const eff = effectiveLimit(state, config);
        const ok =
          state.limit >= config.minLimit &&
          state.limit <= config.maxLimit &&
          Number.isInteger(eff) &&
          eff >= config.minLimit &&
          eff <= config.maxLimit;
        // One assertion per failure (not per step) keeps 100k steps fast; the message says where.
        if (!ok) expect({ seed, step: i, limit: state.limit, eff }).toEqual("within bounds");
      }
    }
  });

  it("decreases by backoffRatio on a drop and on a success slower than the timeout", () => {
    const state: AdaptiveLimitState = { limit: 20 };
    expect(onSample(state, { latencyMs: 10, outcome: "dropped", inFlight: 20 }, CONFIG).limit).toBeCloseTo(20 * DEFAULT_BACKOFF_RATIO);
    expect(onSample(state, { latencyMs: 1_001, outcome: "success", inFlight: 20 }, CONFIG).limit).toBeCloseTo(18);
    expect(onSample(state, { latencyMs: 10, outcome: "dropped", inFlight: 1 }, { ...CONFIG, backoffRatio: 0.5 }).limit).toBe(10);
    // Repeated drops keep the fraction (no rounding loss) and stop at minLimit.
    let s = state;
    for (let i = 0; i < 100; i++) s = onSample(s, { latencyMs: 10, outcome: "dropped", inFlight: 1 }, CONFIG);
    expect(s.limit).toBe(CONFIG.minLimit);
  });

  it("increases by 1 per success under sustained load, up to maxLimit", () => {
    let state = initialLimitState(CONFIG);
    const seen: number[] = [];
    for (let i = 0; i < 100; i++) {
      // A busy backend: every lease in use.
      state = onSample(state, { latencyMs: 50, outcome: "success", inFlight: effectiveLimit(state, CONFIG) }, CONFIG);
      seen.push(state.limit);
    }
    expect(seen.slice(0, 3)).toEqual([11, 12, 13]);
    expect(state.limit).toBe(CONFIG.maxLimit);
    // Exactly half the limit in flight still counts as load.
    expect(onSample({ limit: 10 }, { latencyMs: 1, outcome: "success", inFlight: 5 }, CONFIG).limit).toBe(11);
  });

  it("does not grow when app-limited (less than half the limit in flight)", () => {
    let state: AdaptiveLimitState = { limit: 20 };
    for (let i = 0; i < 1_000; i++) state = onSample(state, { latencyMs: 5, outcome: "success", inFlight: 9 }, CONFIG);
    expect(state.limit).toBe(20);
  });

  it("ignores 'ignore' samples and successes with unusable latency", () => {
    const state: AdaptiveLimitState = { limit: 20 };
    expect(onSample(state, { latencyMs: 99_999, outcome: "ignore", inFlight: 20 }, CONFIG).limit).toBe(20);
    expect(onSample(state, { latencyMs: NaN, outcome: "success", inFlight: 20 }, CONFIG).limit).toBe(20);
    expect(onSample(state, { latencyMs: -1, outcome: "success", inFlight: 20 }, CONFIG).limit).toBe(20);
  });

  it("re-clamps to the current config when a backend's bounds change", () => {
    const shrunk = { ...CONFIG, maxLimit: 8 };
    expect(effectiveLimit({ limit: 40.7 }, shrunk)).toBe(8);
    expect(onSample({ limit: 40 }, { latencyMs: 1, outcome: "success", inFlight: 1 }, shrunk).limit).toBe(8);
    expect(effectiveLimit({ limit: 12.9 }, CONFIG)).toBe(12);
    expect(effectiveLimit({ limit: NaN }, CONFIG)).toBe(CONFIG.minLimit);
  });

  it("survives nonsense bounds: min ≥ 1 and max ≥ min", () => {
    const bad: AdaptiveLimitConfig = { minLimit: 0, maxLimit: -3, timeoutMs: 1_000, backoffRatio: 7 };
    const state = initialLimitState(bad);
    expect(effectiveLimit(state, bad)).toBe(1);
    expect(onSample(state, { latencyMs: 1, outcome: "dropped", inFlight: 1 }, bad).limit).toBe(1);
  });

  it("builds a config from a backend's concurrency bounds", () => {
    expect(adaptiveLimitConfig({ minConcurrency: 1, maxConcurrency: 64 }, 3_000)).toEqual({ minLimit: 1, maxLimit: 64, timeoutMs: 3_000 });
    expect(adaptiveLimitConfig({ minConcurrency: 1, maxConcurrency: 64 }).timeoutMs).toBeGreaterThan(15_000);
  });
});

describe("gradient limit", () => {
  const G: GradientLimitConfig = { minLimit: 2, maxLimit: 100, timeoutMs: 5_000 };

  it("stays within bounds under random sample sequences (seeded)", () => {
    for (let seed = 100; seed < 130; seed++) {
      const rand = prng(seed);
      const config: GradientLimitConfig = { ...G, longWindowSamples: 1 + Math.floor(rand() * 50), smoothing: rand() };
      let state = initialGradientState(config);
      for (let i = 0; i < 2_000; i++) {
        state = onGradientSample(state, randomSample(rand, effectiveLimit(state, config)), config);
        const ok = state.limit >= config.minLimit && state.limit <= config.maxLimit && Number.isFinite(state.longRttMs);
        if (!ok) expect({ seed, step: i, ...state }).toEqual("within bounds");
      }
    }
  });

  it("grows under steady latency and shrinks when latency climbs well above the long-term average", () => {
    let state = initialGradientState(G);
    for (let i = 0; i < 200; i++) {
      state = onGradientSample(state, { latencyMs: 100, outcome: "success", inFlight: effectiveLimit(state, G) }, G);
    }
    const grown = state.limit;
    expect(grown).toBeGreaterThan(initialGradientState(G).limit + 10);
    for (let i = 0; i < 20; i++) {
      state = onGradientSample(state, { latencyMs: 1_000, outcome: "success", inFlight: effectiveLimit(state, G) }, G);
    }
    expect(state.limit).toBeLessThan(grown);
  });

  it("does not grow when app-limited, and backs off on drops", () => {
    let state = { ...initialGradientState(G), limit: 40 };
    for (let i = 0; i < 100; i++) state = onGradientSample(state, { latencyMs: 100, outcome: "success", inFlight: 3 }, G);
    expect(state.limit).toBe(40);
    expect(onGradientSample(state, { latencyMs: 10, outcome: "dropped", inFlight: 40 }, G).limit).toBeCloseTo(36);
  });
});
