import { createLogger } from "../observability/logger";
import { readTracingConfig, type TracingConfig, type TracingConfigSource } from "./config";
import { postOtlp } from "./otlp";
import type { SpanRecord } from "./span";
import { storeSpans, type TraceStoreEnv } from "./store";

// Where finished spans go (docs/tracing.md): the local TraceStore (always) and an OTLP/HTTP
// receiver (when OTEL_EXPORTER_OTLP_ENDPOINT is set), one call each per flush. Callers run flushes
// in their own invocation's waitUntil: never on the response path, never shared across requests.

export type FlushEnv = TraceStoreEnv & TracingConfigSource;

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

/**
 * Flushes what `take` hands over now, and keeps flushing spans that end later in the same
 * invocation (background work still running in waitUntil), coalesced per microtask.
 */
export function lateSpanFlusher(env: FlushEnv, waitUntil: (promise: Promise<unknown>) => void): (records: SpanRecord[]) => void {
  let pending: SpanRecord[] | null = null;
  return (records) => {
    if (pending) {
      pending.push(...records);
      return;
    }
    pending = [...records];
    waitUntil(
      Promise.resolve().then(() => {
        const batch = pending ?? [];
        pending = null;
        return flushSpans(env, batch);
      }),
    );
  };
}
