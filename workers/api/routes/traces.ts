import { Hono, type MiddlewareHandler } from "hono";
import { flushPendingSpans } from "../../tracing/flush";
import { readTrace } from "../../tracing/store";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors";
import { methodNotAllowed } from "../method-not-allowed";
import { requireAdmin } from "../middleware/require-admin";

const TRACE_ID = /^[0-9a-f]{32}$/;

/** Operator endpoint: the admin secret in production, open in development (docs/tracing.md). */
function operatorOnlyInProduction(): MiddlewareHandler<AppEnv> {
  const admin = requireAdmin();
  return (c, next) => (c.get("config").production ? admin(c, next) : next());
}

/**
 * `GET /v1/traces/:traceId`: a recent trace (kept for an hour, see docs/tracing.md) as
 * `{traceId, spans}`, spans sorted by start time; 404 when it is unknown or expired. Spans still
 * queued in another isolate show up within OTEL_BSP_SCHEDULE_DELAY.
 */
export function traceRoutes() {
  const app = new Hono<AppEnv>();
  app.use("*", operatorOnlyInProduction());
  app.get("/:traceId", async (c) => {
    const traceId = c.req.param("traceId").toLowerCase();
    if (!TRACE_ID.test(traceId) || /^0+$/.test(traceId)) {
      throw new ApiError("validation_failed", "traceId must be 32 hexadecimal digits (the trace-id of a W3C traceparent)", [
        { path: "traceId", message: "must be 32 hexadecimal digits, not all zero" },
      ]);
    }
    // Spans wait in their isolate's queue for up to OTEL_BSP_SCHEDULE_DELAY; send this isolate's
    // first, so a trace made here (always, under `wrangler dev`) is complete when read.
    await flushPendingSpans();
    const spans = await readTrace(c.env, traceId);
    if (!spans || spans.length === 0) throw new ApiError("not_found", `no recent trace ${traceId}; traces are kept for an hour`);
    return c.json({ traceId, spans });
  });
  app.all("/:traceId", methodNotAllowed("GET"));
  return app;
}
