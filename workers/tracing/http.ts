import type { Context } from "hono";
import { routePath } from "hono/route";
import type { AppEnv } from "../api/app-env";
import type { TraceContext } from "../observability/trace-context";
import { sampledByRatio } from "./config";
import { exportTracer, tracingConfigFor } from "./flush";
import type { Span } from "./span";
import { runInSpan, Tracer } from "./tracer";

// The HTTP server span of every request the Worker serves (docs/tracing.md). The request-context
// middleware opens it with the ids of the request's TraceContext (so the traceparent the response
// carries names it), runs the rest of the request inside it, and closes it and queues its spans for
// export at the end.

export interface RequestTracing {
  tracer: Tracer;
  span: Span;
}

/** Opens the request's server span; may turn `trace.sampled` off for a new trace (OTEL_TRACES_SAMPLER_ARG). */
export function startRequestSpan(c: Context<AppEnv>, trace: TraceContext): RequestTracing {
  const config = tracingConfigFor(c.env);
  if (trace.parentSpanId === null && !sampledByRatio(trace.traceId, config.sampleRatio)) trace.sampled = false;
  const url = new URL(c.req.url);
  const tracer = new Tracer();
  const span = tracer.startSpan(
    c.req.method,
    { traceId: trace.traceId, spanId: trace.parentSpanId, sampled: trace.sampled },
    {
      kind: "server",
      attributes: {
        "http.request.method": c.req.method,
        "url.path": url.pathname,
        "url.scheme": url.protocol.replace(/:$/, ""),
        "server.address": url.hostname,
        "user_agent.original": c.req.header("user-agent"),
        "edgebox.request_id": c.get("requestId"),
      },
    },
    trace.spanId,
  );
  return { tracer, span };
}

/** Runs the rest of the request with the server span current. */
export function runRequest<T>(tracing: RequestTracing, next: () => Promise<T>): Promise<T> {
  return runInSpan(tracing.tracer, tracing.span, next);
}

function waitUntilOf(c: Context<AppEnv>): (promise: Promise<unknown>) => void {
  try {
    const ctx = c.executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    // No execution context (app.request() in tests): let it run on its own.
    return (promise) => void promise.catch(() => undefined);
  }
}

/** Ends the server span with what the response says, and queues the request's spans for export. */
export function endRequestSpan(c: Context<AppEnv>, tracing: RequestTracing): void {
  try {
    finish(c, tracing);
  } catch (error) {
    // Tracing must never turn a response into an error.
    c.get("logger")?.log("warn", "could not finish the request's trace", { error: String(error) });
  }
}

function finish(c: Context<AppEnv>, tracing: RequestTracing): void {
  const { span, tracer } = tracing;
  const route = routePath(c);
  const status = c.res.status;
  if (route && route !== "*" && route !== "/*") {
    span.name = `${c.req.method} ${route}`;
    span.setAttribute("http.route", route);
  }
  span.setAttributes({
    "http.response.status_code": status,
    "edgebox.tenant": c.get("tenant")?.id,
    "edgebox.cache.status": c.res.headers.get("x-cache") ?? undefined,
    "edgebox.region": c.res.headers.get("x-edgebox-region") ?? undefined,
    "edgebox.backend": c.res.headers.get("x-edgebox-backend") ?? undefined,
  });
  // Server spans: 5xx is an error of ours; a 4xx is the client's and leaves the status unset.
  if (status >= 500) span.setStatus("error", `HTTP ${status}`).setAttribute("error.type", String(status));
  span.end();
  exportTracer(tracer, c.env, waitUntilOf(c));
}
