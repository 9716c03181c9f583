import { and, asc, eq, ne, sql } from "drizzle-orm";
import type { Backend, BackendRuntime, Region } from "../routing/types";
import type { Database } from "./client";
import { backends, regions } from "./schema";

// The stored topology of the regional pools: regions and their backends (docs/storage-schema.md).
// Validation lives in the admin API (workers/api/schemas/topology.ts); this module keeps only the
// invariants the database must hold under concurrent writers: unique ids, at most one default
// region, at most one builtin backend per region, no backend without its region.

/** A region as stored, with its timestamps (ms since epoch). */
export interface StoredRegion extends Region {
  createdAt: number;
  updatedAt: number;
}

/** A backend as stored, with its timestamps (ms since epoch). */
export interface StoredBackend extends Backend {
  createdAt: number;
  updatedAt: number;
}

/** What an admin sets on a backend; health and runtimes come from probes (recordBackendCheck). */
export type BackendSettings = Omit<Backend, "runtimes" | "healthy" | "lastCheckedAt">;

export type RegionChanges = Partial<Omit<Region, "id">>;
export type BackendChanges = Partial<Omit<BackendSettings, "id">>;

/** Why a backend could not be written. */
export type BackendWriteFailure =
  | "exists" // the id is taken
  | "unknown_region" // regionId names no region
  | "builtin_exists" // the region already has a builtin backend
  | "not_found"; // (update) no backend with that id

export type CreateRegionResult = { ok: true; region: StoredRegion } | { ok: false; reason: "exists" };
export type DeleteRegionResult =
  | { ok: true; region: StoredRegion; deletedBackends: string[] }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "has_backends"; backends: string[] };
export type BackendWriteResult = { ok: true; backend: StoredBackend } | { ok: false; reason: BackendWriteFailure };

// Column maps: exactly the fields of Region / Backend, so loadTopology returns the shared types and
// nothing else.
const regionFields = {
  id: regions.id,
  name: regions.name,
  latitude: regions.latitude,
  longitude: regions.longitude,
  locationHint: regions.locationHint,
  countries: regions.countries,
  continents: regions.continents,
  policy: regions.policy,
  sessionFailover: regions.sessionFailover,
  affinityTtlSeconds: regions.affinityTtlSeconds,
  isDefault: regions.isDefault,
  enabled: regions.enabled,
};

const backendFields = {
  id: backends.id,
  regionId: backends.regionId,
  kind: backends.kind,
  url: backends.url,
  weight: backends.weight,
  maxConcurrency: backends.maxConcurrency,
  minConcurrency: backends.minConcurrency,
  languages: backends.languages,
  enabled: backends.enabled,
  runtimes: backends.runtimes,
  healthy: backends.healthy,
  lastCheckedAt: backends.lastCheckedAt,
};

/**
 * The SQLite constraint a failed statement broke ("UNIQUE constraint failed: backends.id",
 * "FOREIGN KEY constraint failed"), looking through drizzle's wrapping; null for other errors.
 */
function constraintFailure(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const match = /(?:UNIQUE|FOREIGN KEY) constraint failed(?:: [\w.]+(?:, [\w.]+)*)?/.exec(e.message);
    if (match) return match[0];
  }
  return null;
}

function backendFailure(error: unknown): BackendWriteFailure | null {
  const failure = constraintFailure(error);
  if (failure === null) return null;
  if (failure.startsWith("FOREIGN KEY")) return "unknown_region";
  if (failure.includes("backends.region_id")) return "builtin_exists";
  if (failure.includes("backends.id")) return "exists";
  return null;
}

// ---- Regions

export async function listRegions(db: Database): Promise<StoredRegion[]> {
  return db.select().from(regions).orderBy(asc(regions.id));
}

export async function getRegion(db: Database, id: string): Promise<StoredRegion | null> {
  const rows = await db.select().from(regions).where(eq(regions.id, id)).limit(1);
  return rows[0] ?? null;
}

/**
 * Inserts a region. A new default region takes over from the previous default in the same batch
 * (one transaction), so there is never a moment with two defaults, and a failed insert (id taken)
 * leaves the previous default in place.
 */
export async function createRegion(db: Database, region: Region, now: number = Date.now()): Promise<CreateRegionResult> {
  const insert = db
    .insert(regions)
    .values({ ...region, createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .returning();
  let rows: StoredRegion[];
  if (region.isDefault) {
    const [, inserted] = await db.batch([
      db
        .update(regions)
        .set({ isDefault: false, updatedAt: now })
        .where(and(eq(regions.isDefault, true), sql`not exists (select 1 from "regions" as r where r."id" = ${region.id})`)),
      insert,
    ]);
    rows = inserted;
  } else {
    rows = await insert;
  }
  return rows[0] ? { ok: true, region: rows[0] } : { ok: false, reason: "exists" };
}

/**
 * Applies `changes` to a region; null when there is no such region. Making a region the default
 * unsets the previous default in the same batch.
 */
export async function updateRegion(
  db: Database,
  id: string,
  changes: RegionChanges,
  now: number = Date.now(),
): Promise<StoredRegion | null> {
  const update = db
    .update(regions)
    .set({ ...changes, updatedAt: now })
    .where(eq(regions.id, id))
    .returning();
  let rows: StoredRegion[];
  if (changes.isDefault === true) {
    const [, updated] = await db.batch([
      db
        .update(regions)
        .set({ isDefault: false, updatedAt: now })
        .where(
          and(
            eq(regions.isDefault, true),
            ne(regions.id, id),
            sql`exists (select 1 from "regions" as r where r."id" = ${id})`,
          ),
        ),
      update,
    ]);
    rows = updated;
  } else {
    rows = await update;
  }
  return rows[0] ?? null;
}

/**
 * Deletes a region. Without `cascade` a region that still has backends is kept (checked in the
 * same statement as the delete, so a backend added concurrently is never orphaned); with it, the
 * region and its backends go in one batch.
 */
export async function deleteRegion(db: Database, id: string, options: { cascade?: boolean } = {}): Promise<DeleteRegionResult> {
  if (options.cascade) {
    const [deletedBackends, deleted] = await db.batch([
      db.delete(backends).where(eq(backends.regionId, id)).returning({ id: backends.id }),
      db.delete(regions).where(eq(regions.id, id)).returning(),
    ]);
    if (!deleted[0]) return { ok: false, reason: "not_found" };
    return { ok: true, region: deleted[0], deletedBackends: deletedBackends.map((b) => b.id).sort() };
  }
  const deleted = await db
    .delete(regions)
    .where(and(eq(regions.id, id), sql`not exists (select 1 from "backends" as b where b."region_id" = ${id})`))
    .returning();
  if (deleted[0]) return { ok: true, region: deleted[0], deletedBackends: [] };
  const [region, members] = await db.batch([
    db.select({ id: regions.id }).from(regions).where(eq(regions.id, id)).limit(1),
    db.select({ id: backends.id }).from(backends).where(eq(backends.regionId, id)).orderBy(asc(backends.id)),
  ]);
  if (!region[0]) return { ok: false, reason: "not_found" };
  return { ok: false, reason: "has_backends", backends: members.map((b) => b.id) };
}

// ---- Backends

export async function listBackends(db: Database, filter: { regionId?: string } = {}): Promise<StoredBackend[]> {
  const where = filter.regionId === undefined ? undefined : eq(backends.regionId, filter.regionId);
  return db.select().from(backends).where(where).orderBy(asc(backends.id));
}

export async function getBackend(db: Database, id: string): Promise<StoredBackend | null> {
  const rows = await db.select().from(backends).where(eq(backends.id, id)).limit(1);
  return rows[0] ?? null;
}

/** What stands in the way of a backend of `kind` with `id` in `regionId`, read in one batch. */
async function backendObstacle(
  db: Database,
  target: { id: string; regionId: string; kind: Backend["kind"] },
  mode: "create" | "update",
): Promise<BackendWriteFailure | null> {
  const [self, region, builtin] = await db.batch([
    db.select({ id: backends.id }).from(backends).where(eq(backends.id, target.id)).limit(1),
    db.select({ id: regions.id }).from(regions).where(eq(regions.id, target.regionId)).limit(1),
    db
      .select({ id: backends.id })
      .from(backends)
      .where(and(eq(backends.regionId, target.regionId), eq(backends.kind, "builtin"), ne(backends.id, target.id)))
      .limit(1),
  ]);
  if (mode === "create" && self[0]) return "exists";
  if (mode === "update" && !self[0]) return "not_found";
  if (!region[0]) return "unknown_region";
  if (target.kind === "builtin" && builtin[0]) return "builtin_exists";
  return null;
}

/**
 * Inserts a backend (health unknown, no runtimes until first probed). Checked first so the caller
 * learns which rule failed; the database's constraints settle races between concurrent writers.
 */
export async function createBackend(db: Database, backend: BackendSettings, now: number = Date.now()): Promise<BackendWriteResult> {
  const obstacle = await backendObstacle(db, backend, "create");
  if (obstacle) return { ok: false, reason: obstacle };
  try {
    const [row] = await db
      .insert(backends)
      .values({ ...backend, runtimes: [], healthy: null, lastCheckedAt: null, createdAt: now, updatedAt: now })
      .returning();
    return { ok: true, backend: row };
  } catch (error) {
    const reason = backendFailure(error);
    if (reason) return { ok: false, reason };
    throw error;
  }
}

/**
 * Applies admin `changes` to a backend (the caller validates the merged result). The region must
 * exist and keep at most one builtin backend. Health and runtimes are left alone.
 */
export async function updateBackend(
  db: Database,
  id: string,
  changes: BackendChanges,
  now: number = Date.now(),
): Promise<BackendWriteResult> {
  const current = await getBackend(db, id);
  if (!current) return { ok: false, reason: "not_found" };
  const target = { id, regionId: changes.regionId ?? current.regionId, kind: changes.kind ?? current.kind };
  const obstacle = await backendObstacle(db, target, "update");
  if (obstacle) return { ok: false, reason: obstacle };
  try {
    const [row] = await db
      .update(backends)
      .set({ ...changes, updatedAt: now })
      .where(eq(backends.id, id))
      .returning();
    return row ? { ok: true, backend: row } : { ok: false, reason: "not_found" };
  } catch (error) {
    const reason = backendFailure(error);
    if (reason) return { ok: false, reason };
    throw error;
  }
}

/** Deletes a backend; returns it, or null when there was none. */
export async function deleteBackend(db: Database, id: string): Promise<StoredBackend | null> {
  const rows = await db.delete(backends).where(eq(backends.id, id)).returning();
  return rows[0] ?? null;
}

// ---- Routing

/** Every stored region and backend (disabled ones too), sorted by id, in one D1 round trip. */
export async function loadTopology(db: Database): Promise<{ regions: Region[]; backends: Backend[] }> {
  const [regionRows, backendRows] = await db.batch([
    db.select(regionFields).from(regions).orderBy(asc(regions.id)),
    db.select(backendFields).from(backends).orderBy(asc(backends.id)),
  ]);
  return { regions: regionRows, backends: backendRows };
}

/**
 * Stores the outcome of a probe or live call: reachability, when, and (if the probe read them) the
 * runtimes the backend reports. Writes only; callers decide how often (this is not an admin change:
 * `updatedAt` is left alone). Returns false when there is no such backend.
 */
export async function recordBackendCheck(
  db: Database,
  backendId: string,
  check: { healthy: boolean; runtimes?: BackendRuntime[]; at: number },
): Promise<boolean> {
  const result = await db
    .update(backends)
    .set({
      healthy: check.healthy,
      lastCheckedAt: check.at,
      ...(check.runtimes !== undefined ? { runtimes: check.runtimes } : {}),
    })
    .where(eq(backends.id, backendId))
    .run();
  return (result.meta?.changes ?? 0) > 0;
}
