// Cache statistics: counted in isolate memory, flushed to D1 in batches (stats-store.ts), summed
// for GET /v1/cache/stats. Pure.
import { CACHE_LEVELS, type CacheLevel } from "./policy";

/**
 * Flush at most this often per isolate: D1 sees one batch per isolate per interval instead of a
 * write per request. An isolate that is evicted loses at most this much counting.
 */
export const STATS_FLUSH_INTERVAL_MS = 10_000;
/** Flush sooner when this many programs have pending counts, to keep batches (and memory) small. */
export const STATS_FLUSH_MAX_PROGRAMS = 200;
/** Hard bound on pending programs when flushes keep failing; new programs are then not counted. */
export const STATS_MAX_PENDING_PROGRAMS = 5_000;
/** Hit counts for warming are kept per window of this length, plus the window before it. */
export const HOT_WINDOW_MS = 60 * 60 * 1000;

export type Metric =
  | "lookup"
  | `hit:${CacheLevel}`
  /** The L1 hits answered from isolate memory (a subset of hit:l1). */
  | "hit:l1-memory"
  | "miss"
  | "coalesced"
  | "stale"
  | `bypass:${string}`
  | `error:${CacheLevel}`
  | `write:${CacheLevel}`
  | "bytes:served";

export interface ProgramDemand {
  namespace: string;
  programKey: string;
  hits: number;
  lastHitAt: number;
}

export interface StatsBatch {
  /** [tenant id, UTC day, metric, count]. */
  counters: Array<[string, string, string, number]>;
  demand: ProgramDemand[];
}

const DAY_MS = 86_400_000;
let lastDay = { start: 0, label: "1970-01-01" };

/** The UTC day (YYYY-MM-DD) of a time; remembered, since every counted request asks. */
export function utcDay(ms: number): string {
  if (ms < lastDay.start || ms >= lastDay.start + DAY_MS) {
    const start = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
    lastDay = { start, label: new Date(start).toISOString().slice(0, 10) };
  }
  return lastDay.label;
}

export function windowStart(ms: number): number {
  return ms - (ms % HOT_WINDOW_MS);
}

/** Counts waiting for the next flush. */
export class StatsBuffer {
  private counters = new Map<string, [string, string, string, number]>();
  private demand = new Map<string, ProgramDemand>();
  private lastFlushAt: number;
  private flushing = false;

  constructor(now: number) {
    this.lastFlushAt = now;
  }

  add(tenantId: string, metric: Metric, now: number, amount = 1): void {
    const day = utcDay(now);
    const key = `${tenantId}\n${day}\n${metric}`;
    const counter = this.counters.get(key);
    if (counter) counter[3] += amount;
    else this.counters.set(key, [tenantId, day, metric, amount]);
  }

  /** One request for a cacheable program: what makes it "hot" for the warming cron. */
  addDemand(namespace: string, programKey: string, now: number, hits = 1): void {
    const key = `${namespace}\n${programKey}`;
    const pending = this.demand.get(key);
    if (pending) {
      pending.hits += hits;
      pending.lastHitAt = Math.max(pending.lastHitAt, now);
    } else if (this.demand.size < STATS_MAX_PENDING_PROGRAMS) {
      this.demand.set(key, { namespace, programKey, hits, lastHitAt: now });
    }
  }

  get pendingPrograms(): number {
    return this.demand.size;
  }

  /** True when a flush is due and none is running. */
  shouldFlush(now: number): boolean {
    if (this.flushing || (this.counters.size === 0 && this.demand.size === 0)) return false;
    return now - this.lastFlushAt >= STATS_FLUSH_INTERVAL_MS || this.demand.size >= STATS_FLUSH_MAX_PROGRAMS;
  }

  /** Takes everything pending; call `settle` when the write is done. */
  drain(now: number): StatsBatch {
    this.flushing = true;
    this.lastFlushAt = now;
    const batch = { counters: [...this.counters.values()], demand: [...this.demand.values()] };
    this.counters = new Map();
    this.demand = new Map();
    return batch;
  }

  /** After a flush: on failure the counts go back (within the bound) for the next one. */
  settle(batch: StatsBatch, ok: boolean): void {
    this.flushing = false;
    if (ok) return;
    for (const [tenantId, day, metric, count] of batch.counters) {
      const key = `${tenantId}\n${day}\n${metric}`;
      const counter = this.counters.get(key);
      if (counter) counter[3] += count;
      else this.counters.set(key, [tenantId, day, metric, count]);
    }
    for (const d of batch.demand) this.addDemand(d.namespace, d.programKey, d.lastHitAt, d.hits);
  }
}

// ---- summaries

export interface CacheStatsSummary {
  lookups: number;
  hits: { total: number; l1FromMemory: number } & Record<CacheLevel, number>;
  /** Lookups that went past each level. */
  misses: Record<CacheLevel, number>;
  /** Hits / lookups, 0 when there were no lookups. */
  hitRatio: number;
  /** Share of lookups answered by each level. */
  levelRatio: Record<CacheLevel, number>;
  /** Served while stale (stale-while-revalidate). */
  stale: number;
  /** Waited for a concurrent identical execution instead of running it again. */
  coalesced: number;
  bypass: Record<string, number>;
  errors: Record<CacheLevel, number>;
  writes: Record<CacheLevel, number>;
  bytesServed: number;
}

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : 0);

/** Folds metric counts (as stored) into the numbers GET /v1/cache/stats reports. */
export function summarizeStats(metrics: ReadonlyMap<string, number> | Record<string, number>): CacheStatsSummary {
  const totals = new Map<string, number>();
  for (const [metric, count] of metrics instanceof Map ? metrics : Object.entries(metrics)) {
    totals.set(metric, (totals.get(metric) ?? 0) + count);
  }
  const get = (name: string) => totals.get(name) ?? 0;
  const perLevel = (prefix: string) =>
    Object.fromEntries(CACHE_LEVELS.map((level) => [level, get(`${prefix}:${level}`)])) as Record<CacheLevel, number>;
  const lookups = get("lookup");
  const hits = perLevel("hit");
  const totalHits = hits.l1 + hits.l2 + hits.l3;
  const bypass: Record<string, number> = {};
  for (const [metric, count] of totals) {
    if (metric.startsWith("bypass:")) bypass[metric.slice("bypass:".length)] = count;
  }
  const pastL1 = Math.max(0, lookups - hits.l1);
  const pastL2 = Math.max(0, pastL1 - hits.l2);
  return {
    lookups,
    hits: { total: totalHits, ...hits, l1FromMemory: get("hit:l1-memory") },
    misses: { l1: pastL1, l2: pastL2, l3: Math.max(0, pastL2 - hits.l3) },
    hitRatio: ratio(totalHits, lookups),
    levelRatio: { l1: ratio(hits.l1, lookups), l2: ratio(hits.l2, lookups), l3: ratio(hits.l3, lookups) },
    stale: get("stale"),
    coalesced: get("coalesced"),
    bypass,
    errors: perLevel("error"),
    writes: perLevel("write"),
    bytesServed: get("bytes:served"),
  };
}
