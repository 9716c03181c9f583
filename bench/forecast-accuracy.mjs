#!/usr/bin/env node
// Forecast accuracy of capacity planning (docs/capacity.md#accuracy):
//   npm run bench:forecast [-- --seed 42 --seeds 20]
// (npm runs the pinned Node 22, which this script needs: it imports the TypeScript modules
// workers/capacity/forecast.ts and test/capacity/synthetic-series.ts directly, with Node's type
// stripping — the very code the Worker runs.)
//
// One command, one run, every number from that run:
//   1. Synthetic request rates (test/capacity/synthetic-series.ts): a daily cycle with a
//      business-hours bump, +1 %/day linear growth, Gaussian noise of 5 % of the rate; seeded.
//   2. Two series: 14 days of hourly buckets (what GET /v1/capacity uses, season 24) and 7 days
//      of 5-minute buckets (season 288). Each model is fitted on all but the last day and
//      forecasts the last day (24 or 288 steps ahead, no peeking).
//   3. MAPE of additive Holt-Winters (grid-searched α, β, γ) against, measured in the same run:
//      seasonal naive (yesterday's value), the training mean, and Holt's linear trend (the
//      fallback below two seasons); plus the 95 % interval's coverage and the fit time.
//   4. The same for --seeds further seeds (mean, worst), so one lucky seed cannot carry the claim.
//   5. Short histories (the fallbacks): with 12 h and 36 h of hourly history, the next 6 h (GET
//      /v1/capacity's default horizon) by Holt, seasonal naive (needs a day) and the mean, over
//      the same seeds and four forecast origins a day (midnight, 06:00, 12:00, 18:00).
//   6. Prints tables and writes bench/results/forecast-latest.json. Exit 1 when Holt-Winters'
//      MAPE on the reported seed is above the 10 % target.

import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { fitHolt, fitMean, fitModel, forecast, intervalCoverage, mape, meanForecast, seasonalNaiveForecast } from "../workers/capacity/forecast.ts";
import { DEFAULT_SPEC, syntheticSeries } from "../test/capacity/synthetic-series.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS_FILE = path.join(ROOT, "bench", "results", "forecast-latest.json");
const TARGET_MAPE = 10;

const { values: args } = parseArgs({
  options: {
    seed: { type: "string", default: String(DEFAULT_SPEC.seed) },
    seeds: { type: "string", default: "20" },
  },
});
const seed = Number(args.seed);
const extraSeeds = Number(args.seeds);

const SERIES = [
  { name: "hourly, 14 days (season 24)", bucketsPerDay: 24, days: 14 },
  { name: "5-minute, 7 days (season 288)", bucketsPerDay: 288, days: 7 },
];

function backtest(spec) {
  const series = syntheticSeries(spec);
  const m = spec.bucketsPerDay;
  const train = series.slice(0, -m);
  const actual = series.slice(-m);
  const started = performance.now();
  const model = fitModel(train, m);
  const fitMs = performance.now() - started;
  const points = forecast(model, m);
  const holt = forecast(fitHolt(train), m).map((p) => p.value);
  return {
    model: { kind: model.kind, params: model.params, sigma: round(model.sigma) },
    fitMs: round(fitMs, 1),
    mape: {
      holtWinters: round(mape(actual, points.map((p) => p.value))),
      seasonalNaive: round(mape(actual, seasonalNaiveForecast(train, m, m))),
      mean: round(mape(actual, meanForecast(train, m))),
      holt: round(mape(actual, holt)),
    },
    intervalCoverage: round(intervalCoverage(actual, points)),
  };
}

function round(n, digits = 2) {
  return Math.round(n * 10 ** digits) / 10 ** digits;
}

const summarize = (values) => ({ mean: round(values.reduce((a, b) => a + b, 0) / values.length), worst: round(Math.max(...values)) });

const results = SERIES.map((shape) => {
  const spec = { ...DEFAULT_SPEC, seed, bucketsPerDay: shape.bucketsPerDay, days: shape.days };
  const reported = backtest(spec);
  const others = Array.from({ length: extraSeeds }, (_, i) => backtest({ ...spec, seed: 1000 + i }));
  const across = {};
  for (const key of Object.keys(reported.mape)) across[key] = summarize(others.map((r) => r.mape[key]));
  return {
    series: shape.name,
    spec,
    reported,
    seeds: { count: extraSeeds, first: 1000, mape: across, intervalCoverage: summarize(others.map((r) => r.intervalCoverage)).mean },
  };
});

// Short histories: which fallback forecasts the next SHORT_HORIZON hours best.
const SHORT_HORIZON = 6;
const shortHistory = [12, 36].map((hours) => {
  const errors = { holt: [], seasonalNaive: [], mean: [], chosen: [] };
  let chosenKind = null;
  for (let i = 0; i < extraSeeds; i++) {
    const series = syntheticSeries({ ...DEFAULT_SPEC, seed: 1000 + i, bucketsPerDay: 24, days: 14 });
    for (const origin of [24 * 12, 24 * 12 + 6, 24 * 12 + 12, 24 * 12 + 18]) {
      const train = series.slice(origin - hours, origin);
      const actual = series.slice(origin, origin + SHORT_HORIZON);
      const values = (model) => forecast(model, SHORT_HORIZON).map((p) => p.value);
      errors.holt.push(mape(actual, values(fitHolt(train))));
      errors.mean.push(mape(actual, values(fitMean(train))));
      if (hours >= 24) errors.seasonalNaive.push(mape(actual, seasonalNaiveForecast(train, 24, SHORT_HORIZON)));
      const chosen = fitModel(train, 24);
      chosenKind = chosen.kind;
      errors.chosen.push(mape(actual, values(chosen)));
    }
  }
  const avg = (values) => (values.length === 0 ? null : round(values.reduce((a, b) => a + b, 0) / values.length));
  return {
    historyHours: hours,
    horizonHours: SHORT_HORIZON,
    forecasts: errors.holt.length,
    chosenModel: chosenKind,
    mape: { chosen: avg(errors.chosen), holt: avg(errors.holt), seasonalNaive: avg(errors.seasonalNaive), mean: avg(errors.mean) },
  };
});

// ---- Print

const pad = (s, n) => String(s).padEnd(n);
const padl = (s, n) => String(s).padStart(n);
console.log(`Forecast accuracy — forecast the last day from the days before it (target: Holt-Winters MAPE ≤ ${TARGET_MAPE} %)`);
console.log(`synthetic: base ${DEFAULT_SPEC.base} req/s, daily swing ±${DEFAULT_SPEC.dailyAmplitude * 100} %, trend +${DEFAULT_SPEC.trendPerDay * 100} %/day, noise σ = ${DEFAULT_SPEC.noise * 100} % of the rate\n`);
for (const result of results) {
  const r = result.reported;
  console.log(`${result.series}: seed ${seed} → ${r.model.kind} α=${r.model.params.alpha} β=${r.model.params.beta} γ=${r.model.params.gamma}, fit ${r.fitMs} ms`);
  console.log(`  ${pad("method", 26)}${padl(`seed ${seed}`, 10)}${padl(`mean of ${extraSeeds}`, 14)}${padl("worst", 10)}`);
  const rows = [
    ["Holt-Winters (additive)", "holtWinters"],
    ["seasonal naive (baseline)", "seasonalNaive"],
    ["mean (baseline)", "mean"],
    ["Holt linear (fallback)", "holt"],
  ];
  for (const [label, key] of rows) {
    const s = result.seeds.mape[key];
    console.log(`  ${pad(label, 26)}${padl(`${r.mape[key].toFixed(2)} %`, 10)}${padl(`${s.mean.toFixed(2)} %`, 14)}${padl(`${s.worst.toFixed(2)} %`, 10)}`);
  }
  console.log(`  95 % interval coverage: ${(r.intervalCoverage * 100).toFixed(0)} % (seed ${seed}), ${(result.seeds.intervalCoverage * 100).toFixed(0)} % (mean of ${extraSeeds})\n`);
}

console.log(`Short histories: the next ${SHORT_HORIZON} h (mean MAPE over ${shortHistory[0].forecasts} forecasts: ${extraSeeds} seeds × 4 origins)`);
console.log(`  ${pad("history", 10)}${pad("fitModel picks", 26)}${padl("Holt", 10)}${padl("seas. naive", 13)}${padl("mean", 10)}`);
for (const row of shortHistory) {
  const cell = (v) => (v === null ? "—" : `${v.toFixed(1)} %`);
  console.log(`  ${pad(`${row.historyHours} h`, 10)}${pad(`${row.chosenModel} (${cell(row.mape.chosen)})`, 26)}${padl(cell(row.mape.holt), 10)}${padl(cell(row.mape.seasonalNaive), 13)}${padl(cell(row.mape.mean), 10)}`);
}
console.log("");

const primary = results[0].reported.mape.holtWinters;
const pass = primary <= TARGET_MAPE;
console.log(`${pass ? "PASS" : "FAIL"}: Holt-Winters MAPE ${primary.toFixed(2)} % on the hourly series (seed ${seed}), target ≤ ${TARGET_MAPE} %`);

mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
writeFileSync(
  RESULTS_FILE,
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      command: `npm run bench:forecast -- --seed ${seed} --seeds ${extraSeeds}`,
      machine: { platform: `${os.platform()} ${os.release()}`, cpu: os.cpus()[0]?.model ?? "unknown", cpus: os.cpus().length, node: process.version },
      targetMape: TARGET_MAPE,
      pass,
      results,
      shortHistory,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${path.relative(ROOT, RESULTS_FILE)}`);
process.exit(pass ? 0 : 1);
