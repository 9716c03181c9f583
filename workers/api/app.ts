import { Hono, type Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { reportError } from "../observability/report-error";
import type { AppEnv } from "./app-env";
import { ApiError, errorEnvelope } from "./errors";
import { requestContext } from "./middleware/request-context";
import { methodNotAllowed } from "./method-not-allowed";
import { buildOpenApiDocument } from "./openapi";
import { judge0Routes } from "../judge0/routes";
import { adminRoutes } from "./routes/admin";
import { adminJobRoutes } from "./routes/admin-jobs";
import { dashboardRoutes } from "./routes/dashboard";
import { adminTopologyRoutes } from "./routes/admin-topology";
import { alertRoutes } from "./routes/alerts";
import { cacheRoutes } from "./routes/cache";
import { capacityRoutes } from "./routes/capacity";
import { executionRoutes } from "./routes/executions";
import { healthRoutes } from "./routes/health";
import { metricsRoutes, prometheusRoutes } from "./routes/metrics";
import { jobRoutes } from "./routes/jobs";
import { pistonRoutes } from "./routes/piston";
import { runtimeRoutes } from "./routes/runtimes";
import { traceRoutes } from "./routes/traces";

function respondWithError(c: Context<AppEnv>, error: ApiError) {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json(errorEnvelope(error, c.get("requestId") ?? "unknown"), error.status);
}

function toApiError(error: HTTPException): ApiError {
  if (error.status === 413) return new ApiError("payload_too_large", "request body is too large");
  if (error.status === 401) return new ApiError("unauthorized", error.message || "unauthorized");
  if (error.status === 403) return new ApiError("forbidden", error.message || "forbidden");
  if (error.status === 404) return new ApiError("not_found", error.message || "not found");
  if (error.status >= 400 && error.status < 500) return new ApiError("validation_failed", error.message || "bad request");
  return new ApiError("internal_error", "internal error");
}

/** The whole HTTP surface: one sub-app per resource, one error envelope. */
export function createApp() {
  const app = new Hono<AppEnv>();
  app.use("*", requestContext());

  // Piston v2, at its own path and under the prefix the public Piston host uses.
  app.route("/api/v2", pistonRoutes());
  app.route("/api/v2/piston", pistonRoutes());

  app.route("/v1/executions", executionRoutes());
  app.route("/v1/jobs", jobRoutes());
  app.route("/v1/runtimes", runtimeRoutes());
  app.route("/v1/health", healthRoutes());
  app.route("/v1/traces", traceRoutes());
  app.route("/v1/admin", adminRoutes());
  app.route("/v1/admin", adminTopologyRoutes());
  app.route("/v1/admin", adminJobRoutes());
  app.route("/v1/admin", alertRoutes());
  app.route("/v1/cache", cacheRoutes());
  app.route("/v1/capacity", capacityRoutes());
  app.route("/v1/metrics", metricsRoutes());
  app.route("/metrics", prometheusRoutes());
  app.route("/dashboard", dashboardRoutes());

  // Judge0 CE (docs/judge0.md): at the root, since Judge0 clients take a base URL, and under /judge0.
  app.route("/", judge0Routes());
  app.route("/judge0", judge0Routes());

  app.get("/openapi.json", (c) =>
    c.json(buildOpenApiDocument(c.get("config").limitMaxima, new URL(c.req.url).origin)),
  );
  app.all("/openapi.json", methodNotAllowed("GET"));

  app.get("/", (c) =>
    c.json({
      service: "edgebox",
      docs: "/openapi.json",
      endpoints: [
        "POST /v1/executions",
        "POST /v1/jobs",
        "POST /v1/jobs/batch",
        "GET /v1/jobs",
        "GET /v1/jobs/:id",
        "DELETE /v1/jobs/:id",
        "GET /v1/runtimes",
        "GET /v1/health",
        "POST /v1/cache/invalidate",
        "GET /v1/cache/stats",
        "POST /api/v2/execute",
        "GET /api/v2/runtimes",
        "POST /submissions",
        "GET /submissions/:token",
        "POST /submissions/batch",
        "GET /submissions/batch",
        "GET /languages",
        "GET /statuses",
      ],
    }),
  );

  app.notFound((c) => respondWithError(c, new ApiError("not_found", `no route for ${c.req.method} ${c.req.path}`)));

  app.onError((error, c) => {
    if (error instanceof ApiError) return respondWithError(c, error);
    if (error instanceof HTTPException) return respondWithError(c, toApiError(error));
    // Anything else is our bug: log it in full, report it, and tell the client nothing internal.
    c.get("logger")?.log("error", "unhandled error", {
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      stack: error instanceof Error ? error.stack ?? null : null,
    });
    let waitUntil: ((promise: Promise<unknown>) => void) | null = null;
    try {
      const ctx = c.executionCtx;
      waitUntil = ctx.waitUntil.bind(ctx);
    } catch {
      // No execution context (direct app.request() in tests).
    }
    reportError(error, {
      dsn: c.get("config")?.sentryDsn ?? null,
      request: c.req.raw,
      waitUntil,
      requestId: c.get("requestId") ?? "unknown",
      tenant: c.get("tenant")?.id ?? null,
      route: c.req.routePath,
    });
    return respondWithError(c, new ApiError("internal_error", "internal error; quote the request id when reporting it"));
  });

  return app;
}
