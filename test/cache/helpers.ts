import { LIMIT_DEFAULTS } from "../../workers/sandbox";
import type { ExecutionResult } from "../../workers/sandbox/types";
import { resultCacheFor, type CacheEnv } from "../../workers/cache";
import { createCacheMemory, type CacheMemory, type CacheRunRequest } from "../../workers/cache/result-cache";
import type { CacheApiLevel } from "../../workers/cache/levels/l1-cache-api";
import { env } from "../helpers/bindings";

/** A successful, deterministic result printing `stdout`. */
export function okResult(stdout: string, overrides: Partial<ExecutionResult> = {}): ExecutionResult {
  return {
    status: "ok",
    exitCode: 0,
    signal: null,
    message: null,
    stdout,
    stderr: "",
    output: stdout,
    stdoutTruncated: false,
    stderrTruncated: false,
    cpuTimeMs: 1,
    wallTimeMs: 1,
    memoryBytes: 1024,
    nondeterministic: false,
    ...overrides,
  };
}

/** An executor that counts its runs and returns `produce(n)` for the n-th run (1-based). */
export function countingExecutor(produce: (run: number) => ExecutionResult | Promise<ExecutionResult>) {
  const executor = {
    runs: 0,
    execute: async (): Promise<ExecutionResult> => {
      executor.runs++;
      return produce(executor.runs);
    },
  };
  return executor;
}

let unique = 0;
/** A request for a program no other test uses (caches and isolate memory outlive a test). */
export function uniqueRequest(tenantId: string, overrides: Partial<CacheRunRequest> = {}): CacheRunRequest {
  unique++;
  return {
    tenantId,
    program: {
      language: "javascript",
      version: "1.0.0",
      files: [{ name: "main.js", content: `console.log(${unique}, ${JSON.stringify(String(Math.random()))})` }],
      stdin: "",
      args: [],
      limits: { ...LIMIT_DEFAULTS },
    },
    userTags: [],
    mode: "default",
    ...overrides,
  };
}

/**
 * A ResultCache as one isolate would have it: its own memory (pass another memory to act as a
 * second isolate), a controllable clock, and background work collected so a test can wait for it.
 */
export function isolate(options: { memory?: CacheMemory; env?: Partial<CacheEnv>; l1?: CacheApiLevel | null; clock?: { now: number } } = {}) {
  const clock = options.clock ?? { now: Date.now() };
  const memory = options.memory ?? createCacheMemory(clock.now);
  const background: Promise<unknown>[] = [];
  const cacheEnv: CacheEnv = { ...env, ...options.env };
  const make = () =>
    resultCacheFor(cacheEnv, (promise) => background.push(promise), {
      memory,
      now: () => clock.now,
      ...(options.l1 !== undefined ? { l1: options.l1 } : {}),
    });
  return {
    memory,
    clock,
    /** A fresh ResultCache per call, like one per request. */
    cache: make,
    /** Waits for every fill, promotion, revalidation and flush started so far. */
    async settle(): Promise<void> {
      while (background.length > 0) await Promise.all(background.splice(0));
    },
  };
}

/** A KV namespace whose every operation throws (an outage). */
export function throwingKv(): KVNamespace {
  return new Proxy({} as KVNamespace, {
    get: () => () => {
      throw new Error("KV is down");
    },
  });
}

/** KV that counts puts, over the real binding. */
export function countingKv(kv: KVNamespace) {
  const counts = { puts: 0 };
  const wrapped = new Proxy(kv, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (property === "put") {
        return (...args: unknown[]) => {
          counts.puts++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: wrapped, counts };
}

/** D1 that throws for statements whose SQL matches `broken` (e.g. /cache_entries/), else the real one. */
export function d1Breaking(d1: D1Database, broken: RegExp): D1Database {
  const fail = () => {
    throw new Error("D1 is down");
  };
  return new Proxy(d1, {
    get(target, property) {
      if (property === "prepare") {
        return (sql: string) => (broken.test(sql) ? fail() : target.prepare(sql));
      }
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => target.batch(statements);
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The L1 copy of an entry, straight from the Cache API. */
export async function l1Has(lookupKey: string): Promise<boolean> {
  const { CacheApiLevel } = await import("../../workers/cache/levels/l1-cache-api");
  return (await caches.default.match(CacheApiLevel.BASE_URL + lookupKey)) !== undefined;
}

export async function l2Has(lookupKey: string): Promise<boolean> {
  const { KV_RESULT_PREFIX } = await import("../../workers/cache/levels/l2-kv");
  return (await env.RESULT_CACHE.get(KV_RESULT_PREFIX + lookupKey)) !== null;
}

export async function l3Has(lookupKey: string): Promise<boolean> {
  const row = await env.DB.prepare("SELECT 1 AS one FROM cache_entries WHERE lookup_key = ?1").bind(lookupKey).first();
  return row !== null;
}

/** Deletes an entry from levels; for L1 also from the memory of the given isolates. */
export async function deleteFromLevels(lookupKey: string, levels: Array<"l1" | "l2" | "l3">, isolates: CacheMemory[] = []): Promise<void> {
  const { CacheApiLevel } = await import("../../workers/cache/levels/l1-cache-api");
  const { KV_RESULT_PREFIX } = await import("../../workers/cache/levels/l2-kv");
  if (levels.includes("l1")) {
    await caches.default.delete(CacheApiLevel.BASE_URL + lookupKey);
    for (const memory of isolates) memory.l1Memory.delete(lookupKey);
  }
  if (levels.includes("l2")) await env.RESULT_CACHE.delete(KV_RESULT_PREFIX + lookupKey);
  if (levels.includes("l3")) await env.DB.prepare("DELETE FROM cache_entries WHERE lookup_key = ?1").bind(lookupKey).run();
}

/** The lookup key an entry of a program key is stored under (from L3). */
export async function lookupKeysOf(programKey: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT lookup_key AS k FROM cache_entries WHERE program_key = ?1 ORDER BY created_at").bind(programKey).all<{ k: string }>();
  return results.map((row) => row.k);
}
