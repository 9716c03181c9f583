import { describe, expect, it } from "vitest";
import {
  MIN_HOLT_POINTS,
  fitHolt,
  fitHoltWinters,
  fitMean,
  fitModel,
  fitSeasonalNaive,
  forecast,
  intervalCoverage,
  mape,
  meanForecast,
  seasonalNaiveForecast,
} from "../../workers/capacity/forecast";
import { signal, syntheticSeries, DEFAULT_SPEC } from "./synthetic-series";

// Forecast accuracy on the synthetic series bench/forecast-accuracy.mjs measures (daily seasonality
// with a business-hours bump, +1 %/day trend, Gaussian noise of 5 % of the rate), and the fallbacks
// for short histories.

const values = (points: Array<{ value: number }>) => points.map((p) => p.value);

function backtest(bucketsPerDay: number, days: number, seed: number) {
  const series = syntheticSeries({ seed, bucketsPerDay, days });
  const train = series.slice(0, -bucketsPerDay);
  const actual = series.slice(-bucketsPerDay);
  const model = fitModel(train, bucketsPerDay);
  const points = forecast(model, bucketsPerDay);
  return {
    model,
    points,
    hw: mape(actual, values(points)),
    naive: mape(actual, seasonalNaiveForecast(train, bucketsPerDay, bucketsPerDay)),
    mean: mape(actual, meanForecast(train, bucketsPerDay)),
    coverage: intervalCoverage(actual, points),
  };
}

describe("Holt-Winters forecast accuracy (synthetic seasonal series with trend and noise)", () => {
  it("forecasts the last of 14 hourly days with MAPE ≤ 10 % (seed 42), better than both baselines", () => {
    const result = backtest(24, 14, 42);
    expect(result.model.kind).toBe("holt_winters");
    expect(result.hw).toBeLessThanOrEqual(10);
    expect(result.hw).toBeLessThan(result.naive);
    expect(result.hw).toBeLessThan(result.mean);
    expect(result.coverage).toBeGreaterThanOrEqual(0.75);
  });

  it("forecasts the last of 7 days of 5-minute buckets with MAPE ≤ 10 % (seed 42)", () => {
    const result = backtest(288, 7, 42);
    expect(result.model.kind).toBe("holt_winters");
    expect(result.model.seasonLength).toBe(288);
    expect(result.hw).toBeLessThanOrEqual(10);
    expect(result.hw).toBeLessThan(result.mean);
  });

  it("stays within 10 % over many seeds, not just the one the bench reports", () => {
    const errors = Array.from({ length: 10 }, (_, i) => backtest(24, 14, 100 + i).hw);
    expect(Math.max(...errors)).toBeLessThanOrEqual(10);
  });

  it("reproduces a noiseless seasonal series with a trend almost exactly", () => {
    const spec = { ...DEFAULT_SPEC, noise: 0 };
    const series = Array.from({ length: 24 * 10 }, (_, t) => signal(spec, t));
    const model = fitHoltWinters(series.slice(0, -24), 24);
    expect(mape(series.slice(-24), values(forecast(model, 24)))).toBeLessThan(1);
  });

  it("widens the prediction interval with the horizon and never goes below 0", () => {
    const model = fitModel(syntheticSeries({ seed: 7 }), 24);
    const points = forecast(model, 48);
    const width = (i: number) => points[i].high - points[i].low;
    expect(width(47)).toBeGreaterThan(width(0));
    for (const point of points) {
      expect(point.low).toBeGreaterThanOrEqual(0);
      expect(point.low).toBeLessThanOrEqual(point.value);
      expect(point.high).toBeGreaterThanOrEqual(point.value);
    }
  });
});

describe("fallbacks for short histories", () => {
  it("uses Holt's linear trend below one season, and it follows a line", () => {
    const line = Array.from({ length: 20 }, (_, t) => 10 + 2 * t);
    const model = fitModel(line, 24);
    expect(model.kind).toBe("holt");
    const next = values(forecast(model, 3));
    expect(next[0]).toBeCloseTo(50, 0);
    expect(next[2]).toBeCloseTo(54, 0);
  });

  it("uses seasonal naive with one season but not two: tomorrow repeats today", () => {
    const series = syntheticSeries({ days: 2 });
    expect(fitModel(series.slice(0, 23), 24).kind).toBe("holt");
    expect(fitModel(series.slice(0, 24), 24).kind).toBe("seasonal_naive");
    expect(fitModel(series.slice(0, 47), 24).kind).toBe("seasonal_naive");
    expect(fitModel(series, 24).kind).toBe("holt_winters");
    const history = series.slice(0, 30);
    const model = fitSeasonalNaive(history, 24);
    const points = forecast(model, 30);
    expect(values(points).slice(0, 24)).toEqual(history.slice(-24));
    expect(points[24].value).toBe(history[history.length - 24]);
    // σ from the six seasonal differences; the interval widens once per season ahead.
    const sigma = Math.sqrt(history.slice(24).reduce((sum, v, i) => sum + (v - history[i]) ** 2, 0) / 6);
    expect(model.sigma).toBeCloseTo(sigma, 10);
    expect(points[23].high - points[23].value).toBeCloseTo(points[0].high - points[0].value, 10);
    expect((points[24].high - points[24].value) / (points[0].high - points[0].value)).toBeCloseTo(Math.SQRT2, 10);
  });

  it("uses the mean below MIN_HOLT_POINTS points, with an interval from the spread", () => {
    const model = fitModel([10, 14, 12], 24);
    expect(MIN_HOLT_POINTS).toBe(4);
    expect(model.kind).toBe("mean");
    const [point] = forecast(model, 1);
    expect(point.value).toBeCloseTo(12, 10);
    expect(point.high).toBeGreaterThan(12);
    expect(point.low).toBeLessThan(12);
  });

  it("forecasts 0 with no history at all (model none), and a flat value from one point", () => {
    expect(fitModel([], 24).kind).toBe("none");
    expect(forecast(fitModel([], 24), 2)).toEqual([
      { value: 0, low: 0, high: 0 },
      { value: 0, low: 0, high: 0 },
    ]);
    expect(forecast(fitMean([5]), 1)).toEqual([{ value: 5, low: 5, high: 5 }]);
  });

  it("drops non-finite points before choosing", () => {
    expect(fitModel([1, Number.NaN, 2, Infinity], 24)).toMatchObject({ kind: "mean", points: 2, level: 1.5 });
  });

  it("rejects what a model cannot fit", () => {
    expect(() => fitHoltWinters([1, 2, 3], 24)).toThrow(RangeError);
    expect(() => fitHolt([1, 2])).toThrow(RangeError);
    expect(() => fitSeasonalNaive([1, 2], 3)).toThrow(RangeError);
  });
});

describe("accuracy measures", () => {
  it("MAPE skips zero actuals", () => {
    expect(mape([100, 0, 200], [110, 5, 180])).toBeCloseTo(10, 10);
    expect(Number.isNaN(mape([0], [1]))).toBe(true);
  });

  it("the seasonal naive baseline repeats the last season", () => {
    expect(seasonalNaiveForecast([1, 2, 3, 4, 5, 6], 3, 4)).toEqual([4, 5, 6, 4]);
  });
});
