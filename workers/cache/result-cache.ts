import type { ExecutionResult } from "../sandbox/types";
import { lookupKey, programKey, type CacheableRequest } from "./cache-key";
import type { CacheConfig } from "./config";
import { serializeEntry, utf8Bytes, type CacheEntry, type StoredRequest } from "./entry";
import { GenerationCache, type CacheView } from "./generation-cache";
import { D1GenerationStore, type BumpedTag, type GenerationStore } from "./generation-store";
import type { CacheApiLevel } from "./levels/l1-cache-api";
import { MemoryTier } from "./levels/l1-memory";
import type { KvLevel } from "./levels/l2-kv";
import type { D1Level } from "./levels/l3-d1";
import {
  CACHE_LEVELS,
  entryExpiresAt,
  fitsLevel,
  freshness,
  HIT_STATUS,
  kvWriteAllowed,
  levelTtlSeconds,
  resultBypassReason,
  type Backend,
  type BypassReason,
  type CacheLevel,
  type CacheStatus,
} from "./policy";
import { SingleFlight } from "./single-flight";
import { StatsBuffer } from "./stats";
import { writeStatsBatch } from "./stats-store";
import { dependencyTags, qualifiedTag, visibleTags, type ScopedTag } from "./tags";
import type { LogFields, LogLevel } from "../observability/logger";

/**
 * A follower of an identical in-flight execution waits at most this long before running the
 * program itself: longer than any execution may take (the wall-time maximum is 15 s).
 */
const FOLLOWER_TIMEOUT_MS = 20_000;
/** KV write times an isolate remembers (for the one-write-per-key-per-interval rule). */
const MAX_REMEMBERED_KV_WRITES = 10_000;

/** Everything the cache keeps in isolate memory. One per isolate; tests make more to act as other isolates. */
export interface CacheMemory {
  generations: GenerationCache;
  /** The front of L1: hot entries in isolate memory. */
  l1Memory: MemoryTier;
  flights: SingleFlight<LookupOutcome>;
  revalidating: Set<string>;
  stats: StatsBuffer;
  kvWrites: Map<string, number>;
}

export function createCacheMemory(now: number = Date.now(), stalenessMs?: number): CacheMemory {
  return {
    generations: new GenerationCache(stalenessMs),
    l1Memory: new MemoryTier(),
    flights: new SingleFlight<LookupOutcome>(),
    revalidating: new Set(),
    stats: new StatsBuffer(now),
    kvWrites: new Map(),
  };
}

/** A fresh entry for a result just produced. */
export function newCacheEntry(
  identity: { lookupKey: string; programKey: string; namespace: string; tags: string[] },
  result: ExecutionResult,
  createdAt: number,
  config: CacheConfig,
): CacheEntry {
  const { lookupKey: key, programKey: program, namespace, tags } = identity;
  return { v: 1, lookupKey: key, programKey: program, namespace, tags, createdAt, expiresAt: entryExpiresAt(createdAt, config), result };
}

export interface CacheLevels {
  /** L1 is this colo: isolate memory first (`memory`), then the colo's Cache API. */
  memory: MemoryTier | null;
  l1: CacheApiLevel | null;
  l2: KvLevel | null;
  l3: D1Level;
}

export interface CacheRunRequest {
  tenantId: string;
  program: Omit<CacheableRequest, "namespace">;
  userTags: readonly string[];
  /** "bypass": neither read nor write the cache. */
  mode: "default" | "bypass";
  backend?: Backend;
}

/** What the response says about the cache: `X-Cache` and the native body's `cache`. */
export interface CacheReport {
  status: CacheStatus;
  /** Why it was bypassed, or "coalesced" for a miss that waited for an identical execution. */
  reason?: BypassReason | "coalesced";
  /** The program key (what POST /v1/cache/invalidate takes as `keys`). */
  key?: string;
  /** Served past its expiry within the tenant's stale-while-revalidate window. */
  stale?: true;
  /** Served past its expiry because running the program failed for lack of capacity (stale-if-error). */
  staleIfError?: true;
  /** For a hit: when the answer was produced (ms), so clients can tell its age. */
  storedAt?: number;
  /** The key the entry is stored under (program key + generations); internal, not in responses. */
  lookupKey?: string;
}

/**
 * Failures that mean "no capacity right now" (HTTP 429/502/503 from the router), as opposed to bugs
 * or bad requests: only these are answered from an expired entry.
 */
function isCapacityError(error: unknown): boolean {
  const status = typeof error === "object" && error !== null ? (error as { status?: unknown }).status : undefined;
  return status === 429 || status === 502 || status === 503;
}

export interface CachedRun {
  result: ExecutionResult;
  cache: CacheReport;
}

type LookupOutcome =
  | { kind: "hit"; level: CacheLevel; fromMemory: boolean; entry: CacheEntry; stale: boolean; bytes: number; staleIfError?: true }
  | { kind: "executed"; result: ExecutionResult; bypass: BypassReason | null };

export interface WriteOptions {
  /** Levels not to write (e.g. the level a hit came from, and those below it). */
  skip?: ReadonlySet<CacheLevel>;
  /** Written by the warming cron rather than on a request's behalf. */
  scheduled?: boolean;
}

export interface ResultCacheOptions {
  memory: CacheMemory;
  levels: CacheLevels;
  /** D1 for generations and stats. */
  db: D1Database;
  config: CacheConfig;
  waitUntil: (promise: Promise<unknown>) => void;
  now?: () => number;
  store?: GenerationStore;
  log?: (level: LogLevel, message: string, fields?: LogFields) => void;
}

interface Lookup {
  tenantId: string;
  namespace: string;
  swrMs: number;
  programKey: string;
  lookupKey: string;
  tags: string[];
  stored: StoredRequest;
  backend: Backend;
  execute: () => Promise<ExecutionResult>;
}

/**
 * The read path (L1 → L2 → L3 → execute), fills, promotion, stale-while-revalidate, single-flight
 * and counting. Made per request around the isolate's CacheMemory; the policy it applies is in
 * policy.ts. No cache failure ever fails a request: a broken level is skipped, unreadable
 * generations mean running without the cache.
 */
export class ResultCache {
  private readonly memory: CacheMemory;
  private readonly levels: CacheLevels;
  private readonly config: CacheConfig;
  private readonly store: GenerationStore;
  private readonly now: () => number;
  private readonly waitUntil: (promise: Promise<unknown>) => void;
  private readonly log: NonNullable<ResultCacheOptions["log"]>;

  constructor(private readonly options: ResultCacheOptions) {
    this.memory = options.memory;
    this.levels = options.levels;
    this.config = options.config;
    this.store = options.store ?? new D1GenerationStore(options.db);
    this.now = options.now ?? Date.now;
    this.waitUntil = options.waitUntil;
    this.log = options.log ?? (() => undefined);
  }

  async run(request: CacheRunRequest, execute: () => Promise<ExecutionResult>): Promise<CachedRun> {
    try {
      return await this.runCached(request, execute);
    } finally {
      this.maybeFlushStats();
    }
  }

  /** Bumps generations (POST /v1/cache/invalidate); this isolate sees the change at once. */
  invalidate(targets: readonly ScopedTag[]): Promise<BumpedTag[]> {
    return this.memory.generations.bump(this.store, targets, this.now());
  }

  /** A tenant's namespace, SWR and generations as this isolate sees them. */
  viewOf(tenantId: string): Promise<CacheView> {
    return this.memory.generations.view(this.store, tenantId, this.now(), this.waitUntil);
  }

  /** After a tenant's settings changed here: read them again on its next lookup. */
  forgetTenant(tenantId: string): void {
    this.memory.generations.forgetTenant(tenantId);
  }

  /** Writes pending counts now (the cron, before it ranks programs by them). */
  async flushStats(): Promise<void> {
    const stats = this.memory.stats;
    const now = this.now();
    const batch = stats.drain(now);
    try {
      await writeStatsBatch(this.options.db, batch, now);
      stats.settle(batch, true);
    } catch (error) {
      stats.settle(batch, false);
      this.log("warn", "cache stats flush failed", { error: String(error) });
    }
  }

  /**
   * Writes an entry to every level it fits and that is not in `skip` (fills, promotions, and the
   * warming cron's re-executions). Failures are counted and logged, never thrown.
   */
  async writeLevels(entry: CacheEntry, stored: StoredRequest, swrMs: number, tenantId: string, options: WriteOptions = {}): Promise<void> {
    const skip = options.skip ?? new Set<CacheLevel>();
    const serialized = serializeEntry(entry);
    const resultJson = JSON.stringify(entry.result);
    const requestJson = JSON.stringify(stored);
    const sizes = {
      entryBytes: utf8Bytes(serialized),
      l3RowBytes: utf8Bytes(resultJson) + utf8Bytes(requestJson) + utf8Bytes(JSON.stringify(entry.tags)) + 512,
    };
    const now = this.now();
    const writes: Array<[CacheLevel, () => Promise<void>]> = [];
    const { l1, l2, l3 } = this.levels;
    const l1Ttl = levelTtlSeconds("l1", this.config, entry.expiresAt, swrMs, now);
    if (this.levels.memory && !skip.has("l1") && l1Ttl !== null) this.levels.memory.put(entry, l1Ttl, now);
    if (l1 && !skip.has("l1") && l1Ttl !== null && fitsLevel("l1", sizes)) {
      writes.push(["l1", () => l1.put(entry.lookupKey, serialized, l1Ttl)]);
    }
    const l2Ttl = levelTtlSeconds("l2", this.config, entry.expiresAt, swrMs, now);
    if (l2 && !skip.has("l2") && l2Ttl !== null && fitsLevel("l2", sizes) && this.claimKvWrite(entry.lookupKey, now, options.scheduled)) {
      writes.push(["l2", () => l2.put(entry.lookupKey, serialized, l2Ttl, now)]);
    }
    if (!skip.has("l3") && fitsLevel("l3", sizes)) {
      writes.push(["l3", () => l3.put(entry, resultJson, requestJson, sizes.l3RowBytes)]);
    }
    await Promise.all(
      writes.map(async ([level, write]) => {
        try {
          await write();
          this.memory.stats.add(tenantId, `write:${level}`, now);
        } catch (error) {
          this.levelFailed(level, error, now, tenantId);
        }
      }),
    );
  }

  // ---- the read path

  private async runCached(request: CacheRunRequest, execute: () => Promise<ExecutionResult>): Promise<CachedRun> {
    const now = this.now();
    const { tenantId } = request;
    if (request.mode === "bypass") return this.bypass(tenantId, "request", await execute());

    let lookup: Lookup;
    try {
      lookup = await this.prepare(request, execute, now);
    } catch (error) {
      // Without trustworthy generations no key is safe to read or write: run without the cache.
      this.log("warn", "cache unavailable: generations could not be read", { error: String(error) });
      return this.bypass(tenantId, "cache_unavailable", await execute());
    }
    this.memory.stats.add(tenantId, "lookup", now);

    // A hot entry in isolate memory needs no flight: answered without a promise or a subrequest.
    const held = this.fromMemory(lookup, now);
    if (held) return this.report(lookup, held, false, now);

    const flight = await this.memory.flights.run(lookup.lookupKey, () => this.lookUpOrExecute(lookup), {
      waitUntil: this.waitUntil,
      followerTimeoutMs: FOLLOWER_TIMEOUT_MS,
    });
    let outcome = flight.value;
    let shared = flight.shared;
    if (shared && outcome.kind === "executed" && outcome.bypass !== null) {
      // The leader's result is not cacheable (e.g. it read the clock): a follower runs its own.
      outcome = await this.executeAndFill(lookup);
      shared = false;
    }
    return this.report(lookup, outcome, shared, now);
  }

  private report(lookup: Lookup, outcome: LookupOutcome, shared: boolean, now: number): CachedRun {
    const { tenantId, programKey: key, lookupKey: stored } = lookup;
    const stats = this.memory.stats;
    if (outcome.kind === "hit") {
      stats.add(tenantId, `hit:${outcome.level}`, now);
      if (outcome.fromMemory) stats.add(tenantId, "hit:l1-memory", now);
      stats.add(tenantId, "bytes:served", now, outcome.bytes);
      if (outcome.stale) stats.add(tenantId, "stale", now);
      stats.addDemand(lookup.namespace, key, now);
      const stale = outcome.stale ? { stale: true as const } : {};
      const staleIfError = outcome.staleIfError ? { staleIfError: true as const } : {};
      return {
        result: outcome.entry.result,
        cache: { status: HIT_STATUS[outcome.level], key, lookupKey: stored, storedAt: outcome.entry.createdAt, ...stale, ...staleIfError },
      };
    }
    if (outcome.bypass !== null) {
      stats.add(tenantId, "miss", now);
      stats.add(tenantId, `bypass:${outcome.bypass}`, now);
      return { result: outcome.result, cache: { status: "BYPASS", reason: outcome.bypass, key, lookupKey: stored } };
    }
    stats.addDemand(lookup.namespace, key, now);
    if (shared) {
      stats.add(tenantId, "coalesced", now);
      return { result: outcome.result, cache: { status: "MISS", reason: "coalesced", key, lookupKey: stored } };
    }
    stats.add(tenantId, "miss", now);
    return { result: outcome.result, cache: { status: "MISS", key, lookupKey: stored } };
  }

  private async prepare(request: CacheRunRequest, execute: () => Promise<ExecutionResult>, now: number): Promise<Lookup> {
    const view = await this.memory.generations.view(this.store, request.tenantId, now, this.waitUntil);
    const canonical: CacheableRequest = { ...request.program, namespace: view.namespace };
    const pk = await programKey(canonical);
    const tags = dependencyTags(view.namespace, request.program, pk, request.userTags);
    const lk = await lookupKey(pk, tags.map((tag) => [qualifiedTag(tag), view.generation(tag)] as const));
    return {
      tenantId: request.tenantId,
      namespace: view.namespace,
      swrMs: view.swrMs,
      programKey: pk,
      lookupKey: lk,
      tags: visibleTags(tags),
      stored: { ...canonical, userTags: [...request.userTags] },
      backend: request.backend ?? { kind: "builtin" },
      execute,
    };
  }

  private async lookUpOrExecute(lookup: Lookup): Promise<LookupOutcome> {
    const now = this.now();
    const held = this.fromMemory(lookup, now);
    if (held) return held;
    const reads: Array<[CacheLevel, (() => Promise<CacheEntry | null>) | null]> = [
      ["l1", this.levels.l1 ? () => this.levels.l1!.get(lookup.lookupKey) : null],
      ["l2", this.levels.l2 ? () => this.levels.l2!.get(lookup.lookupKey) : null],
      ["l3", () => this.levels.l3.get(lookup.lookupKey)],
    ];
    // The first expired copy found: served only if running the program fails (stale-if-error).
    let expired: { level: CacheLevel; entry: CacheEntry } | null = null;
    for (const [level, read] of reads) {
      if (!read) continue;
      let entry: CacheEntry | null;
      try {
        entry = await read();
      } catch (error) {
        this.levelFailed(level, error, now, lookup.tenantId);
        continue;
      }
      if (!entry) continue;
      const hit = this.hit(lookup, level, entry, now, false);
      if (!hit) {
        expired ??= { level, entry };
        continue;
      }
      // Promote into the levels above this one (for an L1 hit: into isolate memory).
      if (level === "l1") {
        const ttl = levelTtlSeconds("l1", this.config, entry.expiresAt, lookup.swrMs, now);
        if (ttl !== null) this.levels.memory?.put(entry, ttl, now);
      } else {
        const skip = new Set(CACHE_LEVELS.slice(CACHE_LEVELS.indexOf(level)));
        this.waitUntil(this.writeLevels(entry, lookup.stored, lookup.swrMs, lookup.tenantId, { skip }));
      }
      return hit;
    }
    return this.executeAndFill(lookup, expired);
  }

  private fromMemory(lookup: Lookup, now: number): LookupOutcome | null {
    const held = this.levels.memory?.get(lookup.lookupKey, now);
    return held ? this.hit(lookup, "l1", held, now, true) : null;
  }

  /** A usable entry as a hit (scheduling its revalidation if stale); null when it has expired. */
  private hit(lookup: Lookup, level: CacheLevel, entry: CacheEntry, now: number, fromMemory: boolean): LookupOutcome | null {
    const state = freshness(entry.expiresAt, now, lookup.swrMs);
    // An expired copy here may sit above a newer one (a revalidation rewrote the lower levels).
    if (state === "expired") return null;
    if (state === "stale") this.revalidate(lookup);
    const bytes = utf8Bytes(entry.result.stdout) + utf8Bytes(entry.result.stderr);
    return { kind: "hit", level, fromMemory, entry, stale: state === "stale", bytes };
  }

  private async executeAndFill(lookup: Lookup, expired: { level: CacheLevel; entry: CacheEntry } | null = null): Promise<LookupOutcome> {
    let result: ExecutionResult;
    try {
      result = await lookup.execute();
    } catch (error) {
      // Stale-if-error (RFC 5861): with no capacity to run it, an expired answer beats an error.
      if (!expired || !isCapacityError(error)) throw error;
      this.log("warn", "serving an expired result: the program could not be run", { error: String(error) });
      const bytes = utf8Bytes(expired.entry.result.stdout) + utf8Bytes(expired.entry.result.stderr);
      return { kind: "hit", level: expired.level, fromMemory: false, entry: expired.entry, stale: true, bytes, staleIfError: true };
    }
    const bypass = resultBypassReason(result, lookup.backend);
    if (bypass === null) this.waitUntil(this.writeLevels(this.newEntry(lookup, result), lookup.stored, lookup.swrMs, lookup.tenantId));
    return { kind: "executed", result, bypass };
  }

  /** Stale-while-revalidate: run it again in the background, once per isolate at a time. */
  private revalidate(lookup: Lookup): void {
    if (this.memory.revalidating.has(lookup.lookupKey)) return;
    this.memory.revalidating.add(lookup.lookupKey);
    this.waitUntil(
      this.executeAndFill(lookup)
        .catch((error) => this.log("warn", "cache revalidation failed", { error: String(error) }))
        .finally(() => this.memory.revalidating.delete(lookup.lookupKey)),
    );
  }

  private newEntry(lookup: Lookup, result: ExecutionResult): CacheEntry {
    return newCacheEntry(lookup, result, this.now(), this.config);
  }

  private bypass(tenantId: string, reason: BypassReason, result: ExecutionResult): CachedRun {
    this.memory.stats.add(tenantId, `bypass:${reason}`, this.now());
    return { result, cache: { status: "BYPASS", reason } };
  }

  // ---- bookkeeping

  /**
   * One KV write per key per interval per isolate on the request path (policy.kvWriteAllowed);
   * claims the slot. The cron writes anyway: it runs once per schedule interval and writes only keys
   * KV says it lacks or is about to drop.
   */
  private claimKvWrite(key: string, now: number, scheduled = false): boolean {
    const writes = this.memory.kvWrites;
    if (!scheduled && !kvWriteAllowed(writes.get(key), now)) return false;
    writes.delete(key);
    if (writes.size >= MAX_REMEMBERED_KV_WRITES) {
      const oldest = writes.keys().next().value;
      if (oldest !== undefined) writes.delete(oldest);
    }
    writes.set(key, now);
    return true;
  }

  private levelFailed(level: CacheLevel, error: unknown, now: number, tenantId: string): void {
    this.memory.stats.add(tenantId, `error:${level}`, now);
    this.log("warn", "cache level failed", { level, error: String(error) });
  }

  private maybeFlushStats(): void {
    if (this.memory.stats.shouldFlush(this.now())) this.waitUntil(this.flushStats());
  }
}
