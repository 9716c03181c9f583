import { describe, expect, it } from "vitest";
import { exportSpans, flushPendingSpans, pendingSpanCount } from "../../workers/tracing/flush";
import type { SpanRecord } from "../../workers/tracing/span";
import { readTrace } from "../../workers/tracing/store";
import { env } from "../helpers/bindings";
import { call } from "../helpers/http";
import { callerContext, getTrace, randomHexId } from "./helpers";

// Batch export (docs/tracing.md): an invocation's spans wait in the isolate's queue and are sent
// when a batch is full or the delay has passed, by a running invocation and in its own waitUntil.
// The Worker under test runs in this isolate, so the test sees the same queue.

function span(traceId: string): SpanRecord {
  return {
    traceId,
    spanId: randomHexId(8),
    parentSpanId: null,
    name: "batched",
    kind: "internal",
    startTime: Date.now(),
    endTime: Date.now() + 1,
    attributes: {},
    status: { code: "unset" },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("batch export of spans", () => {
  it("queues a request's spans and sends them after the delay, with no later request to do it", async () => {
    await flushPendingSpans();
    const caller = callerContext();
    const response = await call("/", { headers: { traceparent: caller.traceparent } });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(pendingSpanCount()).toBeGreaterThan(0);
    expect(await readTrace(env, caller.traceId)).toBeNull();

    // Read the store directly (GET /v1/traces would send the queue itself): the scheduled send lands.
    const deadline = Date.now() + 10_000;
    let stored = await readTrace(env, caller.traceId);
    while (!stored && Date.now() < deadline) {
      await sleep(100);
      stored = await readTrace(env, caller.traceId);
    }
    expect(stored?.map((record) => record.name)).toEqual(["GET /"]);
  });

  it("GET /v1/traces/:id sends this isolate's pending spans before reading", async () => {
    const caller = callerContext();
    await (await call("/v1/runtimes", { headers: { traceparent: caller.traceparent } })).arrayBuffer();
    expect(await readTrace(env, caller.traceId)).toBeNull();
    const response = await getTrace(caller.traceId);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { spans: SpanRecord[] };
    expect(body.spans.map((record) => record.name)).toEqual(["GET /v1/runtimes"]);
  });

  it("sends at once, from the invocation that fills a batch", async () => {
    await flushPendingSpans();
    const destination = { ...env, OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "3", OTEL_BSP_SCHEDULE_DELAY: "10000" };
    const handed: Promise<unknown>[] = [];
    const waitUntil = (promise: Promise<unknown>) => void handed.push(promise);
    const traceId = randomHexId(16);

    exportSpans(destination, [span(traceId), span(traceId)], waitUntil);
    expect(handed).toHaveLength(1); // the first invocation schedules the send (a 10 s timer)
    exportSpans(destination, [span(traceId)], waitUntil);
    expect(handed).toHaveLength(2); // the one that fills the batch sends it
    await handed[1];
    expect(pendingSpanCount()).toBe(0);
    expect(await readTrace(env, traceId)).toHaveLength(3);
  });

  it("sends per invocation with OTEL_BSP_SCHEDULE_DELAY=0", async () => {
    await flushPendingSpans();
    const destination = { ...env, OTEL_BSP_SCHEDULE_DELAY: "0" };
    const handed: Promise<unknown>[] = [];
    const traceId = randomHexId(16);
    exportSpans(destination, [span(traceId)], (promise) => void handed.push(promise));
    expect(handed).toHaveLength(1);
    await handed[0];
    expect(await readTrace(env, traceId)).toHaveLength(1);
  });
});
