import { AsyncLocalStorage } from "node:async_hooks";
import { Span, type SpanContext, type SpanOptions, type SpanRecord } from "./span";

// A tracer collects the finished spans of one invocation (an HTTP request, a queue batch, a
// Durable Object call). It is never shared between invocations: each flushes its own spans with
// its own waitUntil (workers/tracing/flush.ts), so no promise crosses from one request to another.
//
// The span that is "current" travels with the async call chain (AsyncLocalStorage), so code deep
// in the call stack (the execution router, callbacks) opens child spans without a tracer being
// passed through every signature in between. With no tracer active, startSpan returns a no-op span.

/** More spans than this in one invocation are dropped (and counted): a bound, not a sampling rule. */
export const MAX_SPANS_PER_INVOCATION = 1_000;

export class Tracer {
  private finished: SpanRecord[] = [];
  private late: ((records: SpanRecord[]) => void) | null = null;
  /** Spans dropped because the invocation had more than `maxSpans`. */
  dropped = 0;

  constructor(private readonly maxSpans = MAX_SPANS_PER_INVOCATION) {}

  /** A span in `parent`'s trace (a new trace when null), recorded here when it ends. */
  startSpan(name: string, parent: { traceId: string; spanId: string | null; sampled: boolean } | null, options: SpanOptions = {}, spanId?: string): Span {
    return new Span(name, parent, options, (record) => this.record(record), spanId);
  }

  private record(record: SpanRecord): void {
    if (this.late) {
      this.late([record]);
      return;
    }
    if (this.finished.length >= this.maxSpans) {
      this.dropped += 1;
      return;
    }
    this.finished.push(record);
  }

  /** The spans finished so far, removed from the tracer. */
  take(): SpanRecord[] {
    const spans = this.finished;
    this.finished = [];
    return spans;
  }

  /**
   * Hands the finished spans over and sends every span that ends from now on (work the invocation
   * left running in waitUntil) straight to `late`.
   */
  close(late: (records: SpanRecord[]) => void): SpanRecord[] {
    this.late = late;
    return this.take();
  }
}

interface Active {
  tracer: Tracer;
  span: Span;
}

const active = new AsyncLocalStorage<Active>();

/** Runs `fn` with `span` (recorded by `tracer`) as the current span of its whole async call chain. */
export function runInSpan<T>(tracer: Tracer, span: Span, fn: () => T): T {
  return active.run({ tracer, span }, fn);
}

/** The current span, if a tracer is active. */
export function activeSpan(): Span | undefined {
  return active.getStore()?.span;
}

/** The traceparent of the current span, for a message or a request leaving this invocation. */
export function currentTraceparent(): string | undefined {
  return activeSpan()?.traceparent();
}

/**
 * A child of the current span (or of `parent`, or a new trace's root when `parent` is null),
 * recorded by the active tracer. With no active tracer: a no-op span that records and sends nothing.
 */
export function startSpan(name: string, options: SpanOptions & { parent?: SpanContext | null } = {}): Span {
  const current = active.getStore();
  if (!current) return new Span(name, null, options, null);
  const parent = options.parent === undefined ? current.span.context() : options.parent;
  return current.tracer.startSpan(name, parent, options);
}

export interface InSpanOptions<T> extends SpanOptions {
  /** Attributes and status from the result (e.g. an execution's status). */
  onResult?: (result: T, span: Span) => void;
  /** Attributes from a failure; the exception is recorded and the status set to error either way. */
  onError?: (error: unknown, span: Span) => void;
}

/** Runs `fn` inside a new child span of the current one, ended when `fn` settles. */
export async function inSpan<T>(name: string, options: InSpanOptions<T>, fn: (span: Span) => Promise<T>): Promise<T> {
  const current = active.getStore();
  const span = startSpan(name, options);
  try {
    const result = current ? await runInSpan(current.tracer, span, () => fn(span)) : await fn(span);
    options.onResult?.(result, span);
    return result;
  } catch (error) {
    span.recordException(error);
    options.onError?.(error, span);
    throw error;
  } finally {
    span.end();
  }
}
