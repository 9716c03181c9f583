import { Hono, type Context } from "hono";
import { backgroundTasks, resultCacheFor } from "../../cache";
import { GENERATION_STALENESS_MS } from "../../cache/generation-cache";
import { STATS_FLUSH_INTERVAL_MS, summarizeStats } from "../../cache/stats";
import { readHotCandidates, readMetricTotals, readStorageTotals } from "../../cache/stats-store";
import { GLOBAL_SCOPE, planInvalidation, type InvalidationCaller } from "../../cache/tags";
import { readTenantCacheSettings, updateTenantCacheSettings } from "../../cache/tenant-settings";
import { rankHottest, hotness } from "../../cache/warming";
import { extractApiKey, timingSafeEqual } from "../../auth/api-key";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors";
import { authenticate } from "../middleware/authenticate";
import { methodNotAllowed } from "../method-not-allowed";
import { readJsonBody } from "../read-json-body";
import { invalidateSchema, settingsSchema } from "../schemas/cache";
import { parseOrThrow } from "../validate";

/** Programs listed as "hottest" in GET /v1/cache/stats. */
const STATS_HOTTEST = 10;

type Caller = { kind: "admin" } | { kind: "tenant"; tenantId: string };

/**
 * The admin (ADMIN_SECRET as Bearer or X-Admin-Secret) or a tenant (API key, or the anonymous dev
 * tenant outside production), authenticated as everywhere else.
 */
async function identifyCaller(c: Context<AppEnv>): Promise<Caller> {
  const secret = c.get("config").adminSecret;
  const adminHeader = c.req.header("x-admin-secret");
  const presented = adminHeader ?? extractApiKey(c.req.raw.headers);
  if (secret && presented && timingSafeEqual(presented, secret)) return { kind: "admin" };
  if (adminHeader !== undefined) throw new ApiError("forbidden", "the admin secret is not valid");
  await authenticate()(c, async () => undefined);
  return { kind: "tenant", tenantId: c.get("tenant").id };
}

/** The tenant a request is about: the caller's own, or for the admin the `tenant` query parameter. */
function targetTenant(c: Context<AppEnv>, caller: Caller, required: boolean): string | null {
  const asked = c.req.query("tenant");
  if (caller.kind === "tenant") {
    if (asked !== undefined && asked !== caller.tenantId) throw new ApiError("forbidden", "an API key can only see its own tenant");
    return caller.tenantId;
  }
  if (asked === undefined && required) {
    throw new ApiError("validation_failed", "the admin must name a tenant: ?tenant=<id>", [{ path: "tenant", message: "is required" }]);
  }
  return asked ?? null;
}

function cacheFor(c: Context<AppEnv>) {
  return resultCacheFor(c.env, backgroundTasks(() => c.executionCtx), {
    log: (level, message, fields) => c.get("logger").log(level, message, fields),
  });
}

/** `/v1/cache`: invalidation, statistics and per-tenant settings of the result cache (docs/cache.md). */
export function cacheRoutes() {
  const app = new Hono<AppEnv>();

  app.post("/invalidate", async (c) => {
    const caller = await identifyCaller(c);
    const body = parseOrThrow(invalidateSchema, await readJsonBody(c));
    const cache = cacheFor(c);
    const who: InvalidationCaller =
      caller.kind === "admin" ? caller : { kind: "tenant", tenantId: caller.tenantId, namespace: (await cache.viewOf(caller.tenantId)).namespace };
    const plan = planInvalidation(body, who);
    if (!plan.ok) {
      const message = `${plan.path} ${plan.message}`;
      throw new ApiError(plan.status === 403 ? "forbidden" : "validation_failed", message, [{ path: plan.path, message }]);
    }
    const bumped = await cache.invalidate(plan.targets);
    return c.json({
      invalidated: bumped.map(({ scope, tag, generation }) => ({ namespace: scope === GLOBAL_SCOPE ? null : scope, tag, generation })),
      // Other isolates and colos stop serving invalidated entries within this bound.
      propagationSeconds: GENERATION_STALENESS_MS / 1000,
    });
  });
  app.all("/invalidate", methodNotAllowed("POST"));

  app.get("/stats", async (c) => {
    const caller = await identifyCaller(c);
    const tenantId = targetTenant(c, caller, false);
    const cache = cacheFor(c);
    // This isolate's pending counts first; other isolates' arrive within the flush interval.
    await cache.flushStats();
    const db = c.env.DB;
    if (tenantId === null) {
      const [metrics, storage] = await Promise.all([readMetricTotals(db, null), readStorageTotals(db, null)]);
      const all = new Map<string, number>();
      for (const perTenant of metrics.values()) for (const [metric, n] of perTenant) all.set(metric, (all.get(metric) ?? 0) + n);
      const stored = [...storage.values()].reduce((sum, s) => ({ entries: sum.entries + s.entries, bytes: sum.bytes + s.bytes }), { entries: 0, bytes: 0 });
      return c.json({
        ...summarizeStats(all),
        storage: stored,
        tenants: Object.fromEntries([...metrics].map(([tenant, counts]) => [tenant, summarizeStats(counts)])),
        namespaces: Object.fromEntries(storage),
        flushIntervalSeconds: STATS_FLUSH_INTERVAL_MS / 1000,
      });
    }
    const { namespace } = await cache.viewOf(tenantId);
    const now = Date.now();
    const [metrics, storage, candidates] = await Promise.all([
      readMetricTotals(db, tenantId),
      readStorageTotals(db, namespace),
      readHotCandidates(db, now, STATS_HOTTEST * 4, namespace),
    ]);
    return c.json({
      tenant: tenantId,
      namespace,
      ...summarizeStats(metrics.get(tenantId) ?? new Map()),
      storage: storage.get(namespace) ?? { entries: 0, bytes: 0 },
      hottest: rankHottest(candidates, now, STATS_HOTTEST).map((row) => ({ key: row.programKey, recentRequests: hotness(row, now) })),
      flushIntervalSeconds: STATS_FLUSH_INTERVAL_MS / 1000,
    });
  });
  app.all("/stats", methodNotAllowed("GET"));

  app.get("/settings", async (c) => {
    const tenantId = targetTenant(c, await identifyCaller(c), true)!;
    const settings = await readTenantCacheSettings(c.env.DB, tenantId);
    return c.json(settingsResponse(tenantId, settings ?? { shared: false, swrSeconds: 0 }));
  });
  app.patch("/settings", async (c) => {
    const tenantId = targetTenant(c, await identifyCaller(c), true)!;
    const body = parseOrThrow(settingsSchema, await readJsonBody(c));
    const updated = await updateTenantCacheSettings(c.env.DB, tenantId, { shared: body.shared, swrSeconds: body.staleWhileRevalidateSeconds });
    if (!updated) throw new ApiError("not_found", `tenant '${tenantId}' does not exist (settings are kept on the tenant)`);
    cacheFor(c).forgetTenant(tenantId);
    return c.json(settingsResponse(tenantId, updated));
  });
  app.all("/settings", methodNotAllowed("GET", "PATCH"));

  return app;
}

function settingsResponse(tenantId: string, settings: { shared: boolean; swrSeconds: number }) {
  return {
    tenant: tenantId,
    shared: settings.shared,
    namespace: settings.shared ? "shared" : tenantId,
    staleWhileRevalidateSeconds: settings.swrSeconds,
    // Other isolates apply a change within the generation staleness bound.
    propagationSeconds: GENERATION_STALENESS_MS / 1000,
  };
}
