import { seededRandom as prng } from "../helpers/seeded-random";
import { describe, expect, it } from "vitest";
import {
  BASE_DELAY_MS,
  backoffCeilingMs,
  backoffDelayMs,
  DEFAULT_BACKOFF,
  MAX_DELAY_MS,
} from "../../workers/resilience/backoff";

describe("backoff ceiling", () => {
  it("doubles from the base, then stays at the max", () => {
    expect(BASE_DELAY_MS).toBe(50);
    expect(MAX_DELAY_MS).toBe(1_000);
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 50, 5_000].map((attempt) => backoffCeilingMs(attempt, DEFAULT_BACKOFF));
    expect(ceilings).toEqual([50, 100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000]);
  });

  it("treats attempts below 1 as the first retry and floors fractions", () => {
    expect(backoffCeilingMs(0, DEFAULT_BACKOFF)).toBe(50);
    expect(backoffCeilingMs(-3, DEFAULT_BACKOFF)).toBe(50);
    expect(backoffCeilingMs(NaN, DEFAULT_BACKOFF)).toBe(50);
    expect(backoffCeilingMs(2.9, DEFAULT_BACKOFF)).toBe(100);
    expect(backoffCeilingMs(Infinity, DEFAULT_BACKOFF)).toBe(1_000);
  });

  it("is 0, never NaN or negative, for nonsense config", () => {
    for (const config of [
      { baseDelayMs: -1, maxDelayMs: 1_000 },
      { baseDelayMs: NaN, maxDelayMs: 1_000 },
      { baseDelayMs: Infinity, maxDelayMs: 1_000 },
      { baseDelayMs: 50, maxDelayMs: -5 },
      { baseDelayMs: 50, maxDelayMs: NaN },
      { baseDelayMs: 0, maxDelayMs: Infinity },
    ]) {
      expect(backoffCeilingMs(2_000, config)).toBe(0);
    }
  });

  it("is uncapped with an infinite max", () => {
    expect(backoffCeilingMs(11, { baseDelayMs: 1, maxDelayMs: Infinity })).toBe(1_024);
  });
});

describe("backoff delay (full jitter)", () => {
  it("is random · ceiling", () => {
    expect(backoffDelayMs(3, DEFAULT_BACKOFF, () => 0)).toBe(0);
    expect(backoffDelayMs(3, DEFAULT_BACKOFF, () => 0.5)).toBe(100);
    expect(backoffDelayMs(10, DEFAULT_BACKOFF, () => 0.25)).toBe(250);
  });

  it("stays in [0, ceiling) even if random() misbehaves", () => {
    for (const value of [1, 1.5, -0.2, NaN, Infinity]) {
      const delay = backoffDelayMs(4, DEFAULT_BACKOFF, () => value);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(400);
    }
  });

  it("never leaves [0, ceiling] and spreads over the window (seeded property test)", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = prng(seed);
      const config = { baseDelayMs: 1 + random() * 200, maxDelayMs: 1 + random() * 5_000 };
      for (let i = 0; i < 500; i++) {
        const attempt = 1 + Math.floor(random() * 40);
        const ceiling = backoffCeilingMs(attempt, config);
        const delay = backoffDelayMs(attempt, config, random);
        expect(ceiling).toBeLessThanOrEqual(config.maxDelayMs);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
    // Full jitter, not "equal jitter": delays use the whole window, low end included.
    const random = prng(99);
    const delays = Array.from({ length: 2_000 }, () => backoffDelayMs(6, DEFAULT_BACKOFF, random));
    expect(Math.min(...delays)).toBeLessThan(50);
    expect(Math.max(...delays)).toBeGreaterThan(950);
    const mean = delays.reduce((sum, delay) => sum + delay, 0) / delays.length;
    expect(mean).toBeGreaterThan(450);
    expect(mean).toBeLessThan(550);
  });
});
