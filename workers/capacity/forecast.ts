// Request-rate forecasting for capacity planning (docs/capacity.md). Pure and self-contained (no
// imports), so `bench/forecast-accuracy.mjs` runs it under plain Node (type stripping) and the tests
// run it inside workerd.
//
// Models, chosen by how much history there is:
// - additive Holt-Winters (triple exponential smoothing) with season length m, once the history
//   holds at least two full seasons;
// - seasonal naive (each step repeats the value one season earlier) with one season but not two:
//   too little to fit a trend and a seasonal pattern separately, and measured far better than a
//   trend model on daily traffic (bench/forecast-accuracy.mjs: ~6 % MAPE against Holt's ~35 %);
// - Holt's linear trend (damped or not: φ is part of the fit) below one season, with at least
//   MIN_HOLT_POINTS points;
// - the mean of the history below that; `none` (forecast 0) with no history at all.
// Parameters are fitted by a small grid search minimising the one-step-ahead SSE on the history.
// Additive rather than multiplicative seasonality: request rates reach 0 at night in small
// deployments, and a multiplicative model divides by the level (a zero level makes its seasonal
// indices explode); an additive model is also what a "daily shape + linear growth" series is.

/** Below this many points Holt's method has nothing to fit: the mean is used instead. */
export const MIN_HOLT_POINTS = 4;
/** z for the default two-sided 95 % prediction interval. */
export const Z_95 = 1.959964;

export const ALPHA_GRID: readonly number[] = [0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 0.9];
export const BETA_GRID: readonly number[] = [0, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3];
export const GAMMA_GRID: readonly number[] = [0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7];
export const PHI_GRID: readonly number[] = [0.8, 0.9, 0.98, 1];

export type ModelKind = "holt_winters" | "seasonal_naive" | "holt" | "mean" | "none";

export interface ModelParams {
  alpha?: number;
  beta?: number;
  gamma?: number;
  phi?: number;
}

/** A fitted model: its final state, parameters and one-step error, ready to forecast. */
export interface FittedModel {
  kind: ModelKind;
  params: ModelParams;
  /** Season length for holt_winters and seasonal_naive; null otherwise. */
  seasonLength: number | null;
  /** Points of history the model was fitted on. */
  points: number;
  level: number;
  trend: number;
  /** Seasonal components for the next m steps: season[i] applies to step h with (h - 1) % m === i. */
  season: number[];
  /** Root mean square of the one-step-ahead errors on the history (0 when there were none). */
  sigma: number;
  /** Sum of squared one-step-ahead errors the grid search minimised. */
  sse: number;
}

export interface ForecastPoint {
  value: number;
  low: number;
  high: number;
}

export interface ForecastOptions {
  /** z of the two-sided prediction interval (default 1.96, 95 %). */
  z?: number;
  /** Clamp value and interval at 0 (rates cannot be negative). Default true. */
  nonNegative?: boolean;
}

const mean = (values: readonly number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);

// ---- Holt-Winters (additive)

interface HwState {
  level: number;
  trend: number;
  /** Ring of the last m seasonal components; index t % m holds s_{t} once t ≥ m. */
  season: number[];
}

/**
 * Initial state from the first two seasons: the trend is the difference of their means over m (a
 * least-squares line through them would be biased by the seasonal shape itself), the level is the
 * first season's mean carried to its end (t = m - 1), and the seasonal components are the two
 * seasons' average deviation from that line, centred to sum to zero.
 */
function initialHoltWinters(y: readonly number[], m: number): HwState {
  const first = mean(y.slice(0, m));
  const second = mean(y.slice(m, 2 * m));
  const trend = (second - first) / m;
  const line = (t: number) => first + trend * (t - (m - 1) / 2);
  const season = new Array<number>(m).fill(0);
  for (let i = 0; i < m; i++) season[i] = (y[i] - line(i) + (y[i + m] - line(i + m))) / 2;
  const offset = mean(season);
  for (let i = 0; i < m; i++) season[i] -= offset;
  return { level: line(m - 1), trend, season };
}

/**
 * Runs the recursions from t = m to the end (season 2 onwards is forecast one step ahead, season 1
 * only initialises) and returns the final state and the SSE of the one-step-ahead forecasts.
 *   ŷ_t = l_{t-1} + b_{t-1} + s_{t-m}
 *   l_t = α (y_t − s_{t−m}) + (1 − α)(l_{t−1} + b_{t−1})
 *   b_t = β (l_t − l_{t−1}) + (1 − β) b_{t−1}
 *   s_t = γ (y_t − l_t) + (1 − γ) s_{t−m}
 */
function runHoltWinters(y: readonly number[], m: number, alpha: number, beta: number, gamma: number, stopAbove = Infinity) {
  const init = initialHoltWinters(y, m);
  let level = init.level;
  let trend = init.trend;
  const season = init.season.slice();
  let sse = 0;
  for (let t = m; t < y.length; t++) {
    const i = t % m;
    const s = season[i];
    const error = y[t] - (level + trend + s);
    sse += error * error;
    if (sse > stopAbove) return { sse: Infinity, state: null };
    const previousLevel = level;
    level = alpha * (y[t] - s) + (1 - alpha) * (level + trend);
    trend = beta * (level - previousLevel) + (1 - beta) * trend;
    season[i] = gamma * (y[t] - level) + (1 - gamma) * s;
  }
  // Step h after the last point (t = n - 1 + h) uses the component stored at index (n - 1 + h) % m.
  const next = Array.from({ length: m }, (_, k) => season[(y.length + k) % m]);
  return { sse, state: { level, trend, season: next } };
}

/** Additive Holt-Winters fitted by grid search; needs at least two full seasons. */
export function fitHoltWinters(
  y: readonly number[],
  m: number,
  grid: { alpha?: readonly number[]; beta?: readonly number[]; gamma?: readonly number[] } = {},
): FittedModel {
  if (!Number.isInteger(m) || m < 2) throw new RangeError("season length must be an integer ≥ 2");
  if (y.length < 2 * m) throw new RangeError(`Holt-Winters needs at least two seasons (${2 * m} points), got ${y.length}`);
  let best: { sse: number; alpha: number; beta: number; gamma: number } | null = null;
  for (const alpha of grid.alpha ?? ALPHA_GRID) {
    for (const beta of grid.beta ?? BETA_GRID) {
      for (const gamma of grid.gamma ?? GAMMA_GRID) {
        const { sse } = runHoltWinters(y, m, alpha, beta, gamma, best?.sse ?? Infinity);
        if (best === null || sse < best.sse) best = { sse, alpha, beta, gamma };
      }
    }
  }
  const { alpha, beta, gamma } = best!;
  const { sse, state } = runHoltWinters(y, m, alpha, beta, gamma);
  const errors = y.length - m;
  return {
    kind: "holt_winters",
    params: { alpha, beta, gamma },
    seasonLength: m,
    points: y.length,
    level: state!.level,
    trend: state!.trend,
    season: state!.season,
    sigma: errors > 0 ? Math.sqrt(sse / errors) : 0,
    sse,
  };
}

// ---- Holt's linear trend (optionally damped)

/**
 *   ŷ_t = l_{t−1} + φ b_{t−1}
 *   l_t = α y_t + (1 − α)(l_{t−1} + φ b_{t−1})
 *   b_t = β (l_t − l_{t−1}) + (1 − β) φ b_{t−1}
 * Starts from l_1 = y_1, b_1 = y_1 − y_0; errors are counted from t = 2.
 */
function runHolt(y: readonly number[], alpha: number, beta: number, phi: number, stopAbove = Infinity) {
  let level = y[1];
  let trend = y[1] - y[0];
  let sse = 0;
  for (let t = 2; t < y.length; t++) {
    const error = y[t] - (level + phi * trend);
    sse += error * error;
    if (sse > stopAbove) return { sse: Infinity, level, trend };
    const previousLevel = level;
    level = alpha * y[t] + (1 - alpha) * (level + phi * trend);
    trend = beta * (level - previousLevel) + (1 - beta) * phi * trend;
  }
  return { sse, level, trend };
}

export function fitHolt(
  y: readonly number[],
  grid: { alpha?: readonly number[]; beta?: readonly number[]; phi?: readonly number[] } = {},
): FittedModel {
  if (y.length < MIN_HOLT_POINTS) throw new RangeError(`Holt's method needs at least ${MIN_HOLT_POINTS} points, got ${y.length}`);
  let best: { sse: number; alpha: number; beta: number; phi: number } | null = null;
  for (const alpha of grid.alpha ?? ALPHA_GRID) {
    for (const beta of grid.beta ?? BETA_GRID) {
      for (const phi of grid.phi ?? PHI_GRID) {
        const { sse } = runHolt(y, alpha, beta, phi, best?.sse ?? Infinity);
        // Ties go to the first (the grids list the steadier settings first).
        if (best === null || sse < best.sse) best = { sse, alpha, beta, phi };
      }
    }
  }
  const { alpha, beta, phi } = best!;
  const { sse, level, trend } = runHolt(y, alpha, beta, phi);
  const errors = y.length - 2;
  return {
    kind: "holt",
    params: { alpha, beta, phi },
    seasonLength: null,
    points: y.length,
    level,
    trend,
    season: [],
    sigma: errors > 0 ? Math.sqrt(sse / errors) : 0,
    sse,
  };
}

// ---- Seasonal naive

/**
 * Each step repeats the value one season earlier. σ is the RMS of the seasonal differences
 * y_t − y_{t−m} in the history (with exactly one season, of the consecutive differences instead).
 */
export function fitSeasonalNaive(y: readonly number[], m: number): FittedModel {
  if (!Number.isInteger(m) || m < 1) throw new RangeError("season length must be a positive integer");
  if (y.length < m) throw new RangeError(`seasonal naive needs a full season (${m} points), got ${y.length}`);
  const lag = y.length > m ? m : 1;
  let sse = 0;
  for (let t = lag; t < y.length; t++) sse += (y[t] - y[t - lag]) ** 2;
  const errors = y.length - lag;
  return {
    kind: "seasonal_naive",
    params: {},
    seasonLength: m,
    points: y.length,
    level: 0,
    trend: 0,
    season: y.slice(-m),
    sigma: errors > 0 ? Math.sqrt(sse / errors) : 0,
    sse,
  };
}

// ---- Mean and nothing

export function fitMean(y: readonly number[]): FittedModel {
  if (y.length === 0) {
    return { kind: "none", params: {}, seasonLength: null, points: 0, level: 0, trend: 0, season: [], sigma: 0, sse: 0 };
  }
  const level = mean(y);
  const sse = y.reduce((sum, v) => sum + (v - level) ** 2, 0);
  // Sample standard deviation, times √(1 + 1/n) for the uncertainty of the mean itself.
  const sd = y.length > 1 ? Math.sqrt(sse / (y.length - 1)) : 0;
  return { kind: "mean", params: {}, seasonLength: null, points: y.length, level, trend: 0, season: [], sigma: sd * Math.sqrt(1 + 1 / y.length), sse };
}

/**
 * The best model the history allows: Holt-Winters with ≥ 2 seasons, seasonal naive with ≥ 1,
 * else Holt with ≥ MIN_HOLT_POINTS points, else the mean (or `none` when empty). Non-finite
 * points are dropped.
 */
export function fitModel(history: readonly number[], seasonLength: number): FittedModel {
  const y = history.filter((v) => Number.isFinite(v));
  if (y.length >= 2 * seasonLength) return fitHoltWinters(y, seasonLength);
  if (y.length >= seasonLength) return fitSeasonalNaive(y, seasonLength);
  if (y.length >= MIN_HOLT_POINTS) return fitHolt(y);
  return fitMean(y);
}

// ---- Forecasts

/**
 * Point forecasts for steps 1..h with a prediction interval value ± z·σ_h. σ_h follows the
 * state-space (ETS) formulas, with the classic smoothing parameters mapped to ETS ones (β_ets =
 * α·β, γ_ets = (1 − α)·γ): σ_h² = σ²·(1 + Σ_{j<h} c_j²), where for Holt-Winters c_j = α(1 + jβ) +
 * γ_ets·[j mod m = 0], for damped Holt c_j = α(1 + β·(φ + … + φ^j)); seasonal naive's grows with
 * the seasons ahead, σ·√(⌊(h − 1)/m⌋ + 1); the mean's is constant. It assumes independent,
 * homoscedastic errors: "simple", not exact.
 */
export function forecast(model: FittedModel, h: number, options: ForecastOptions = {}): ForecastPoint[] {
  const z = options.z ?? Z_95;
  const clamp = (options.nonNegative ?? true) ? (v: number) => Math.max(0, v) : (v: number) => v;
  const { alpha = 0, beta = 0, gamma = 0, phi = 1 } = model.params;
  const points: ForecastPoint[] = [];
  let damped = 0; // φ + φ² + … + φ^step
  let sumC2 = 0; // Σ_{j=1}^{step-1} c_j²
  for (let step = 1; step <= h; step++) {
    let value: number;
    switch (model.kind) {
      case "holt_winters":
        value = model.level + step * model.trend + model.season[(step - 1) % model.seasonLength!];
        break;
      case "holt":
        damped += phi ** step;
        value = model.level + damped * model.trend;
        break;
      case "seasonal_naive":
        value = model.season[(step - 1) % model.seasonLength!];
        break;
      default:
        value = model.level;
    }
    const spread =
      model.kind === "seasonal_naive"
        ? z * model.sigma * Math.sqrt(Math.floor((step - 1) / model.seasonLength!) + 1)
        : model.kind === "mean" || model.kind === "none"
          ? z * model.sigma
          : z * model.sigma * Math.sqrt(1 + sumC2);
    points.push({ value: clamp(value), low: clamp(value - spread), high: clamp(value + spread) });
    // c_step, used from the next step on.
    if (model.kind === "holt_winters") {
      const seasonal = step % model.seasonLength! === 0 ? (1 - alpha) * gamma : 0;
      sumC2 += (alpha * (1 + step * beta) + seasonal) ** 2;
    } else if (model.kind === "holt") {
      sumC2 += (alpha * (1 + beta * damped)) ** 2;
    }
  }
  return points;
}

// ---- Accuracy

/** Mean absolute percentage error (%), over the points whose actual value is not 0. */
export function mape(actual: readonly number[], predicted: readonly number[]): number {
  if (actual.length !== predicted.length) throw new RangeError("actual and predicted differ in length");
  let sum = 0;
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] === 0) continue;
    sum += Math.abs((actual[i] - predicted[i]) / actual[i]);
    count += 1;
  }
  return count === 0 ? NaN : (sum / count) * 100;
}

/** Baseline: each of the next h steps repeats the value one season earlier. */
export function seasonalNaiveForecast(history: readonly number[], m: number, h: number): number[] {
  if (history.length < m) throw new RangeError(`seasonal naive needs a full season (${m} points)`);
  return Array.from({ length: h }, (_, k) => history[history.length - m + (k % m)]);
}

/** Baseline: every step is the history's mean. */
export function meanForecast(history: readonly number[], h: number): number[] {
  return new Array<number>(h).fill(mean(history));
}

/** Share of actual values inside [low, high] (prediction-interval coverage, 0..1). */
export function intervalCoverage(actual: readonly number[], points: readonly ForecastPoint[]): number {
  if (actual.length === 0) return NaN;
  let inside = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] >= points[i].low && actual[i] <= points[i].high) inside += 1;
  return inside / actual.length;
}
