import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sortByStart, type TraceStore } from "../../durable-objects/trace-store";
import type { SpanRecord } from "../../workers/tracing/span";
import { MAX_SPANS_PER_TRACE, MAX_TRACES_PER_SHARD, MAX_TRACE_AGE_MS, TRACE_STORE_SHARDS, readTrace, storeSpans, traceShard } from "../../workers/tracing/store";
import { env } from "../helpers/bindings";
import { randomHexId } from "./helpers";

// The TraceStore: spans appended per batch, read back sorted, and bounded by count and age.

function span(traceId: string, overrides: Partial<SpanRecord> = {}): SpanRecord {
  const startTime = overrides.startTime ?? Date.now();
  return {
    traceId,
    spanId: randomHexId(8),
    parentSpanId: null,
    name: "s",
    kind: "internal",
    startTime,
    endTime: startTime + 1,
    attributes: {},
    status: { code: "unset" },
    ...overrides,
  };
}

/** A trace id whose shard is `traces-<digit>`. */
const traceIdIn = (digit: number) => randomHexId(16).slice(0, 31) + digit.toString(16);
const shard = (name: string) => env.TRACE_STORE.get(env.TRACE_STORE.idFromName(name));

describe("TraceStore", () => {
  it("spreads traces over shards by the last digit of the trace id", () => {
    expect(traceShard(`${"0".repeat(31)}a`)).toBe("traces-10");
    const used = new Set(Array.from({ length: 400 }, () => traceShard(randomHexId(16))));
    expect(used.size).toBe(TRACE_STORE_SHARDS);
  });

  it("appends batches to a trace and reads it back sorted by start time, parents first on ties", async () => {
    const traceId = traceIdIn(1);
    const t = Date.now();
    const root = span(traceId, { name: "root", startTime: t });
    const child = span(traceId, { name: "child", startTime: t, parentSpanId: root.spanId });
    const later = span(traceId, { name: "later", startTime: t + 5, parentSpanId: root.spanId });
    await storeSpans(env, [later, child]);
    await storeSpans(env, [root, root]);
    const spans = await readTrace(env, traceId);
    expect(spans?.map((s) => s.name)).toEqual(["root", "child", "later"]);
    expect(await readTrace(env, traceIdIn(1))).toBeNull();
  });

  it("ignores what is not a span", async () => {
    const traceId = traceIdIn(2);
    const stored = await shard(traceShard(traceId)).append([
      span(traceId),
      { ...span(traceId), spanId: "nope" },
      { hello: "world" } as unknown as SpanRecord,
    ]);
    expect(stored).toBe(1);
  });

  it("keeps at most MAX_SPANS_PER_TRACE spans of a trace", async () => {
    const traceId = traceIdIn(3);
    const stub = shard(traceShard(traceId));
    const batch = Array.from({ length: MAX_SPANS_PER_TRACE + 5 }, () => span(traceId));
    expect(await stub.append(batch)).toBe(MAX_SPANS_PER_TRACE);
    expect(await stub.append([span(traceId)])).toBe(0);
    expect((await readTrace(env, traceId))?.length).toBe(MAX_SPANS_PER_TRACE);
  });

  it("keeps the most recently written MAX_TRACES_PER_SHARD traces of a shard", async () => {
    const stub = shard("traces-4");
    const first = traceIdIn(4);
    await stub.append([span(first)]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const others = Array.from({ length: MAX_TRACES_PER_SHARD }, () => traceIdIn(4));
    await stub.append(others.map((id) => span(id)));
    expect(await stub.read(first)).toBeNull();
    expect(await stub.read(others[0])).not.toBeNull();
    expect(await stub.read(others[others.length - 1])).not.toBeNull();
  });

  it("forgets a trace an hour after its last span, on read, write or alarm", async () => {
    const stub = shard("traces-5");
    const old = traceIdIn(5);
    const fresh = traceIdIn(5);
    await stub.append([span(old), span(fresh)]);
    await runInDurableObject(stub, (instance: TraceStore, state) => {
      state.storage.sql.exec("UPDATE traces SET last_seen = ? WHERE trace_id = ?", Date.now() - MAX_TRACE_AGE_MS - 1, old);
      void instance;
    });
    expect(await stub.read(old)).toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const remaining = await runInDurableObject(stub, (_instance: TraceStore, state) =>
      state.storage.sql.exec<{ trace_id: string }>("SELECT trace_id FROM spans").toArray().map((row) => row.trace_id),
    );
    expect(remaining).toEqual([fresh]);
    expect(await stub.read(fresh)).not.toBeNull();
  });

  it("sorts deeper spans after their ancestors when they start together", () => {
    const traceId = traceIdIn(6);
    const a = span(traceId, { name: "a", startTime: 10, endTime: 20 });
    const b = span(traceId, { name: "b", startTime: 10, endTime: 20, parentSpanId: a.spanId });
    const c = span(traceId, { name: "c", startTime: 10, endTime: 15, parentSpanId: b.spanId });
    expect(sortByStart([c, b, a]).map((s) => s.name)).toEqual(["a", "b", "c"]);
  });
});
