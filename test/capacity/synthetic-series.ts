// Seeded synthetic request-rate series for forecast accuracy (test/capacity/forecast.test.ts and
// bench/forecast-accuracy.mjs, which imports this file under plain Node: no imports, erasable types
// only). The shape is a day of traffic: a daily cycle with a business-hours bump (two harmonics),
// linear growth, and Gaussian noise proportional to the noiseless rate (busier means noisier, as
// with counts of independent requests).

export interface SyntheticSpec {
  seed: number;
  days: number;
  /** Buckets per day: 24 (hourly) or 288 (5-minute). */
  bucketsPerDay: number;
  /** Mean rate on day 0 (requests/s). */
  base: number;
  /** Daily swing as a share of the base: the first harmonic's amplitude. */
  dailyAmplitude: number;
  /** Growth per day as a share of the base. */
  trendPerDay: number;
  /** Standard deviation of the noise as a share of the noiseless value. */
  noise: number;
}

export const DEFAULT_SPEC: SyntheticSpec = {
  seed: 42,
  days: 14,
  bucketsPerDay: 24,
  base: 200,
  dailyAmplitude: 0.5,
  trendPerDay: 0.01,
  noise: 0.05,
};

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from a uniform source (Box-Muller). */
export function gaussian(random: () => number): () => number {
  return () => {
    const u = Math.max(random(), Number.MIN_VALUE);
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/** The noiseless value at bucket t (peak mid-afternoon, trough before dawn). */
export function signal(spec: SyntheticSpec, t: number): number {
  const day = t / spec.bucketsPerDay;
  const phase = 2 * Math.PI * (day % 1);
  const daily = spec.dailyAmplitude * Math.sin(phase - Math.PI / 2 - 0.6) + 0.3 * spec.dailyAmplitude * Math.sin(2 * phase - 1.2);
  return spec.base * (1 + spec.trendPerDay * day + daily);
}

export function syntheticSeries(overrides: Partial<SyntheticSpec> = {}): number[] {
  const spec = { ...DEFAULT_SPEC, ...overrides };
  const normal = gaussian(mulberry32(spec.seed));
  const n = spec.days * spec.bucketsPerDay;
  return Array.from({ length: n }, (_, t) => {
    const clean = signal(spec, t);
    return Math.max(0, clean * (1 + spec.noise * normal()));
  });
}
