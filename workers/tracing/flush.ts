import { createLogger } from "../observability/logger";
import { readTracingConfig, type TracingConfig, type TracingConfigSource } from "./config";
import { postOtlp } from "./otlp";
import type { SpanRecord } from "./span";
import { SpanQueue } from "./span-queue";
import { storeSpans, type TraceStoreEnv } from "./store";
import type { Tracer } from "./tracer";

// Where finished spans go (docs/tracing.md): the local TraceStore (always) and an OTLP/HTTP
// receiver (when OTEL_EXPORTER_OTLP_ENDPOINT is set). An invocation (request, queue batch, Durable
// Object call) hands its spans to the isolate's queue; a batch is sent when it is full or a short
// delay after its first span, by an invocation that is running then and in its own waitUntil. So no
// promise crosses from one request to another, and the store sees one call per batch instead of
// one per request.

export type FlushEnv = TraceStoreEnv & TracingConfigSource;
type WaitUntil = (promise: Promise<unknown>) => void;

const log = createLogger({ component: "tracing" });

/** The bindings object is reused across requests: parse its tracing config once per object. */
const configByEnv = new WeakMap<object, TracingConfig>();

export function tracingConfigFor(env: TracingConfigSource): TracingConfig {
  let config = configByEnv.get(env);
  if (!config) {
    config = readTracingConfig(env);
    configByEnv.set(env, config);
  }
  return config;
}

/** Stores and exports a batch of finished spans. Never rejects: tracing must not fail the work it traces. */
export async function flushSpans(env: FlushEnv, spans: readonly SpanRecord[], fetcher?: typeof fetch): Promise<void> {
  if (spans.length === 0) return;
  const config = tracingConfigFor(env);
  await Promise.all([
    storeSpans(env, spans).catch((error: unknown) => {
      log.log("warn", "could not store spans", { spans: spans.length, error: String(error) });
    }),
    postOtlp(config, spans, fetcher).then((problem) => {
      if (problem) log.log("warn", "could not export spans", { spans: spans.length, error: problem });
    }),
  ]);
}

const queue = new SpanQueue<FlushEnv>();

/** Sends everything the isolate has pending. Whoever calls it awaits it (or gives it to its own waitUntil). */
export async function flushPendingSpans(): Promise<void> {
  const { batches, dropped } = queue.drain();
  if (dropped > 0) log.log("warn", "dropped spans: the isolate's span queue was full", { dropped });
  await Promise.all(batches.map((batch) => flushSpans(batch.destination, batch.spans)));
}

/** Spans pending in this isolate (tests). */
export function pendingSpanCount(): number {
  return queue.pending;
}

/**
 * Queues an invocation's finished spans. If a batch is due, this invocation sends it now; if none
 * is scheduled, this invocation schedules the send (a timer in its waitUntil).
 */
export function exportSpans(env: FlushEnv, spans: readonly SpanRecord[], waitUntil: WaitUntil): void {
  if (spans.length === 0) return;
  const limits = tracingConfigFor(env).batch;
  queue.add(env, spans, limits);
  if (queue.sendNow(limits)) {
    waitUntil(flushPendingSpans());
  } else if (queue.claimSchedule(Date.now(), limits)) {
    waitUntil(new Promise((resolve) => setTimeout(resolve, limits.scheduleDelayMs)).then(flushPendingSpans));
  }
}

/**
 * Ends an invocation's tracing: its finished spans are queued for export, and so is every span that
 * ends later (work the invocation left running in waitUntil).
 */
export function exportTracer(tracer: Tracer, env: FlushEnv, waitUntil: WaitUntil): void {
  const sink = (records: SpanRecord[]) => exportSpans(env, records, waitUntil);
  sink(tracer.close(sink));
}
