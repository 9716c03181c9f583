import { describe, expect, it } from "vitest";
import { dataPoint } from "../../workers/metrics/analytics-engine";
import { MetricsBuffer } from "../../workers/metrics/buffer";
import {
  DIMENSION_LIMITS,
  LATENCY_BUCKETS_MS,
  MINUTE_MS,
  OTHER_KEY,
  addRecord,
  denseRollups,
  emptyMinute,
  emptyTotals,
  isError,
  latencyBucket,
  mergeAggregate,
  mergeMinutes,
  minuteOf,
  toMinuteRollup,
  type MinuteAggregate,
  type RequestRecord,
} from "../../workers/metrics/rollup";
import { sketchQuantile } from "../../workers/metrics/sketch";
import { FLUSH_INTERVAL_MS, FLUSH_MAX_RECORDS, MAX_PENDING_MINUTES } from "../../workers/metrics/store-config";
import { cacheOutcome } from "../../workers/metrics/request-record";
import { seededRandom } from "./random";
import { record } from "./records";

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);

function aggregateOf(records: RequestRecord[]): MinuteAggregate[] {
  const byMinute = new Map<number, MinuteAggregate>();
  for (const r of records) {
    const minute = minuteOf(r.at);
    const aggregate = byMinute.get(minute) ?? emptyMinute(minute);
    byMinute.set(minute, aggregate);
    addRecord(aggregate, r);
  }
  return [...byMinute.values()].sort((a, b) => a.minute - b.minute);
}

function randomRecords(n: number, seed: number): RequestRecord[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  return Array.from({ length: n }, () => {
    const execution = random() < 0.8;
    const cache = execution ? pick(["L1", "L2", "L3", "miss", "bypass"] as const) : null;
    return record({
      at: T0 + Math.floor(random() * 5 * MINUTE_MS),
      route: execution ? pick(["POST /v1/executions", "POST /api/v2/execute"]) : pick(["GET /v1/health", "GET /v1/runtimes", "unmatched"]),
      status: pick([200, 200, 200, 200, 400, 401, 404, 429, 500, 502, 503]),
      latencyMs: Math.floor(-40 * Math.log(1 - random())),
      region: execution ? pick(["eu-west", "us-east", "local"]) : null,
      runtime: execution ? pick(["javascript", "typescript", "python"]) : null,
      cache,
      executionStatus: execution ? pick(["ok", "ok", "runtime_error", "internal_error"]) : null,
      ranProgram: execution && cache !== "L1" && cache !== "L2" && cache !== "L3",
      cpuMs: Math.floor(random() * 50),
      memoryBytes: Math.floor(random() * 1e6),
      requestBytes: Math.floor(random() * 2000),
    });
  });
}

describe("rollup: what a request adds", () => {
  it("errors are 5xx answers and internal_error executions, nothing else", () => {
    expect(isError({ status: 500, executionStatus: null })).toBe(true);
    expect(isError({ status: 503, executionStatus: null })).toBe(true);
    expect(isError({ status: 200, executionStatus: "internal_error" })).toBe(true);
    expect(isError({ status: 200, executionStatus: "runtime_error" })).toBe(false);
    expect(isError({ status: 200, executionStatus: "cpu_time_exceeded" })).toBe(false);
    expect(isError({ status: 429, executionStatus: null })).toBe(false);
    expect(isError({ status: 404, executionStatus: null })).toBe(false);
  });

  it("counts requests, errors, status classes, cache outcomes, CPU and memory of programs that ran", () => {
    const minute = emptyMinute(T0);
    addRecord(minute, record({ status: 200, cache: "miss", cpuMs: 4, memoryBytes: 500, latencyMs: 30 }));
    addRecord(minute, record({ status: 200, cache: "L1", ranProgram: false, cpuMs: 0, memoryBytes: 0, latencyMs: 2 }));
    addRecord(minute, record({ status: 503, cache: null, executionStatus: null, ranProgram: false, cpuMs: 0, memoryBytes: 0, latencyMs: 7, region: null, runtime: null }));
    addRecord(minute, record({ route: "GET /v1/health", status: 200, cache: null, executionStatus: null, ranProgram: false, region: null, runtime: null, latencyMs: 1 }));
    const t = minute.total;
    expect(t.requests).toBe(4);
    expect(t.errors).toBe(1);
    expect(t.status).toEqual({ "1xx": 0, "2xx": 3, "3xx": 0, "4xx": 0, "5xx": 1 });
    expect(t.cache).toEqual({ L1: 1, L2: 0, L3: 0, miss: 1, bypass: 0 });
    expect(t.executions).toBe(1);
    expect(t.cpuMsSum).toBe(4);
    expect(t.memoryBytesSum).toBe(500);
    expect(t.latencyMsSum).toBe(40);
    expect(t.latencyBuckets.reduce((a, b) => a + b, 0)).toBe(4);
    expect(Object.keys(minute.dims.route).sort()).toEqual(["GET /v1/health", "POST /v1/executions"]);
    expect(minute.dims.region["eu-west"].requests).toBe(2);
    expect(minute.dims.runtime.javascript.requests).toBe(2);
    expect(minute.latency.count).toBe(4);
  });

  it("latency buckets are upper-inclusive with a +Inf bucket", () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(5)).toBe(0);
    expect(latencyBucket(5.01)).toBe(1);
    expect(latencyBucket(30_000)).toBe(LATENCY_BUCKETS_MS.length - 1);
    expect(latencyBucket(30_001)).toBe(LATENCY_BUCKETS_MS.length);
  });

  it("keeps every dimension bounded: values past the limit are counted as 'other'", () => {
    const minute = emptyMinute(T0);
    const n = DIMENSION_LIMITS.region + 40;
    for (let i = 0; i < n; i++) addRecord(minute, record({ region: `r${i}` }));
    expect(Object.keys(minute.dims.region).length).toBe(DIMENSION_LIMITS.region + 1);
    expect(minute.dims.region[OTHER_KEY].requests).toBe(40);
    const total = Object.values(minute.dims.region).reduce((sum, c) => sum + c.requests, 0);
    expect(total).toBe(n);
    // Merging keeps the bound too.
    const other = emptyMinute(T0);
    for (let i = 0; i < 10; i++) addRecord(other, record({ region: `new-${i}` }));
    mergeAggregate(minute, other);
    expect(Object.keys(minute.dims.region).length).toBe(DIMENSION_LIMITS.region + 1);
    expect(minute.dims.region[OTHER_KEY].requests).toBe(50);
  });

  it("reads the cache outcome from X-Cache", () => {
    expect(cacheOutcome("HIT-L1")).toBe("L1");
    expect(cacheOutcome("HIT-L3")).toBe("L3");
    expect(cacheOutcome("MISS")).toBe("miss");
    expect(cacheOutcome("BYPASS")).toBe("bypass");
    expect(cacheOutcome(null)).toBeNull();
    expect(cacheOutcome("weird")).toBeNull();
  });
});

describe("rollup: merge math", () => {
  it("merging partials in any grouping and order equals aggregating every record at once", () => {
    const records = randomRecords(5_000, 11);
    const whole = aggregateOf(records);
    const random = seededRandom(5);
    // Partition like isolates flushing at random moments, then merge in a shuffled order.
    const partials: MinuteAggregate[] = [];
    for (let i = 0; i < records.length; ) {
      const size = 1 + Math.floor(random() * 300);
      partials.push(...aggregateOf(records.slice(i, i + size)));
      i += size;
    }
    partials.sort(() => random() - 0.5);
    const merged = mergeMinutes(partials);
    expect(merged.map((m) => m.minute)).toEqual(whole.map((m) => m.minute));
    for (let i = 0; i < whole.length; i++) {
      const [a, b] = [merged[i], whole[i]];
      expect({ ...a.total, latencyMsSum: 0, cpuMsSum: 0 }).toEqual({ ...b.total, latencyMsSum: 0, cpuMsSum: 0 });
      expect(a.total.latencyMsSum).toBeCloseTo(b.total.latencyMsSum, 6);
      expect(a.dims.route).toEqual(b.dims.route);
      expect(a.dims.region).toEqual(b.dims.region);
      expect(a.dims.runtime).toEqual(b.dims.runtime);
      expect(a.latency.bins).toEqual(b.latency.bins);
      expect(a.latency.count).toBe(b.latency.count);
    }
  });

  it("rollups count exactly what was recorded, per minute and per region", () => {
    const records = randomRecords(3_000, 23);
    const rollups = denseRollups(aggregateOf(records), T0, T0 + 5 * MINUTE_MS);
    expect(rollups).toHaveLength(5);
    for (const rollup of rollups) {
      const inMinute = records.filter((r) => minuteOf(r.at) === rollup.minute);
      expect(rollup.requests).toBe(inMinute.length);
      expect(rollup.errors).toBe(inMinute.filter(isError).length);
      expect(rollup.errorRate).toBeCloseTo(inMinute.filter(isError).length / inMinute.length, 12);
      expect(rollup.cache.L2).toBe(inMinute.filter((r) => r.cache === "L2").length);
      expect(rollup.cache.bypass).toBe(inMinute.filter((r) => r.cache === "bypass").length);
      expect(rollup.executions).toBe(inMinute.filter((r) => r.ranProgram).length);
      expect(rollup.cpuMs).toBe(inMinute.filter((r) => r.ranProgram).reduce((s, r) => s + r.cpuMs, 0));
      for (const region of ["eu-west", "us-east", "local"]) {
        expect(rollup.regionRequests[region]).toBe(inMinute.filter((r) => r.region === region).length);
        expect(rollup.regionErrors[region]).toBe(inMinute.filter((r) => r.region === region && isError(r)).length);
      }
      const sorted = inMinute.map((r) => r.latencyMs).sort((a, b) => a - b);
      const exact = sorted[Math.floor(0.95 * (sorted.length - 1))];
      expect(Math.abs(rollup.latencyMs.p95! - exact)).toBeLessThanOrEqual(exact * 0.01 + 1e-9);
      expect(rollup.latencyMs.p95).toBe(sketchQuantile(rollup.latencyMs.sketch, 0.95));
    }
  });

  it("dense rollups fill minutes without requests with zeros, ascending", () => {
    const only = aggregateOf([record({ at: T0 + 2 * MINUTE_MS + 5 })]);
    const rollups = denseRollups(only, T0 + 10_000, T0 + 4 * MINUTE_MS);
    expect(rollups.map((r) => r.minute)).toEqual([T0, T0 + MINUTE_MS, T0 + 2 * MINUTE_MS, T0 + 3 * MINUTE_MS]);
    expect(rollups.map((r) => r.requests)).toEqual([0, 0, 1, 0]);
    expect(rollups[0].latencyMs.p50).toBeNull();
    expect(rollups[0].errorRate).toBe(0);
  });

  it("totals accumulate every minute merged into them", () => {
    const records = randomRecords(1_000, 3);
    const totals = emptyTotals();
    for (const minute of aggregateOf(records)) mergeAggregate(totals, minute);
    expect(totals.total.requests).toBe(1_000);
    expect(totals.dims.route["POST /v1/executions"].status["5xx"]).toBe(
      records.filter((r) => r.route === "POST /v1/executions" && r.status >= 500).length,
    );
    expect(totals.total.latencyBuckets.reduce((a, b) => a + b, 0)).toBe(1_000);
  });

  it("toMinuteRollup does not share state with the aggregate", () => {
    const minute = aggregateOf([record()])[0];
    const rollup = toMinuteRollup(minute);
    rollup.cache.miss = 99;
    rollup.latencyMs.sketch.count = 99;
    expect(minute.total.cache.miss).toBe(1);
    expect(minute.latency.count).toBe(1);
  });
});

describe("isolate buffer", () => {
  it("flushes after the interval or the record cap, and a drain starts over", () => {
    const buffer = new MetricsBuffer();
    expect(buffer.shouldFlush(T0)).toBe(false);
    buffer.add(record({ at: T0 }));
    expect(buffer.shouldFlush(T0 + FLUSH_INTERVAL_MS - 1)).toBe(false);
    expect(buffer.shouldFlush(T0 + FLUSH_INTERVAL_MS)).toBe(true);
    const batch = buffer.drain(T0 + FLUSH_INTERVAL_MS);
    expect(batch).toHaveLength(1);
    expect(buffer.pending).toBe(0);
    for (let i = 0; i < FLUSH_MAX_RECORDS; i++) buffer.add(record({ at: T0 + FLUSH_INTERVAL_MS + 1 }));
    expect(buffer.shouldFlush(T0 + FLUSH_INTERVAL_MS + 1)).toBe(true);
  });

  it("a failed flush puts its data back, merged with what arrived meanwhile", () => {
    const buffer = new MetricsBuffer();
    buffer.add(record({ at: T0 }));
    const batch = buffer.drain(T0);
    buffer.add(record({ at: T0 + 1 }));
    buffer.restore(batch);
    expect(buffer.pending).toBe(2);
    const again = buffer.drain(T0 + 2);
    expect(again).toHaveLength(1);
    expect(again[0].total.requests).toBe(2);
  });

  it("keeps at most MAX_PENDING_MINUTES minutes while flushes fail", () => {
    const buffer = new MetricsBuffer();
    for (let i = 0; i < MAX_PENDING_MINUTES + 5; i++) buffer.add(record({ at: T0 + i * MINUTE_MS }));
    const batch = buffer.drain(T0);
    expect(batch).toHaveLength(MAX_PENDING_MINUTES);
    expect(batch[0].minute).toBe(T0 + 5 * MINUTE_MS);
  });
});

describe("Analytics Engine data point", () => {
  it("follows the documented layout", () => {
    const point = dataPoint(
      record({ status: 200, executionStatus: "internal_error", cache: "L2", latencyMs: 12.5, cpuMs: 3, memoryBytes: 1000, requestBytes: 100, attempts: 2, colo: "FRA" }),
    );
    expect(point.indexes).toEqual(["acme"]);
    expect(point.blobs).toEqual([
      "POST /v1/executions",
      "2xx",
      "javascript",
      "2025.9.13",
      "eu-west",
      "builtin-eu-west",
      "L2",
      "internal_error",
      "internal_error",
      "FRA",
    ]);
    expect(point.doubles).toEqual([200, 12.5, 3, 1000, 100, 0, 1, 1, 1, 2]);
  });

  it("keeps the index within 96 bytes and names keyless requests '-'", () => {
    expect(dataPoint(record({ tenant: null })).indexes).toEqual(["-"]);
    expect((dataPoint(record({ tenant: "x".repeat(300) })).indexes![0] as string).length).toBe(96);
    const wide = dataPoint(record({ tenant: "é".repeat(300) })).indexes![0] as string;
    expect(new TextEncoder().encode(wide).length).toBeLessThanOrEqual(96);
  });
});
