import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { MetricsRollup } from "../../durable-objects/metrics-rollup";
import { writeRequestDataPoint } from "../../workers/metrics/analytics-engine";
import { MINUTE_MS, addRecord, emptyMinute, minuteOf, type MinuteAggregate, type RequestRecord } from "../../workers/metrics/rollup";
import { RETENTION_MS } from "../../workers/metrics/store-config";
import { env } from "../helpers/bindings";
import { record } from "./records";

// The MetricsRollup Durable Object: merging partials from many isolates per minute, persisting in
// batches from its alarm, surviving eviction, late partials, retention.

function stubNamed(name: string) {
  return env.METRICS_ROLLUP.get(env.METRICS_ROLLUP.idFromName(name));
}

function partial(minute: number, records: Array<Partial<RequestRecord>>): MinuteAggregate {
  const aggregate = emptyMinute(minute);
  for (const overrides of records) addRecord(aggregate, record({ at: minute + 1_000, ...overrides }));
  return aggregate;
}

function storedMinutes(stub: DurableObjectStub<MetricsRollup>): Promise<number[]> {
  return runInDurableObject(stub, (_instance: MetricsRollup, state) =>
    state.storage.sql.exec<{ minute: number }>("SELECT minute FROM minutes ORDER BY minute").toArray().map((row) => row.minute),
  );
}

describe("MetricsRollup", () => {
  it("merges partials from many isolates into one rollup per minute", async () => {
    const stub = stubNamed("merge");
    const minute = minuteOf(Date.now()) - 2 * MINUTE_MS;
    await stub.ingest([partial(minute, [{ latencyMs: 10 }, { latencyMs: 20, region: "us-east" }]), partial(minute + MINUTE_MS, [{ status: 500 }])]);
    await stub.ingest([partial(minute, [{ latencyMs: 30, cache: "L1", ranProgram: false }])]);
    const rollups = await stub.rollups(minute, minute + 2 * MINUTE_MS);
    expect(rollups.map((r) => [r.minute, r.requests, r.errors])).toEqual([
      [minute, 3, 0],
      [minute + MINUTE_MS, 1, 1],
    ]);
    expect(rollups[0].regionRequests).toEqual({ "eu-west": 2, "us-east": 1 });
    expect(rollups[0].cache).toEqual({ L1: 1, L2: 0, L3: 0, miss: 2, bypass: 0 });
    expect(rollups[0].latencyMs.p50).toBeCloseTo(20, 0);
    const totals = await stub.readTotals();
    expect(totals.total.requests).toBe(4);
    expect(totals.since).toBe(minute);
    await runDurableObjectAlarm(stub);
  });

  it("persists in batches from its alarm and keeps everything across an eviction", async () => {
    const stub = stubNamed("persist");
    const minute = minuteOf(Date.now()) - MINUTE_MS;
    await stub.ingest([partial(minute, [{}, {}])]);
    expect(await storedMinutes(stub)).toEqual([]); // nothing written per flush
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await storedMinutes(stub)).toEqual([minute]);

    await evictDurableObject(stub);
    const rollups = await stub.rollups(minute, minute + MINUTE_MS);
    expect(rollups[0].requests).toBe(2);
    expect((await stub.readTotals()).total.requests).toBe(2);

    // A late partial for a persisted minute is merged with the stored row, not written over it.
    await stub.ingest([partial(minute, [{ status: 502 }])]);
    expect((await stub.rollups(minute, minute + MINUTE_MS))[0]).toMatchObject({ requests: 3, errors: 1 });
    await runDurableObjectAlarm(stub);
    await evictDurableObject(stub);
    expect((await stub.rollups(minute, minute + MINUTE_MS))[0]).toMatchObject({ requests: 3, errors: 1 });
    expect((await stub.readTotals()).total.requests).toBe(3);
  });

  it("drops partials outside the retention and prunes old minutes", async () => {
    const stub = stubNamed("retention");
    const now = Date.now();
    const old = minuteOf(now - RETENTION_MS - 10 * MINUTE_MS);
    expect(await stub.ingest([partial(old, [{}])])).toEqual({ accepted: 0 });
    expect(await stub.ingest([partial(minuteOf(now) + 60 * MINUTE_MS, [{}])])).toEqual({ accepted: 0 });
    await runInDurableObject(stub, (_instance: MetricsRollup, state) => {
      state.storage.sql.exec("INSERT INTO minutes (minute, data) VALUES (?, ?)", old, JSON.stringify(emptyMinute(old)));
    });
    await stub.ingest([partial(minuteOf(now), [{}])]);
    await runDurableObjectAlarm(stub);
    expect(await storedMinutes(stub)).toEqual([minuteOf(now)]);
  });

  it("answers dense ranges clamped to the retention", async () => {
    const stub = stubNamed("dense");
    const now = Date.now();
    const rollups = await stub.rollups(now - 3 * RETENTION_MS, now);
    expect(rollups.length).toBeLessThanOrEqual(RETENTION_MS / MINUTE_MS + 1);
    expect(rollups.every((r) => r.requests === 0)).toBe(true);
    expect(await stub.rollups(now, now - 1)).toEqual([]);
  });
});

describe("Analytics Engine writes", () => {
  it("write one data point when the dataset is bound, and do nothing (or never throw) otherwise", () => {
    const points: AnalyticsEngineDataPoint[] = [];
    expect(writeRequestDataPoint({ writeDataPoint: (point) => void points.push(point!) }, record())).toBe(true);
    expect(points).toHaveLength(1);
    expect(writeRequestDataPoint(undefined, record())).toBe(false);
    expect(
      writeRequestDataPoint(
        {
          writeDataPoint: () => {
            throw new Error("quota");
          },
        },
        record(),
      ),
    ).toBe(false);
  });

  it("the METRICS binding exists under vitest (Miniflare simulates the dataset)", () => {
    expect(typeof env.METRICS?.writeDataPoint).toBe("function");
    expect(writeRequestDataPoint(env.METRICS, record())).toBe(true);
  });
});
