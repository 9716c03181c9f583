import { Hono, type MiddlewareHandler } from "hono";
import { DEFAULT_HORIZON_HOURS, MAX_HORIZON_HOURS } from "../../capacity/plan";
import { currentCapacityPlan } from "../../capacity/sources";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors";
import { methodNotAllowed } from "../method-not-allowed";
import { requireAdmin } from "../middleware/require-admin";

// `GET /v1/capacity?hours=6` (docs/capacity.md): per-region request-rate forecast and the capacity
// it needs. An operator endpoint like the metrics ones: the admin secret in production, open
// elsewhere (so `npm start` shows it without setup).

/** The metrics store and D1 must answer within this long, else 503. */
const SOURCES_TIMEOUT_MS = 10_000;

function operatorAccess(): MiddlewareHandler<AppEnv> {
  const admin = requireAdmin();
  return (c, next) => (c.get("config").production ? admin(c, next) : next());
}

function horizonHours(raw: string | undefined): number {
  if (raw === undefined || raw === "") return DEFAULT_HORIZON_HOURS;
  const hours = Number(raw);
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_HORIZON_HOURS) {
    throw new ApiError("validation_failed", `hours must be an integer from 1 to ${MAX_HORIZON_HOURS}`, [
      { path: "query.hours", message: `must be an integer from 1 to ${MAX_HORIZON_HOURS}` },
    ]);
  }
  return hours;
}

export function capacityRoutes() {
  const app = new Hono<AppEnv>();
  app.use("*", operatorAccess());
  app.get("/", async (c) => {
    const hours = horizonHours(c.req.query("hours"));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, SOURCES_TIMEOUT_MS, undefined);
    });
    try {
      const plan = await Promise.race([currentCapacityPlan(c.env, Date.now(), hours), timeout]);
      if (plan === undefined) throw new ApiError("service_unavailable", "the metrics store did not answer; try again", [], { "Retry-After": "5" });
      c.header("Cache-Control", "no-store");
      return c.json(plan);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  });
  app.all("/", methodNotAllowed("GET"));
  return app;
}
