// The result cache's entry points for the Worker: one CacheMemory per isolate, and a ResultCache
// per request over the request's bindings. See docs/cache.md.
import { readCacheConfig } from "./config";
import { CacheApiLevel } from "./levels/l1-cache-api";
import { KvLevel } from "./levels/l2-kv";
import { D1Level } from "./levels/l3-d1";
import { createCacheMemory, ResultCache, type CacheMemory, type ResultCacheOptions } from "./result-cache";

let isolateMemory: CacheMemory | null = null;
/** L3 per D1 binding: building its drizzle instance is most of what making a ResultCache costs. */
const d1Levels = new WeakMap<D1Database, D1Level>();

function d1Level(d1: D1Database): D1Level {
  let level = d1Levels.get(d1);
  if (!level) {
    level = new D1Level(d1);
    d1Levels.set(d1, level);
  }
  return level;
}

/** This isolate's cache memory (generations, in-flight runs, pending counts). */
export function isolateCacheMemory(): CacheMemory {
  isolateMemory ??= createCacheMemory();
  return isolateMemory;
}

/** Tests: start this isolate's cache memory afresh (as a new isolate would). */
export function resetIsolateCacheMemory(): void {
  isolateMemory = null;
}

/** The bindings the cache needs; tests pass wrappers (e.g. a KV that throws). */
export interface CacheEnv {
  DB: D1Database;
  RESULT_CACHE?: KVNamespace | null;
  CACHE_L1_TTL_SECONDS?: string;
  CACHE_L2_TTL_SECONDS?: string;
  CACHE_L3_TTL_SECONDS?: string;
  CACHE_WARM_TOP_N?: string;
}

export function resultCacheFor(
  env: CacheEnv,
  waitUntil: (promise: Promise<unknown>) => void,
  extra: Partial<Pick<ResultCacheOptions, "memory" | "now" | "log" | "store">> & { l1?: CacheApiLevel | null } = {},
): ResultCache {
  const memory = extra.memory ?? isolateCacheMemory();
  return new ResultCache({
    memory,
    levels: {
      // `l1: null` turns off both parts of L1 (isolate memory and the Cache API), e.g. for the cron.
      memory: extra.l1 === null ? null : memory.l1Memory,
      l1: extra.l1 === undefined ? CacheApiLevel.fromRuntime() : extra.l1,
      l2: env.RESULT_CACHE ? new KvLevel(env.RESULT_CACHE) : null,
      l3: d1Level(env.DB),
    },
    db: env.DB,
    config: readCacheConfig(env),
    waitUntil,
    ...(extra.now ? { now: extra.now } : {}),
    ...(extra.log ? { log: extra.log } : {}),
    ...(extra.store ? { store: extra.store } : {}),
  });
}

export { backgroundTasks, cacheBody, cacheModeFromHeaders, X_CACHE, type CacheMode } from "./http";
export type { CacheReport, CachedRun } from "./result-cache";
export { type StoredRequest } from "./entry";
