// Result-cache settings from wrangler `[vars]` (see wrangler.toml and docs/cache.md). Pure.

/** KV refuses an expiration closer than 60 s. */
export const KV_MIN_TTL_SECONDS = 60;

export interface CacheConfig {
  /** How long the per-colo Cache API keeps an entry. */
  l1TtlSeconds: number;
  /** How long KV keeps an entry (≥ 60 s). */
  l2TtlSeconds: number;
  /** How long D1 keeps an entry: the entry's lifetime, after which it is re-executed. */
  l3TtlSeconds: number;
  /** Programs the cron keeps warm in L2 / re-executes after an invalidation. */
  warmTopN: number;
}

export interface CacheConfigSource {
  CACHE_L1_TTL_SECONDS?: string;
  CACHE_L2_TTL_SECONDS?: string;
  CACHE_L3_TTL_SECONDS?: string;
  CACHE_WARM_TOP_N?: string;
}

export const CACHE_DEFAULTS: CacheConfig = {
  l1TtlSeconds: 300,
  l2TtlSeconds: 86_400,
  l3TtlSeconds: 604_800,
  warmTopN: 100,
};

/**
 * The most the cron re-executes or re-puts per run, whatever CACHE_WARM_TOP_N says: each program
 * costs a few D1/KV operations, and one invocation may make about 1,000.
 */
export const MAX_WARM_TOP_N = 200;
/**
 * Longest entry lifetime. Invalidation generations are pruned only after every entry that could
 * depend on an old one has expired, which needs an upper bound on lifetimes (see warm-cache.ts).
 */
export const MAX_L3_TTL_SECONDS = 30 * 86_400;

function wholeNumber(value: string | undefined, min: number, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= min ? n : fallback;
}

export function readCacheConfig(env: CacheConfigSource): CacheConfig {
  const l3TtlSeconds = Math.min(wholeNumber(env.CACHE_L3_TTL_SECONDS, 1, CACHE_DEFAULTS.l3TtlSeconds), MAX_L3_TTL_SECONDS);
  return {
    // An upper level never keeps a copy longer than the entry lives.
    l1TtlSeconds: Math.min(wholeNumber(env.CACHE_L1_TTL_SECONDS, 0, CACHE_DEFAULTS.l1TtlSeconds), l3TtlSeconds),
    l2TtlSeconds: Math.min(wholeNumber(env.CACHE_L2_TTL_SECONDS, KV_MIN_TTL_SECONDS, CACHE_DEFAULTS.l2TtlSeconds), l3TtlSeconds),
    l3TtlSeconds,
    warmTopN: Math.min(wholeNumber(env.CACHE_WARM_TOP_N, 0, CACHE_DEFAULTS.warmTopN), MAX_WARM_TOP_N),
  };
}
