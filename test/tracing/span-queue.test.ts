import { describe, expect, it } from "vitest";
import { BATCH_DEFAULTS, MAX_SCHEDULE_DELAY_MS, readTracingConfig } from "../../workers/tracing/config";
import type { SpanRecord } from "../../workers/tracing/span";
import { SCHEDULE_GRACE_MS, SpanQueue, type SpanQueueLimits } from "../../workers/tracing/span-queue";

// The isolate's span queue (workers/tracing/span-queue.ts): when a batch is due, who schedules the
// send, grouping by destination, and the bound.

const limits: SpanQueueLimits = { scheduleDelayMs: 1_000, maxExportBatchSize: 4, maxQueueSize: 6 };

function spans(count: number, name = "s"): SpanRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: (i + 1).toString(16).padStart(16, "0"),
    parentSpanId: null,
    name,
    kind: "internal",
    startTime: 0,
    endTime: 1,
    attributes: {},
    status: { code: "unset" },
  }));
}

describe("SpanQueue", () => {
  it("is due when a batch is full, or at once when the delay is 0", () => {
    const queue = new SpanQueue<string>();
    expect(queue.sendNow(limits)).toBe(false);
    queue.add("a", spans(3), limits);
    expect(queue.sendNow(limits)).toBe(false);
    queue.add("a", spans(1), limits);
    expect(queue.sendNow(limits)).toBe(true);
    expect(new SpanQueue<string>().sendNow({ ...limits, scheduleDelayMs: 0 })).toBe(false);
    const immediate = new SpanQueue<string>();
    immediate.add("a", spans(1), limits);
    expect(immediate.sendNow({ ...limits, scheduleDelayMs: 0 })).toBe(true);
  });

  it("lets one invocation schedule the send, and another take over a send that is long overdue", () => {
    const queue = new SpanQueue<string>();
    expect(queue.claimSchedule(0, limits)).toBe(false); // nothing pending
    queue.add("a", spans(1), limits);
    expect(queue.claimSchedule(100, limits)).toBe(true);
    queue.add("a", spans(1), limits);
    expect(queue.claimSchedule(200, limits)).toBe(false);
    expect(queue.claimSchedule(100 + limits.scheduleDelayMs + SCHEDULE_GRACE_MS - 1, limits)).toBe(false);
    expect(queue.claimSchedule(100 + limits.scheduleDelayMs + SCHEDULE_GRACE_MS, limits)).toBe(true);
    queue.drain();
    queue.add("a", spans(1), limits);
    expect(queue.claimSchedule(300, limits)).toBe(true); // a drain ends the schedule
  });

  it("drains one batch per destination, in arrival order, and starts over", () => {
    const queue = new SpanQueue<string>();
    queue.add("a", spans(2, "first"), limits);
    queue.add("b", spans(1, "other"), limits);
    queue.add("a", spans(1, "second"), limits);
    expect(queue.pending).toBe(4);
    const { batches, dropped } = queue.drain();
    expect(dropped).toBe(0);
    expect(batches.map((batch) => [batch.destination, batch.spans.map((span) => span.name)])).toEqual([
      ["a", ["first", "first", "second"]],
      ["b", ["other"]],
    ]);
    expect(queue.pending).toBe(0);
    expect(queue.drain().batches).toEqual([]);
  });

  it("holds at most maxQueueSize spans and reports the dropped ones with the next drain", () => {
    const queue = new SpanQueue<string>();
    expect(queue.add("a", spans(5), limits)).toBe(0);
    expect(queue.add("a", spans(3), limits)).toBe(2);
    expect(queue.add("b", spans(1), limits)).toBe(1);
    expect(queue.pending).toBe(6);
    const { batches, dropped } = queue.drain();
    expect(batches.map((batch) => batch.spans.length)).toEqual([6]);
    expect(dropped).toBe(3);
    expect(queue.drain().dropped).toBe(0);
  });
});

describe("batch export configuration", () => {
  it("reads OpenTelemetry's batch span processor variables, within bounds", () => {
    expect(readTracingConfig({}).batch).toEqual(BATCH_DEFAULTS);
    expect(readTracingConfig({ OTEL_BSP_SCHEDULE_DELAY: "0", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "10", OTEL_BSP_MAX_QUEUE_SIZE: "100" }).batch).toEqual({
      scheduleDelayMs: 0,
      maxExportBatchSize: 10,
      maxQueueSize: 100,
    });
    expect(readTracingConfig({ OTEL_BSP_SCHEDULE_DELAY: "600000" }).batch.scheduleDelayMs).toBe(MAX_SCHEDULE_DELAY_MS);
    expect(readTracingConfig({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "5000", OTEL_BSP_MAX_QUEUE_SIZE: "100" }).batch.maxExportBatchSize).toBe(100);
    expect(readTracingConfig({ OTEL_BSP_SCHEDULE_DELAY: "-1", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "0", OTEL_BSP_MAX_QUEUE_SIZE: "lots" }).batch).toEqual(BATCH_DEFAULTS);
  });
});
