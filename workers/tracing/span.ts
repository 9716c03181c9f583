import { randomHex } from "../observability/trace-context";

// The span model (docs/tracing.md). A span is one timed operation of one trace: the HTTP request
// a Worker serves, a Durable Object call, a queue send, a remote backend call. Finished spans are
// plain JSON (SpanRecord): what the TraceStore keeps, GET /v1/traces/:traceId returns and the
// OTLP encoder (otlp.ts) turns into OTLP/HTTP JSON.

/** OpenTelemetry span kinds. */
export type SpanKind = "internal" | "server" | "client" | "producer" | "consumer";

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

export interface SpanStatus {
  /** unset: nothing said; ok: explicitly fine; error: the operation failed. */
  code: "unset" | "ok" | "error";
  message?: string;
}

export interface SpanEvent {
  name: string;
  /** Unix epoch milliseconds. */
  time: number;
  attributes?: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes?: Attributes;
}

/** A finished span. Ids are lowercase hex (trace 32, span 16); times are Unix epoch milliseconds. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  startTime: number;
  endTime: number;
  attributes: Attributes;
  status: SpanStatus;
  events?: SpanEvent[];
  links?: SpanLink[];
}

/** Where a span sits in its trace: what a traceparent header carries. */
export interface SpanContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

/** Limits that keep one span bounded however it is used. */
const MAX_ATTRIBUTES = 64;
const MAX_EVENTS = 32;
const MAX_STRING = 1024;

function clean(value: AttributeValue): AttributeValue {
  if (typeof value === "string" && value.length > MAX_STRING) return value.slice(0, MAX_STRING);
  return value;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Record<string, AttributeValue | null | undefined>;
  links?: SpanLink[];
  /** Start time (epoch ms); defaults to now. */
  startTime?: number;
}

/**
 * A span being recorded. `onEnd` receives the finished record once (only for sampled spans); a
 * span without a recorder (no tracer active) still has valid ids but records and propagates nothing.
 */
export class Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly sampled: boolean;
  readonly kind: SpanKind;
  readonly startTime: number;
  name: string;
  private readonly attributes: Attributes = {};
  private readonly events: SpanEvent[] = [];
  private readonly links: SpanLink[];
  private status: SpanStatus = { code: "unset" };
  private ended = false;

  constructor(
    name: string,
    parent: { traceId: string; spanId: string | null; sampled: boolean } | null,
    options: SpanOptions,
    private readonly onEnd: ((record: SpanRecord) => void) | null,
    spanId: string = randomHex(8),
  ) {
    this.name = name;
    this.traceId = parent?.traceId ?? randomHex(16);
    this.parentSpanId = parent?.spanId ?? null;
    this.sampled = parent?.sampled ?? true;
    this.spanId = spanId;
    this.kind = options.kind ?? "internal";
    this.startTime = options.startTime ?? Date.now();
    this.links = options.links ?? [];
    if (options.attributes) this.setAttributes(options.attributes);
  }

  /** False for the no-op span handed out when no tracer is active. */
  get recording(): boolean {
    return this.onEnd !== null && this.sampled && !this.ended;
  }

  context(): SpanContext {
    return { traceId: this.traceId, spanId: this.spanId, sampled: this.sampled };
  }

  /** The W3C traceparent naming this span, for an outgoing call; undefined when nothing is traced. */
  traceparent(): string | undefined {
    if (this.onEnd === null) return undefined;
    return `00-${this.traceId}-${this.spanId}-${this.sampled ? "01" : "00"}`;
  }

  /** `{ traceparent }` for an outgoing request's headers, or `{}` when nothing is traced. */
  headers(): Record<string, string> {
    const traceparent = this.traceparent();
    return traceparent ? { traceparent } : {};
  }

  setAttribute(key: string, value: AttributeValue | null | undefined): this {
    if (value === null || value === undefined || (typeof value === "number" && !Number.isFinite(value))) return this;
    if (!(key in this.attributes) && Object.keys(this.attributes).length >= MAX_ATTRIBUTES) return this;
    this.attributes[key] = clean(value);
    return this;
  }

  setAttributes(attributes: Record<string, AttributeValue | null | undefined>): this {
    for (const [key, value] of Object.entries(attributes)) this.setAttribute(key, value);
    return this;
  }

  addEvent(name: string, attributes?: Record<string, AttributeValue | null | undefined>): this {
    if (this.events.length >= MAX_EVENTS) return this;
    const event: SpanEvent = { name, time: Date.now() };
    if (attributes) {
      event.attributes = {};
      for (const [key, value] of Object.entries(attributes)) if (value !== null && value !== undefined) event.attributes[key] = clean(value);
    }
    this.events.push(event);
    return this;
  }

  setStatus(code: SpanStatus["code"], message?: string): this {
    this.status = message === undefined ? { code } : { code, message: message.slice(0, MAX_STRING) };
    return this;
  }

  /** An `exception` event (OpenTelemetry semantic conventions) and an error status. */
  recordException(error: unknown): this {
    const type = error instanceof Error ? error.name : typeof error;
    const message = error instanceof Error ? error.message : String(error);
    this.addEvent("exception", { "exception.type": type, "exception.message": message });
    return this.setStatus("error", message);
  }

  /** Finishes the span; later calls do nothing. */
  end(endTime: number = Date.now()): void {
    if (this.ended) return;
    this.ended = true;
    if (this.onEnd === null || !this.sampled) return;
    const record: SpanRecord = {
      traceId: this.traceId,
      spanId: this.spanId,
      parentSpanId: this.parentSpanId,
      name: this.name,
      kind: this.kind,
      startTime: this.startTime,
      endTime: Math.max(endTime, this.startTime),
      attributes: { ...this.attributes },
      status: this.status,
    };
    if (this.events.length > 0) record.events = [...this.events];
    if (this.links.length > 0) record.links = [...this.links];
    this.onEnd(record);
  }
}

/** A URL's host name for `server.address`, or undefined when it does not parse. */
export function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

export function isTraceId(value: unknown): value is string {
  return typeof value === "string" && TRACE_ID.test(value) && !/^0+$/.test(value);
}

export function isSpanId(value: unknown): value is string {
  return typeof value === "string" && SPAN_ID.test(value) && !/^0+$/.test(value);
}
