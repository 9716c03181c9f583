import { Hono, type MiddlewareHandler } from "hono";
import { flushMetrics, readRollups, readTotals } from "../../metrics";
import { gatherLive, withTimeout } from "../../metrics/live";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "../../metrics/prometheus";
import {
  DEFAULT_WINDOW_MINUTES,
  MAX_WINDOW_MINUTES,
  PROMETHEUS_QUANTILE_WINDOW_MINUTES,
  buildMetricsReport,
  buildPrometheusFamilies,
  metricsWindow,
} from "../../metrics/report";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors";
import { methodNotAllowed } from "../method-not-allowed";
import { requireAdmin } from "../middleware/require-admin";

/** The calling isolate's own pending counts are flushed first, waiting at most this long. */
const FLUSH_TIMEOUT_MS = 2_000;
/** The rollup store must answer within this long, else the endpoints answer 503. */
const STORE_TIMEOUT_MS = 5_000;

/**
 * In production (ENVIRONMENT=production) the metrics need the admin secret; elsewhere they are
 * open, so the local dashboard works with `npm start`.
 */
function metricsAccess(): MiddlewareHandler<AppEnv> {
  const admin = requireAdmin();
  return (c, next) => (c.get("config").production ? admin(c, next) : next());
}

function windowMinutes(raw: string | undefined): number {
  if (raw === undefined || raw === "") return DEFAULT_WINDOW_MINUTES;
  const minutes = Number(raw);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_WINDOW_MINUTES) {
    throw new ApiError("validation_failed", `minutes must be an integer from 1 to ${MAX_WINDOW_MINUTES}`, [
      { path: "query.minutes", message: `must be an integer from 1 to ${MAX_WINDOW_MINUTES}` },
    ]);
  }
  return minutes;
}

async function fromStore<T>(promise: Promise<T>): Promise<T> {
  const answer = await withTimeout(promise, STORE_TIMEOUT_MS);
  if (answer === undefined) throw new ApiError("service_unavailable", "the metrics store did not answer; try again", [], { "Retry-After": "5" });
  return answer;
}

/** `GET /v1/metrics?minutes=15`: the local dashboard's JSON (docs/metrics.md). */
export function metricsRoutes() {
  const app = new Hono<AppEnv>();
  app.use("*", metricsAccess());
  app.get("/", async (c) => {
    const minutes = windowMinutes(c.req.query("minutes"));
    await withTimeout(flushMetrics(c.env), FLUSH_TIMEOUT_MS);
    const now = Date.now();
    const { from, to } = metricsWindow(now, minutes);
    const [rollups, live] = await Promise.all([fromStore(readRollups(c.env, { from, to })), gatherLive(c.env, now)]);
    c.header("Cache-Control", "no-store");
    return c.json(buildMetricsReport(rollups, live, { from, to, minutes }));
  });
  app.all("/", methodNotAllowed("GET"));
  return app;
}

/**
 * `GET /metrics`: Prometheus text exposition format 0.0.4. When the rollup store does not answer
 * the scrape fails (503) rather than report counters that went back to zero.
 */
export function prometheusRoutes() {
  const app = new Hono<AppEnv>();
  app.use("*", metricsAccess());
  app.get("/", async (c) => {
    await withTimeout(flushMetrics(c.env), FLUSH_TIMEOUT_MS);
    const now = Date.now();
    const { from, to } = metricsWindow(now, PROMETHEUS_QUANTILE_WINDOW_MINUTES);
    const [totals, recent, live] = await Promise.all([
      fromStore(readTotals(c.env)),
      fromStore(readRollups(c.env, { from, to })),
      gatherLive(c.env, now),
    ]);
    return c.body(renderPrometheus(buildPrometheusFamilies(totals, recent, live)), 200, {
      "Content-Type": PROMETHEUS_CONTENT_TYPE,
      "Cache-Control": "no-store",
    });
  });
  app.all("/", methodNotAllowed("GET"));
  return app;
}
