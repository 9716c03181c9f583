import type { TracingConfig } from "./config";
import type { AttributeValue, Attributes, SpanKind, SpanRecord, SpanStatus } from "./span";

// OTLP/HTTP JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): the protobuf
// messages of opentelemetry-proto's trace/v1 in proto3 JSON, with OTLP's deviations — trace and
// span ids as lowercase hex (not base64), enums as integers. 64-bit integers (times, intValue) are
// decimal strings, as proto3 JSON writes int64/fixed64.

/** The instrumentation scope every span is reported under. */
export const SCOPE = { name: "edgebox", version: "0.1.0" } as const;

export interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string;
  doubleValue?: number;
  boolValue?: boolean;
}

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events?: Array<{ timeUnixNano: string; name: string; attributes: OtlpKeyValue[] }>;
  links?: Array<{ traceId: string; spanId: string; attributes: OtlpKeyValue[] }>;
  status: { code: number; message?: string };
}

export interface OtlpTracesRequest {
  resourceSpans: Array<{
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: Array<{ scope: { name: string; version: string }; spans: OtlpSpan[] }>;
  }>;
}

/** SpanKind enum of trace/v1 (0 is UNSPECIFIED). */
export const OTLP_SPAN_KIND: Record<SpanKind, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
/** StatusCode enum of trace/v1. */
export const OTLP_STATUS_CODE: Record<SpanStatus["code"], number> = { unset: 0, ok: 1, error: 2 };

/** Epoch milliseconds (possibly fractional) as Unix nanoseconds, a decimal string. */
export function unixNanos(ms: number): string {
  return (BigInt(Math.round(ms * 1_000)) * 1_000n).toString();
}

export function anyValue(value: AttributeValue): OtlpAnyValue {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  return Number.isSafeInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

export function keyValues(attributes: Attributes | undefined): OtlpKeyValue[] {
  return Object.entries(attributes ?? {}).map(([key, value]) => ({ key, value: anyValue(value) }));
}

export function encodeSpan(span: SpanRecord): OtlpSpan {
  const encoded: OtlpSpan = {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    kind: OTLP_SPAN_KIND[span.kind],
    startTimeUnixNano: unixNanos(span.startTime),
    endTimeUnixNano: unixNanos(span.endTime),
    attributes: keyValues(span.attributes),
    status: { code: OTLP_STATUS_CODE[span.status.code], ...(span.status.message ? { message: span.status.message } : {}) },
  };
  if (span.events?.length) {
    encoded.events = span.events.map((event) => ({ timeUnixNano: unixNanos(event.time), name: event.name, attributes: keyValues(event.attributes) }));
  }
  if (span.links?.length) {
    encoded.links = span.links.map((link) => ({ traceId: link.traceId, spanId: link.spanId, attributes: keyValues(link.attributes) }));
  }
  return encoded;
}

/** The resource every span of this service belongs to (OpenTelemetry resource semantic conventions). */
export function resourceAttributes(config: Pick<TracingConfig, "serviceName" | "environment">): Attributes {
  return {
    "service.name": config.serviceName,
    "service.version": SCOPE.version,
    ...(config.environment ? { "deployment.environment.name": config.environment } : {}),
    "cloud.provider": "cloudflare",
    "cloud.platform": "cloudflare.workers",
    "telemetry.sdk.name": "edgebox-tracing",
    "telemetry.sdk.language": "js",
  };
}

/** One ExportTraceServiceRequest holding `spans`. */
export function encodeOtlp(spans: readonly SpanRecord[], resource: Attributes): OtlpTracesRequest {
  return {
    resourceSpans: [{ resource: { attributes: keyValues(resource) }, scopeSpans: [{ scope: { ...SCOPE }, spans: spans.map(encodeSpan) }] }],
  };
}

/** A receiver gets this long to take a batch. */
const EXPORT_TIMEOUT_MS = 10_000;

/** POSTs one batch; resolves with a problem description, or null when the receiver accepted it. */
export async function postOtlp(
  config: Pick<TracingConfig, "otlpTracesUrl" | "otlpHeaders" | "serviceName" | "environment">,
  spans: readonly SpanRecord[],
  fetcher: typeof fetch = fetch,
): Promise<string | null> {
  if (!config.otlpTracesUrl || spans.length === 0) return null;
  try {
    const response = await fetcher(config.otlpTracesUrl, {
      method: "POST",
      headers: { ...config.otlpHeaders, "content-type": "application/json" },
      body: JSON.stringify(encodeOtlp(spans, resourceAttributes(config))),
      signal: AbortSignal.timeout(EXPORT_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.ok ? null : `the OTLP receiver answered ${response.status}`;
  } catch (error) {
    return `the OTLP receiver is unreachable: ${error instanceof Error ? error.message : String(error)}`;
  }
}
