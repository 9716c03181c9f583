import { parseTraceparent } from "../observability/trace-context";
import { exportTracer, type FlushEnv } from "./flush";
import type { Attributes, Span } from "./span";
import { runInSpan, Tracer } from "./tracer";

/**
 * The server span of a Durable Object RPC call whose caller sent its trace context (docs/tracing.md):
 * a child of the caller's client span, exported by the object itself after the call (ctx.waitUntil).
 * Without a (valid) traceparent the call runs untraced.
 */
export async function traceDurableObjectCall<T>(
  env: FlushEnv,
  ctx: Pick<DurableObjectState, "waitUntil">,
  name: string,
  traceparent: string | undefined,
  attributes: Attributes,
  call: () => Promise<T>,
  onResult?: (result: T, span: Span) => void,
): Promise<T> {
  const parent = parseTraceparent(traceparent);
  if (!parent) return call();
  const tracer = new Tracer();
  const span = tracer.startSpan(name, { traceId: parent.traceId, spanId: parent.parentSpanId, sampled: (parent.flags & 1) === 1 }, { kind: "server", attributes });
  try {
    const result = await runInSpan(tracer, span, call);
    onResult?.(result, span);
    return result;
  } catch (error) {
    span.recordException(error);
    throw error;
  } finally {
    span.end();
    exportTracer(tracer, env, (promise) => ctx.waitUntil(promise));
  }
}
