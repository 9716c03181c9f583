import type { MiddlewareHandler } from "hono";
import { accessLogged, readConfig, type ConfigSource, type ServiceConfig } from "../../config";
import { recordRequestMetrics } from "../../metrics";
import { createLogger } from "../../observability/logger";
import { chooseRequestId } from "../../observability/request-id";
import { formatTraceparent, startServerSpan } from "../../observability/trace-context";
import { endRequestSpan, runRequest, startRequestSpan } from "../../tracing/http";
import type { AppEnv } from "../app-env";

/** Config is derived from the bindings object, which is reused across requests: parse it once per object. */
const configByEnv = new WeakMap<object, ServiceConfig>();

function configFor(env: Env): ServiceConfig {
  let config = configByEnv.get(env);
  if (!config) {
    config = readConfig(env as unknown as ConfigSource);
    configByEnv.set(env, config);
  }
  return config;
}

/**
 * First middleware on every request: config, request id and W3C trace context (accepted from the
 * caller, echoed back), a request-scoped logger, and a structured access-log line at the end
 * (for failed requests only, unless ACCESS_LOG says otherwise).
 */
export function requestContext(): MiddlewareHandler<AppEnv> {
  return async function requestContextMiddleware(c, next) {
    const startedAt = Date.now();
    const config = configFor(c.env);
    const requestId = chooseRequestId(c.req.header("x-request-id"));
    const trace = startServerSpan(c.req.header("traceparent"));
    const logger = createLogger({ requestId, traceId: trace.traceId, spanId: trace.spanId });
    c.set("config", config);
    c.set("requestId", requestId);
    c.set("trace", trace);
    c.set("logger", logger);
    // Tracing (docs/tracing.md): the request's HTTP server span, current for everything it calls.
    const tracing = startRequestSpan(c, trace);
    const traceparent = formatTraceparent(trace);
    // Set before the handler runs, so c.json()/c.body() build the response with them. Setting a
    // header on a finished response makes Hono copy the whole Response, which was a measurable
    // share of a trivial request; that copy is left for responses built without the context.
    c.header("X-Request-Id", requestId);
    c.header("traceparent", traceparent);
    try {
      await runRequest(tracing, next);
    } finally {
      if (c.res.headers.get("X-Request-Id") !== requestId) c.header("X-Request-Id", requestId);
      if (c.res.headers.get("traceparent") !== traceparent) c.header("traceparent", traceparent);
      endRequestSpan(c, tracing); // tracing: ends the server span, flushes the request's spans in waitUntil
      if (accessLogged(config.accessLog, c.res.status)) {
        logger.log(c.res.status >= 500 ? "error" : "info", "request", {
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          durationMs: Date.now() - startedAt,
          tenant: c.get("tenant")?.id ?? null,
        });
      }
      recordRequestMetrics(c, startedAt);
    }
  };
}
