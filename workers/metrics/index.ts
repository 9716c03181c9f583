import type { Context } from "hono";
import type { AppEnv } from "../api/app-env";
import { writeRequestDataPoint } from "./analytics-engine";
import { MetricsBuffer } from "./buffer";
import { requestRecord } from "./request-record";
import { ingestMinutes } from "./store";

// Metrics (docs/metrics.md): every finished request writes one Analytics Engine data point and is
// added to this isolate's per-minute rollup buffer, which is flushed to the MetricsRollup Durable
// Object in batches.

export { readRollups, readTotals } from "./store";
export { noteExecution, type ExecutionNote } from "./request-record";
export type { MinuteRollup, RequestRecord, CacheOutcome, StatusClass } from "./rollup";
export type { SketchData } from "./sketch";

const isolateBuffer = new MetricsBuffer();

/** This isolate's pending rollups (tests and the metrics routes). */
export function metricsBuffer(): MetricsBuffer {
  return isolateBuffer;
}

/**
 * Sends this isolate's pending rollups to the store. Whoever calls it must await it (or hand it to
 * its own ctx.waitUntil): workerd ties the store call to the request that starts it. Resolves
 * false when the store could not be reached; the data then waits for the next flush.
 */
export async function flushMetrics(env: Pick<Env, "METRICS_ROLLUP">, buffer: MetricsBuffer = isolateBuffer): Promise<boolean> {
  const batch = buffer.drain(Date.now());
  if (batch.length === 0) return true;
  try {
    await ingestMinutes(env, batch);
    return true;
  } catch {
    buffer.restore(batch);
    return false;
  }
}

function waitUntilOf(c: Context<AppEnv>): ((promise: Promise<unknown>) => void) | null {
  try {
    const ctx = c.executionCtx;
    return ctx.waitUntil.bind(ctx);
  } catch {
    return null; // no execution context (app.request in tests): the next real request flushes
  }
}

/**
 * Records a finished request (the request-context middleware calls this once the response is
 * final): its Analytics Engine data point, and the isolate's rollups. When a flush is due, this
 * request starts it and hands it to its own waitUntil. Never throws.
 */
export function recordRequestMetrics(c: Context<AppEnv>, startedAt: number): void {
  try {
    const now = Date.now();
    const record = requestRecord(c, startedAt, now, c.get("tenant")?.id ?? null);
    writeRequestDataPoint(c.env.METRICS, record);
    isolateBuffer.add(record);
    if (isolateBuffer.shouldFlush(now)) {
      const waitUntil = waitUntilOf(c);
      if (waitUntil) waitUntil(flushMetrics(c.env));
    }
  } catch (error) {
    c.get("logger")?.log("warn", "recording request metrics failed", { error: String(error) });
  }
}
