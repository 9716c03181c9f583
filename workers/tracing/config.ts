import type { SpanQueueLimits } from "./span-queue";

// Tracing configuration (docs/tracing.md), read from vars/secrets with OpenTelemetry's own names.

export interface TracingConfigSource {
  /** Base URL of an OTLP/HTTP receiver; spans are POSTed to `<it>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  /** Full URL for traces, used as is (overrides the base URL above). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  /** Extra request headers, `key=value,key2=value2` (values URL-encoded), e.g. an API key. */
  OTEL_EXPORTER_OTLP_HEADERS?: string;
  /** `service.name` of the exported resource; default "edgebox". */
  OTEL_SERVICE_NAME?: string;
  /** Share (0..1) of new traces recorded; a caller's traceparent decides for its own trace. Default 1. */
  OTEL_TRACES_SAMPLER_ARG?: string;
  /** Batch export (workers/tracing/span-queue.ts): longest wait before pending spans are sent, ms. Default 1000; 0 sends per invocation. */
  OTEL_BSP_SCHEDULE_DELAY?: string;
  /** Pending spans that make a full batch, sent at once. Default 512. */
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE?: string;
  /** Pending spans an isolate holds at most; more are dropped and counted. Default 2048. */
  OTEL_BSP_MAX_QUEUE_SIZE?: string;
  ENVIRONMENT?: string;
}

export interface TracingConfig {
  /** Where to POST OTLP/HTTP JSON; null: no export (the local TraceStore still keeps traces). */
  otlpTracesUrl: string | null;
  otlpHeaders: Record<string, string>;
  serviceName: string;
  sampleRatio: number;
  environment: string | null;
  /** When the isolate's pending spans are sent (workers/tracing/span-queue.ts). */
  batch: SpanQueueLimits;
}

/** OpenTelemetry's batch span processor defaults, except a 1 s delay (theirs is 5 s) so traces show up soon. */
export const BATCH_DEFAULTS: SpanQueueLimits = { scheduleDelayMs: 1_000, maxExportBatchSize: 512, maxQueueSize: 2_048 };

export function otlpHeaders(raw: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (raw ?? "").split(",")) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    const key = pair.slice(0, at).trim();
    let value = pair.slice(at + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep it as written
    }
    if (key) headers[key] = value;
  }
  return headers;
}

function tracesUrl(env: TracingConfigSource): string | null {
  const full = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (full) return full;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!base) return null;
  return `${base.replace(/\/+$/, "")}/v1/traces`;
}

function ratio(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 1;
  const value = Number(raw);
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 1;
}

function count(raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  return Number.isInteger(value) && value >= min ? value : fallback;
}

function batchLimits(env: TracingConfigSource): SpanQueueLimits {
  const maxQueueSize = count(env.OTEL_BSP_MAX_QUEUE_SIZE, BATCH_DEFAULTS.maxQueueSize, 1);
  return {
    scheduleDelayMs: Math.min(count(env.OTEL_BSP_SCHEDULE_DELAY, BATCH_DEFAULTS.scheduleDelayMs, 0), MAX_SCHEDULE_DELAY_MS),
    // As in OpenTelemetry: a batch is never larger than the queue.
    maxExportBatchSize: Math.min(count(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, BATCH_DEFAULTS.maxExportBatchSize, 1), maxQueueSize),
    maxQueueSize,
  };
}

/** The scheduled send runs in an invocation's waitUntil, which the platform ends 30 s after the response. */
export const MAX_SCHEDULE_DELAY_MS = 10_000;

export function readTracingConfig(env: TracingConfigSource): TracingConfig {
  return {
    otlpTracesUrl: tracesUrl(env),
    otlpHeaders: otlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
    serviceName: env.OTEL_SERVICE_NAME?.trim() || "edgebox",
    sampleRatio: ratio(env.OTEL_TRACES_SAMPLER_ARG),
    environment: env.ENVIRONMENT?.trim() || null,
    batch: batchLimits(env),
  };
}

/**
 * Whether a new trace is recorded: deterministic in the trace id (its last 8 hex digits, the
 * random part in W3C Trace Context level 2), so every hop that decides alone decides the same.
 */
export function sampledByRatio(traceId: string, sampleRatio: number): boolean {
  if (sampleRatio >= 1) return true;
  if (sampleRatio <= 0) return false;
  return parseInt(traceId.slice(-8), 16) / 0x1_0000_0000 < sampleRatio;
}
