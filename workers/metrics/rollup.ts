// Per-minute rollups of finished requests (docs/metrics.md). Pure: records in, mergeable plain-data
// aggregates out. An isolate aggregates its requests per minute in memory (buffer.ts), flushes the
// partial aggregates to the MetricsRollup Durable Object in batches, and the DO merges every
// isolate's partials into one aggregate per minute. Merging is exact (counts add, sketches merge),
// so the order and grouping of flushes never changes the result.
import { addToSketch, cloneSketch, emptySketch, mergeSketch, sketchQuantiles, type SketchData } from "./sketch";

export const MINUTE_MS = 60_000;

export const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

/**
 * How the result cache answered (the `X-Cache` response header): a hit in L1 (colo: isolate memory
 * or Cache API), L2 (KV) or L3 (D1), a miss, a bypass. Requests without `X-Cache` (everything but
 * executions) have no cache outcome.
 */
export const CACHE_OUTCOMES = ["L1", "L2", "L3", "miss", "bypass"] as const;
export type CacheOutcome = (typeof CACHE_OUTCOMES)[number];

/**
 * Upper bounds (ms) of the fixed latency buckets kept next to the sketch for the Prometheus
 * histogram; the last bucket (+Inf) is implicit.
 */
export const LATENCY_BUCKETS_MS: readonly number[] = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000];

/**
 * Dimensions kept per minute, each bounded: once a dimension has this many values, further values
 * are counted under OTHER_KEY. Tenants are deliberately not a rollup dimension (unbounded); they
 * are in the Analytics Engine data points.
 */
export const DIMENSION_LIMITS = { route: 128, region: 64, runtime: 32 } as const;
export type Dimension = keyof typeof DIMENSION_LIMITS;
export const OTHER_KEY = "other";

/** One finished request, as the request-context middleware saw it. */
export interface RequestRecord {
  /** When it finished (epoch ms). */
  at: number;
  /** Route template with the method, e.g. "POST /v1/executions"; "unmatched" for 404s without a route. */
  route: string;
  status: number;
  latencyMs: number;
  tenant: string | null;
  /** X-Edgebox-Region of the response (executions only). */
  region: string | null;
  backend: string | null;
  /** Language that ran (executions only), e.g. "javascript". */
  runtime: string | null;
  runtimeVersion: string | null;
  cache: CacheOutcome | null;
  /** How the program ended ("ok", "runtime_error", …, "internal_error"); null when nothing ran. */
  executionStatus: string | null;
  /** True when a program ran for this request (not answered from the cache). */
  ranProgram: boolean;
  /** CPU time and peak memory of the program that ran (0 when none ran). */
  cpuMs: number;
  memoryBytes: number;
  requestBytes: number;
  /** Content-Length of the response when it is known, else 0. */
  responseBytes: number;
  /** Backends tried (1 unless a retry was needed); 0 when nothing ran. */
  attempts: number;
  /** Cloudflare colo that served it (request.cf.colo), when known. */
  colo: string | null;
}

/**
 * An error, for error rates and alerting, is a failure that is not the caller's program's or the
 * caller's request's doing:
 * - any 5xx answer (internal errors, 502 bad backend answers, 503 nothing can run it), and
 * - an execution that ended `internal_error`: the sandbox or backend failed, whatever the program.
 * A program that throws, fails to compile or exceeds its limits is a 200 with its status and is
 * not an error; neither are 4xx answers (invalid input, auth, 429 shedding of batch work).
 */
export function isError(record: Pick<RequestRecord, "status" | "executionStatus">): boolean {
  return record.status >= 500 || record.executionStatus === "internal_error";
}

export function statusClass(status: number): StatusClass {
  if (status >= 500) return "5xx";
  if (status >= 400) return "4xx";
  if (status >= 300) return "3xx";
  if (status >= 200) return "2xx";
  return "1xx";
}

/** Additive counters of a set of requests. */
export interface Counters {
  requests: number;
  errors: number;
  status: Record<StatusClass, number>;
  latencyMsSum: number;
  /** Requests per LATENCY_BUCKETS_MS bucket (not cumulative); one more entry for +Inf. */
  latencyBuckets: number[];
  /** Requests for which a program ran (cache hits did not run one). */
  executions: number;
  cpuMsSum: number;
  memoryBytesSum: number;
  memoryBytesMax: number;
  requestBytes: number;
  responseBytes: number;
  cache: Record<CacheOutcome, number>;
}

export function emptyCounters(): Counters {
  return {
    requests: 0,
    errors: 0,
    status: { "1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 },
    latencyMsSum: 0,
    latencyBuckets: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0),
    executions: 0,
    cpuMsSum: 0,
    memoryBytesSum: 0,
    memoryBytesMax: 0,
    requestBytes: 0,
    responseBytes: 0,
    cache: { L1: 0, L2: 0, L3: 0, miss: 0, bypass: 0 },
  };
}

/** The fixed bucket a latency falls into (index LATENCY_BUCKETS_MS.length is +Inf). */
export function latencyBucket(latencyMs: number): number {
  for (let i = 0; i < LATENCY_BUCKETS_MS.length; i++) if (latencyMs <= LATENCY_BUCKETS_MS[i]) return i;
  return LATENCY_BUCKETS_MS.length;
}

function nonNegative(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

export function addRecordToCounters(counters: Counters, record: RequestRecord): void {
  const latency = nonNegative(record.latencyMs);
  counters.requests += 1;
  if (isError(record)) counters.errors += 1;
  counters.status[statusClass(record.status)] += 1;
  counters.latencyMsSum += latency;
  counters.latencyBuckets[latencyBucket(latency)] += 1;
  if (record.ranProgram) {
    counters.executions += 1;
    counters.cpuMsSum += nonNegative(record.cpuMs);
    counters.memoryBytesSum += nonNegative(record.memoryBytes);
    counters.memoryBytesMax = Math.max(counters.memoryBytesMax, nonNegative(record.memoryBytes));
  }
  counters.requestBytes += nonNegative(record.requestBytes);
  counters.responseBytes += nonNegative(record.responseBytes);
  if (record.cache) counters.cache[record.cache] += 1;
}

export function mergeCounters(into: Counters, from: Counters): void {
  into.requests += from.requests;
  into.errors += from.errors;
  for (const c of STATUS_CLASSES) into.status[c] += from.status[c] ?? 0;
  into.latencyMsSum += from.latencyMsSum;
  for (let i = 0; i < into.latencyBuckets.length; i++) into.latencyBuckets[i] += from.latencyBuckets[i] ?? 0;
  into.executions += from.executions;
  into.cpuMsSum += from.cpuMsSum;
  into.memoryBytesSum += from.memoryBytesSum;
  into.memoryBytesMax = Math.max(into.memoryBytesMax, from.memoryBytesMax);
  into.requestBytes += from.requestBytes;
  into.responseBytes += from.responseBytes;
  for (const level of CACHE_OUTCOMES) into.cache[level] += from.cache[level] ?? 0;
}

export function cloneCounters(counters: Counters): Counters {
  const copy = emptyCounters();
  mergeCounters(copy, counters);
  return copy;
}

/** Counters overall and per bounded dimension. */
export interface Aggregate {
  total: Counters;
  dims: Record<Dimension, Record<string, Counters>>;
}

/** One minute of requests: the unit isolates flush and the Durable Object stores. */
export interface MinuteAggregate extends Aggregate {
  /** Start of the UTC minute (epoch ms). */
  minute: number;
  /** Latency of every request of the minute. */
  latency: SketchData;
}

/** Everything since the store began (never pruned): what Prometheus counters are read from. */
export interface TotalsAggregate extends Aggregate {
  /** When the first request was counted (epoch ms); null before any. */
  since: number | null;
}

export function minuteOf(ms: number): number {
  return ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}

function emptyDims(): Aggregate["dims"] {
  return { route: {}, region: {}, runtime: {} };
}

export function emptyMinute(minute: number): MinuteAggregate {
  return { minute, total: emptyCounters(), latency: emptySketch(), dims: emptyDims() };
}

export function emptyTotals(): TotalsAggregate {
  return { since: null, total: emptyCounters(), dims: emptyDims() };
}

/** The counters of a dimension value, creating them within the dimension's bound (else OTHER_KEY). */
function dimCounters(dims: Aggregate["dims"], dimension: Dimension, key: string): Counters {
  const values = dims[dimension];
  let counters = values[key];
  if (counters) return counters;
  const bounded = Object.keys(values).length >= DIMENSION_LIMITS[dimension] ? OTHER_KEY : key;
  counters = values[bounded] ??= emptyCounters();
  return counters;
}

/** Adds one request to a minute (or totals) aggregate. */
export function addRecord(aggregate: Aggregate & { latency?: SketchData }, record: RequestRecord): void {
  addRecordToCounters(aggregate.total, record);
  if (aggregate.latency) addToSketch(aggregate.latency, record.latencyMs);
  addRecordToCounters(dimCounters(aggregate.dims, "route", record.route), record);
  if (record.region !== null) addRecordToCounters(dimCounters(aggregate.dims, "region", record.region), record);
  if (record.runtime !== null) addRecordToCounters(dimCounters(aggregate.dims, "runtime", record.runtime), record);
}

/** Adds `from` into `into` (mutates `into`); dimension bounds are kept. */
export function mergeAggregate(into: Aggregate & { latency?: SketchData }, from: Aggregate & { latency?: SketchData }): void {
  mergeCounters(into.total, from.total);
  if (into.latency && from.latency) mergeSketch(into.latency, from.latency);
  for (const dimension of Object.keys(DIMENSION_LIMITS) as Dimension[]) {
    for (const [key, counters] of Object.entries(from.dims[dimension] ?? {})) {
      mergeCounters(dimCounters(into.dims, dimension, key), counters);
    }
  }
}

export function cloneMinute(aggregate: MinuteAggregate): MinuteAggregate {
  const copy = emptyMinute(aggregate.minute);
  mergeAggregate(copy, aggregate);
  return copy;
}

/** Merges every aggregate into one per minute (partials from many isolates, in any order). */
export function mergeMinutes(aggregates: Iterable<MinuteAggregate>): MinuteAggregate[] {
  const byMinute = new Map<number, MinuteAggregate>();
  for (const aggregate of aggregates) {
    const known = byMinute.get(aggregate.minute);
    if (known) mergeAggregate(known, aggregate);
    else byMinute.set(aggregate.minute, cloneMinute(aggregate));
  }
  return [...byMinute.values()].sort((a, b) => a.minute - b.minute);
}

/**
 * One minute of the service, all dimensions merged, plus per-region request and error counts:
 * what `readRollups` answers and what capacity forecasting and alerting read (docs/metrics.md).
 */
export interface MinuteRollup {
  /** Start of the UTC minute (epoch ms). */
  minute: number;
  requests: number;
  /** See isError: 5xx answers and executions that ended `internal_error`. */
  errors: number;
  /** errors / requests; 0 for a minute without requests. */
  errorRate: number;
  /** Requests per HTTP status class. */
  status: Record<StatusClass, number>;
  latencyMs: {
    sum: number;
    max: number;
    /** Sketch quantiles (within 1% of the exact sample quantile); null without requests. */
    p50: number | null;
    p95: number | null;
    p99: number | null;
    /** The minute's sketch: merge several minutes' sketches (sketch.ts) for quantiles over a window. */
    sketch: SketchData;
  };
  /** Programs run (requests answered from the cache ran none). */
  executions: number;
  /** Sum of program CPU time over those executions. */
  cpuMs: number;
  memoryBytes: { sum: number; max: number };
  bytes: { request: number; response: number };
  /** Requests per cache outcome (executions only). */
  cache: Record<CacheOutcome, number>;
  /** Requests per region (X-Edgebox-Region), for executions. */
  regionRequests: Record<string, number>;
  regionErrors: Record<string, number>;
}

export function toMinuteRollup(aggregate: MinuteAggregate): MinuteRollup {
  const total = aggregate.total;
  const [p50, p95, p99] = sketchQuantiles(aggregate.latency, [0.5, 0.95, 0.99]);
  const regionRequests: Record<string, number> = {};
  const regionErrors: Record<string, number> = {};
  for (const [region, counters] of Object.entries(aggregate.dims.region)) {
    regionRequests[region] = counters.requests;
    regionErrors[region] = counters.errors;
  }
  return {
    minute: aggregate.minute,
    requests: total.requests,
    errors: total.errors,
    errorRate: total.requests > 0 ? total.errors / total.requests : 0,
    status: { ...total.status },
    latencyMs: { sum: total.latencyMsSum, max: aggregate.latency.max, p50, p95, p99, sketch: cloneSketch(aggregate.latency) },
    executions: total.executions,
    cpuMs: total.cpuMsSum,
    memoryBytes: { sum: total.memoryBytesSum, max: total.memoryBytesMax },
    bytes: { request: total.requestBytes, response: total.responseBytes },
    cache: { ...total.cache },
    regionRequests,
    regionErrors,
  };
}

/**
 * Rollups of every minute in [from, to): minutes are dense (a minute without requests is all
 * zeros) and ascending. `aggregates` may be sparse and unordered, one per minute.
 */
export function denseRollups(aggregates: Iterable<MinuteAggregate>, from: number, to: number): MinuteRollup[] {
  const byMinute = new Map<number, MinuteAggregate>();
  for (const aggregate of aggregates) byMinute.set(aggregate.minute, aggregate);
  const out: MinuteRollup[] = [];
  for (let minute = minuteOf(from); minute < to; minute += MINUTE_MS) {
    out.push(toMinuteRollup(byMinute.get(minute) ?? emptyMinute(minute)));
  }
  return out;
}

/** Cache hits (L1 + L2 + L3) and lookups (hits + misses; bypasses did not look the cache up). */
export function cacheHitsAndLookups(cache: Record<CacheOutcome, number>): { hits: number; lookups: number } {
  const hits = cache.L1 + cache.L2 + cache.L3;
  return { hits, lookups: hits + cache.miss };
}
