import { Hono, type Context } from "hono";
import type { z } from "zod";
import { openDatabase } from "../../db/client";
import {
  createBackend,
  createRegion,
  deleteBackend,
  deleteRegion,
  getBackend,
  getRegion,
  listBackends,
  listRegions,
  updateBackend,
  updateRegion,
  type BackendWriteFailure,
  type StoredBackend,
  type StoredRegion,
} from "../../db/topology";
import { checkBackend } from "../../pools/backend-check";
import { poolStub } from "../../pools/pool-client";
import { breakerStub, startBackendMonitoring } from "../../pools/start-region-pools";
import { forgetTopology } from "../../pools/topology-cache";
import { DEFAULT_MAX_CONCURRENCY } from "../../routing/effective-topology";
import type { AppEnv } from "../app-env";
import { ApiError, type FieldError } from "../errors";
import { methodNotAllowed } from "../method-not-allowed";
import { requireAdmin } from "../middleware/require-admin";
import { readJsonBody } from "../read-json-body";
import {
  backendRuleErrors,
  createBackendSchema,
  createRegionSchema,
  updateBackendSchema,
  updateRegionSchema,
} from "../schemas/topology";
import { toFieldErrors } from "../validate";

// Admin API for the regional pools' topology (docs/api.md). Every write makes this isolate's
// topology copy stale at once; other isolates pick changes up within TOPOLOGY_REFRESH_MS.

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A new or re-pointed remote backend is probed before the admin call returns, so its runtimes are
 * routable at once, and its region's pool is woken so periodic health checks start.
 */
async function checkedNow(c: Context<AppEnv>, db: ReturnType<typeof openDatabase>, backend: StoredBackend): Promise<StoredBackend> {
  if (backend.kind !== "piston" || !backend.enabled) return backend;
  await checkBackend(db, backend);
  const region = await getRegion(db, backend.regionId);
  if (region) await startBackendMonitoring(c.env, backend, region);
  forgetTopology(c.env);
  return (await getBackend(db, backend.id)) ?? backend;
}

function presentRegion(region: StoredRegion) {
  return {
    id: region.id,
    name: region.name,
    latitude: region.latitude,
    longitude: region.longitude,
    locationHint: region.locationHint,
    countries: region.countries,
    continents: region.continents,
    policy: region.policy,
    sessionFailover: region.sessionFailover,
    affinityTtlSeconds: region.affinityTtlSeconds,
    isDefault: region.isDefault,
    enabled: region.enabled,
    createdAt: iso(region.createdAt),
    updatedAt: iso(region.updatedAt),
  };
}

function presentBackend(backend: StoredBackend) {
  return {
    id: backend.id,
    regionId: backend.regionId,
    kind: backend.kind,
    url: backend.url,
    weight: backend.weight,
    maxConcurrency: backend.maxConcurrency,
    minConcurrency: backend.minConcurrency,
    languages: backend.languages,
    enabled: backend.enabled,
    runtimes: backend.runtimes,
    healthy: backend.healthy,
    lastCheckedAt: backend.lastCheckedAt === null ? null : iso(backend.lastCheckedAt),
    createdAt: iso(backend.createdAt),
    updatedAt: iso(backend.updatedAt),
  };
}

function invalid(details: FieldError[]): ApiError {
  return new ApiError("validation_failed", details[0]?.message ?? "invalid request", details);
}

const regionNotFound = (id: string) => new ApiError("not_found", `region '${id}' does not exist`);
const backendNotFound = (id: string) => new ApiError("not_found", `backend '${id}' does not exist`);

function backendWriteError(reason: BackendWriteFailure, backend: { id: string; regionId: string }): ApiError {
  switch (reason) {
    case "exists":
      return new ApiError("conflict", `backend '${backend.id}' already exists`);
    case "builtin_exists":
      return new ApiError("conflict", `region '${backend.regionId}' already has a builtin backend (at most one per region)`);
    case "unknown_region":
      return invalid([{ path: "regionId", message: `regionId names no region: '${backend.regionId}'` }]);
    case "not_found":
      return backendNotFound(backend.id);
  }
}

/**
 * Like parseOrThrow, but an unknown field is reported at its own path ("location_hint is not a
 * known field") rather than as one pathless "Unrecognized key" issue, so a client that sends
 * snake_case names learns exactly which ones.
 */
function parseBody<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue): z.core.$ZodIssue[] =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ code: "custom", input: undefined, path: [...issue.path, key], message: "is not a known field" }))
      : [issue],
  );
  throw invalid(toFieldErrors(issues));
}

/** `?cascade=true|false` (absent = false). */
function cascadeParam(c: Context<AppEnv>): boolean {
  const value = c.req.query("cascade");
  if (value === undefined || value === "false") return false;
  if (value === "true") return true;
  throw invalid([{ path: "cascade", message: "cascade must be true or false" }]);
}

/** Only the fields the caller sent (zod output of a PATCH body has no defaults). */
function defined<T extends Record<string, unknown>>(body: T): Partial<T> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** `/v1/admin/regions` and `/v1/admin/backends` (ADMIN_SECRET). */
export function adminTopologyRoutes() {
  const app = new Hono<AppEnv>();
  app.use("/regions", requireAdmin());
  app.use("/regions/*", requireAdmin());
  app.use("/backends", requireAdmin());
  app.use("/backends/*", requireAdmin());

  // ---- Regions

  app.get("/regions", async (c) => {
    const regions = await listRegions(openDatabase(c.env.DB));
    return c.json({ regions: regions.map(presentRegion) });
  });
  app.post("/regions", async (c) => {
    const { id, name, latitude, longitude, locationHint, countries, continents, policy, sessionFailover, affinityTtlSeconds, isDefault, enabled } =
      parseBody(createRegionSchema, await readJsonBody(c));
    const result = await createRegion(openDatabase(c.env.DB), {
      id,
      name,
      latitude,
      longitude,
      locationHint,
      countries,
      continents,
      policy,
      sessionFailover,
      affinityTtlSeconds,
      isDefault,
      enabled,
    });
    if (!result.ok) throw new ApiError("conflict", `region '${id}' already exists`);
    forgetTopology(c.env);
    return c.json(presentRegion(result.region), 201);
  });
  app.all("/regions", methodNotAllowed("GET", "POST"));

  app.get("/regions/:regionId", async (c) => {
    const id = c.req.param("regionId");
    const region = await getRegion(openDatabase(c.env.DB), id);
    if (!region) throw regionNotFound(id);
    return c.json(presentRegion(region));
  });
  app.patch("/regions/:regionId", async (c) => {
    const id = c.req.param("regionId");
    const changes = defined(parseBody(updateRegionSchema, await readJsonBody(c)));
    const region = await updateRegion(openDatabase(c.env.DB), id, changes);
    if (!region) throw regionNotFound(id);
    forgetTopology(c.env);
    return c.json(presentRegion(region));
  });
  app.delete("/regions/:regionId", async (c) => {
    const id = c.req.param("regionId");
    const cascade = cascadeParam(c);
    const result = await deleteRegion(openDatabase(c.env.DB), id, { cascade });
    if (!result.ok) {
      if (result.reason === "not_found") throw regionNotFound(id);
      throw new ApiError(
        "conflict",
        `region '${id}' still has backends (${result.backends.join(", ")}); delete them first or use ?cascade=true`,
      );
    }
    forgetTopology(c.env);
    return c.json({ ...presentRegion(result.region), deletedBackends: result.deletedBackends });
  });
  app.all("/regions/:regionId", methodNotAllowed("GET", "PATCH", "DELETE"));

  // ---- Backends

  app.get("/backends", async (c) => {
    const db = openDatabase(c.env.DB);
    const regionId = c.req.query("region");
    if (regionId !== undefined && !(await getRegion(db, regionId))) {
      throw invalid([{ path: "region", message: `region names no region: '${regionId}'` }]);
    }
    const backends = await listBackends(db, regionId === undefined ? {} : { regionId });
    return c.json({ backends: backends.map(presentBackend) });
  });
  app.post("/backends", async (c) => {
    const body = parseBody(createBackendSchema, await readJsonBody(c));
    const backend = {
      id: body.id,
      regionId: body.regionId,
      kind: body.kind,
      url: body.url,
      weight: body.weight,
      maxConcurrency: body.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY[body.kind],
      minConcurrency: body.minConcurrency,
      languages: body.languages,
      enabled: body.enabled,
    };
    const errors = backendRuleErrors(backend);
    if (errors.length > 0) throw invalid(errors);
    const db = openDatabase(c.env.DB);
    const result = await createBackend(db, backend);
    if (!result.ok) throw backendWriteError(result.reason, backend);
    forgetTopology(c.env);
    return c.json(presentBackend(await checkedNow(c, db, result.backend)), 201);
  });
  app.all("/backends", methodNotAllowed("GET", "POST"));

  app.get("/backends/:backendId", async (c) => {
    const id = c.req.param("backendId");
    const backend = await getBackend(openDatabase(c.env.DB), id);
    if (!backend) throw backendNotFound(id);
    return c.json(presentBackend(backend));
  });
  app.patch("/backends/:backendId", async (c) => {
    const id = c.req.param("backendId");
    const changes = defined(parseBody(updateBackendSchema, await readJsonBody(c)));
    const db = openDatabase(c.env.DB);
    const current = await getBackend(db, id);
    if (!current) throw backendNotFound(id);
    const merged = { ...current, ...changes };
    const errors = backendRuleErrors(merged);
    if (errors.length > 0) throw invalid(errors);
    const result = await updateBackend(db, id, changes);
    if (!result.ok) throw backendWriteError(result.reason, merged);
    forgetTopology(c.env);
    const reprobe = changes.url !== undefined || changes.enabled === true || changes.regionId !== undefined;
    return c.json(presentBackend(reprobe ? await checkedNow(c, db, result.backend) : result.backend));
  });
  app.delete("/backends/:backendId", async (c) => {
    const id = c.req.param("backendId");
    const backend = await deleteBackend(openDatabase(c.env.DB), id);
    if (!backend) throw backendNotFound(id);
    forgetTopology(c.env);
    return c.json(presentBackend(backend));
  });
  app.all("/backends/:backendId", methodNotAllowed("GET", "PATCH", "DELETE"));

  /** Probes a backend now instead of waiting for its pool's next health check. */
  app.post("/backends/:backendId/check", async (c) => {
    const id = c.req.param("backendId");
    const db = openDatabase(c.env.DB);
    const backend = await getBackend(db, id);
    if (!backend) throw backendNotFound(id);
    const check = await checkBackend(db, backend);
    forgetTopology(c.env);
    const after = (await getBackend(db, id)) ?? backend;
    return c.json({ check, backend: presentBackend(after) });
  });
  app.all("/backends/:backendId/check", methodNotAllowed("POST"));

  /** A backend's breaker and probe state with its recent transitions. */
  app.get("/backends/:backendId/health", async (c) => {
    const id = c.req.param("backendId");
    const backend = await getBackend(openDatabase(c.env.DB), id);
    if (!backend) throw backendNotFound(id);
    if (backend.kind !== "piston") throw new ApiError("validation_failed", `backend '${id}' is built in: it has no breaker or probes`);
    return c.json(await breakerStub(c.env, id).details());
  });
  app.all("/backends/:backendId/health", methodNotAllowed("GET"));

  /** Operator override of a backend's circuit breaker: {"action": "open" | "close" | "reset"}. */
  app.post("/backends/:backendId/breaker", async (c) => {
    const id = c.req.param("backendId");
    const body = (await readJsonBody(c)) as { action?: unknown } | null;
    const actions = { open: "open", close: "closed", reset: "reset" } as const;
    const action = typeof body === "object" && body !== null && typeof body.action === "string" ? body.action : undefined;
    if (action === undefined || !(action in actions)) {
      throw new ApiError("validation_failed", 'action must be "open", "close" or "reset"', [
        { path: "action", message: 'must be "open", "close" or "reset"' },
      ]);
    }
    const db = openDatabase(c.env.DB);
    const backend = await getBackend(db, id);
    if (!backend) throw backendNotFound(id);
    if (backend.kind !== "piston") throw new ApiError("validation_failed", `backend '${id}' is built in: it has no breaker`);
    const region = await getRegion(db, backend.regionId);
    if (region) await startBackendMonitoring(c.env, backend, region);
    return c.json(await breakerStub(c.env, id).force(actions[action as keyof typeof actions]));
  });
  app.all("/backends/:backendId/breaker", methodNotAllowed("POST"));

  /** The region pool's live view: in-flight, adaptive limits, scaling advice, sessions. */
  app.get("/regions/:regionId/pool", async (c) => {
    const id = c.req.param("regionId");
    const region = await getRegion(openDatabase(c.env.DB), id);
    if (!region) throw regionNotFound(id);
    return c.json(await poolStub(c.env, region).snapshot());
  });
  app.all("/regions/:regionId/pool", methodNotAllowed("GET"));

  return app;
}
