import { describe, expect, it } from "vitest";
import {
  HOT_WINDOW_MS,
  StatsBuffer,
  STATS_FLUSH_INTERVAL_MS,
  STATS_FLUSH_MAX_PROGRAMS,
  STATS_MAX_PENDING_PROGRAMS,
  summarizeStats,
  utcDay,
  windowStart,
} from "../../workers/cache/stats";
import { hotness, planWarming, rankHottest, WARM_HORIZON_MS, type HitCountRow } from "../../workers/cache/warming";
import { seededRandom, zipfSampler } from "../../workers/cache/zipf";

describe("stats buffer", () => {
  it("aggregates counts per tenant, day and metric, and demand per program", () => {
    const t = Date.UTC(2026, 10, 27, 12);
    const buffer = new StatsBuffer(t);
    buffer.add("acme", "lookup", t);
    buffer.add("acme", "lookup", t + 1);
    buffer.add("acme", "hit:l1", t);
    buffer.add("beta", "lookup", t);
    buffer.add("acme", "bytes:served", t, 500);
    buffer.addDemand("acme", "p1", t);
    buffer.addDemand("acme", "p1", t + 5);
    buffer.addDemand("acme", "p2", t);
    const batch = buffer.drain(t + 10);
    expect(batch.counters).toEqual(
      expect.arrayContaining([
        ["acme", "2026-11-27", "lookup", 2],
        ["acme", "2026-11-27", "hit:l1", 1],
        ["beta", "2026-11-27", "lookup", 1],
        ["acme", "2026-11-27", "bytes:served", 500],
      ]),
    );
    expect(batch.counters).toHaveLength(4);
    expect(batch.demand).toEqual(
      expect.arrayContaining([
        { namespace: "acme", programKey: "p1", hits: 2, lastHitAt: t + 5 },
        { namespace: "acme", programKey: "p2", hits: 1, lastHitAt: t },
      ]),
    );
  });

  it("flushes by interval or by size, one flush at a time, never when empty", () => {
    const buffer = new StatsBuffer(0);
    expect(buffer.shouldFlush(STATS_FLUSH_INTERVAL_MS)).toBe(false); // nothing pending
    buffer.add("acme", "lookup", 1);
    expect(buffer.shouldFlush(STATS_FLUSH_INTERVAL_MS - 1)).toBe(false);
    expect(buffer.shouldFlush(STATS_FLUSH_INTERVAL_MS)).toBe(true);
    const batch = buffer.drain(STATS_FLUSH_INTERVAL_MS);
    buffer.add("acme", "lookup", 1);
    expect(buffer.shouldFlush(10 * STATS_FLUSH_INTERVAL_MS)).toBe(false); // a flush is running
    buffer.settle(batch, true);
    for (let i = 0; i < STATS_FLUSH_MAX_PROGRAMS; i++) buffer.addDemand("acme", `p${i}`, 1);
    expect(buffer.shouldFlush(STATS_FLUSH_INTERVAL_MS + 1)).toBe(true); // by size, long before the interval
  });

  it("keeps the counts of a failed flush for the next one, within a memory bound", () => {
    const buffer = new StatsBuffer(0);
    buffer.add("acme", "miss", 0, 3);
    buffer.addDemand("acme", "p", 0, 2);
    const failed = buffer.drain(1);
    buffer.add("acme", "miss", 2);
    buffer.settle(failed, false);
    const next = buffer.drain(3);
    expect(next.counters).toEqual([["acme", utcDay(0), "miss", 4]]);
    expect(next.demand).toEqual([{ namespace: "acme", programKey: "p", hits: 2, lastHitAt: 0 }]);
    for (let i = 0; i < STATS_MAX_PENDING_PROGRAMS + 100; i++) buffer.addDemand("acme", `p${i}`, 0);
    expect(buffer.pendingPrograms).toBe(STATS_MAX_PENDING_PROGRAMS);
  });
});

describe("stats summary", () => {
  it("derives misses per level, ratios and bypass reasons", () => {
    const summary = summarizeStats({
      lookup: 100,
      "hit:l1": 50,
      "hit:l1-memory": 30,
      "hit:l2": 20,
      "hit:l3": 10,
      miss: 15,
      coalesced: 5,
      stale: 2,
      "bypass:nondeterministic": 7,
      "bypass:request": 3,
      "error:l2": 1,
      "write:l3": 15,
      "bytes:served": 1234,
    });
    expect(summary.hits).toEqual({ total: 80, l1: 50, l1FromMemory: 30, l2: 20, l3: 10 });
    expect(summary.misses).toEqual({ l1: 50, l2: 30, l3: 20 });
    expect(summary.hitRatio).toBeCloseTo(0.8);
    expect(summary.levelRatio).toEqual({ l1: 0.5, l2: 0.2, l3: 0.1 });
    expect(summary.bypass).toEqual({ nondeterministic: 7, request: 3 });
    expect(summary.errors).toEqual({ l1: 0, l2: 1, l3: 0 });
    expect(summary.writes.l3).toBe(15);
    expect(summary).toMatchObject({ lookups: 100, stale: 2, coalesced: 5, bytesServed: 1234 });
  });

  it("is all zeros, never NaN, with no traffic", () => {
    const summary = summarizeStats(new Map());
    expect(summary.hitRatio).toBe(0);
    expect(summary.levelRatio).toEqual({ l1: 0, l2: 0, l3: 0 });
    expect(summary.misses).toEqual({ l1: 0, l2: 0, l3: 0 });
  });

  it("adds up the same metric from several rows (days)", () => {
    expect(summarizeStats(new Map([["lookup", 2]])).lookups).toBe(2);
    expect(summarizeStats({ lookup: 4, "hit:l1": 1 }).hitRatio).toBe(0.25);
  });
});

describe("hot programs", () => {
  const now = 10 * HOT_WINDOW_MS + 1234;
  const current = windowStart(now);
  const row = (programKey: string, start: number, windowHits: number, previousHits = 0): HitCountRow => ({
    namespace: "acme",
    programKey,
    windowStart: start,
    windowHits,
    previousHits,
  });

  it("counts the current and the previous window, nothing older", () => {
    expect(hotness(row("a", current, 5, 7), now)).toBe(12);
    expect(hotness(row("a", current - HOT_WINDOW_MS, 5, 7), now)).toBe(5);
    expect(hotness(row("a", current - 2 * HOT_WINDOW_MS, 5, 7), now)).toBe(0);
  });

  it("ranks by hotness, breaks ties stably, leaves cold ones out and keeps n", () => {
    const rows = [
      row("cold", current - 3 * HOT_WINDOW_MS, 1000),
      row("b", current, 10),
      row("a", current, 10),
      row("c", current - HOT_WINDOW_MS, 30),
      row("d", current, 1),
    ];
    expect(rankHottest(rows, now, 10).map((r) => r.programKey)).toEqual(["c", "a", "b", "d"]);
    expect(rankHottest(rows, now, 2).map((r) => r.programKey)).toEqual(["c", "a"]);
    expect(rankHottest(rows, now, 0)).toEqual([]);
  });

  it("finds the head of a Zipf workload from sampled counts", () => {
    const sample = zipfSampler(1000, 1.1, seededRandom(3));
    const counts = new Map<number, number>();
    for (let i = 0; i < 20_000; i++) {
      const rank = sample();
      counts.set(rank, (counts.get(rank) ?? 0) + 1);
    }
    const rows = [...counts].map(([rank, hits]) => row(String(rank).padStart(4, "0"), current, hits));
    const top = rankHottest(rows, now, 5).map((r) => Number(r.programKey));
    expect(top.slice(0, 3)).toEqual([1, 2, 3]);
  });
});

describe("warming plan", () => {
  const now = 1_000_000_000;
  const entry = { lookupKey: "k", expiresAt: now + 10 * WARM_HORIZON_MS };
  const facts = { entry, currentLookupKey: "k", l2Until: now + 10 * WARM_HORIZON_MS, runtimeAvailable: true, now };

  it("keeps what is current and held by KV long enough", () => {
    expect(planWarming(facts)).toEqual({ kind: "keep" });
  });
  it("re-puts into KV what KV lacks or drops before the next runs", () => {
    expect(planWarming({ ...facts, l2Until: null })).toEqual({ kind: "refresh-l2" });
    expect(planWarming({ ...facts, l2Until: now + WARM_HORIZON_MS - 1 })).toEqual({ kind: "refresh-l2" });
  });
  it("re-executes what was invalidated or is about to expire", () => {
    expect(planWarming({ ...facts, currentLookupKey: "k2" })).toEqual({ kind: "reexecute", why: "invalidated" });
    expect(planWarming({ ...facts, entry: { ...entry, expiresAt: now + 1 } })).toEqual({ kind: "reexecute", why: "expiring" });
  });
  it("skips what it cannot do", () => {
    expect(planWarming({ ...facts, entry: null })).toEqual({ kind: "skip", why: "not-in-l3" });
    expect(planWarming({ ...facts, currentLookupKey: null })).toEqual({ kind: "skip", why: "no-request" });
    expect(planWarming({ ...facts, currentLookupKey: "k2", runtimeAvailable: false })).toEqual({ kind: "skip", why: "runtime-gone" });
  });
});
