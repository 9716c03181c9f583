import type { Backend, BackendKind, Region } from "./types";

// What routing uses, derived from what is stored (workers/db/topology.ts). Pure: the stored
// topology in, the effective one out. A deployment with nothing configured still has one region
// served by the builtin runtime, and every region can run JavaScript/TypeScript without anyone
// having to register the builtin backend by hand.

export interface Topology {
  regions: Region[];
  backends: Backend[];
}

/** The region used when none is stored (what responses call `region` under wrangler dev). */
export const DEFAULT_REGION_ID = "local";

/**
 * Default `maxConcurrency` per backend kind when an admin gives none.
 * - builtin: executions run inside the Workers that receive them and scale out with Cloudflare,
 *   not with a machine we size; the limit only keeps one region's pool from admitting unbounded
 *   work, so it is generous.
 * - piston: a remote server of fixed size where every run is a process; a typical Piston host has
 *   a few cores, and runs beyond what it can execute at once only queue inside Piston (invisible
 *   to us, with their wall-clock timeouts ticking) instead of here, where the pool can send them to
 *   another backend. 8 suits a small host; raise it for bigger ones.
 */
export const DEFAULT_MAX_CONCURRENCY: Readonly<Record<BackendKind, number>> = { builtin: 64, piston: 8 };

/** Languages the builtin runtime serves. */
export const BUILTIN_LANGUAGES: readonly string[] = ["javascript", "typescript"];

/** Id of the builtin backend a region gets when it has no explicit one. */
export function implicitBuiltinId(regionId: string): string {
  return `builtin-${regionId}`;
}

function syntheticRegion(id: string): Region {
  return {
    id,
    name: id,
    latitude: 0,
    longitude: 0,
    locationHint: null,
    countries: [],
    continents: [],
    policy: "least_connections",
    sessionFailover: "temporary",
    affinityTtlSeconds: 1800,
    isDefault: true,
    enabled: true,
  };
}

function implicitBuiltin(regionId: string): Backend {
  return {
    id: implicitBuiltinId(regionId),
    regionId,
    kind: "builtin",
    url: null,
    weight: 1,
    maxConcurrency: DEFAULT_MAX_CONCURRENCY.builtin,
    minConcurrency: 1,
    languages: [...BUILTIN_LANGUAGES],
    enabled: true,
    runtimes: [],
    healthy: true,
    lastCheckedAt: null,
  };
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The topology routing works with:
 * - disabled regions, disabled backends and backends of disabled or unknown regions are dropped;
 * - with no region stored at all, one synthetic default region `defaultRegionId`;
 * - every region without an explicit builtin backend gets an implicit one, `builtin-<regionId>`
 *   (a region whose explicit builtin is disabled gets none: disabling it is how an admin takes the
 *   builtin runtime out of a region);
 * - exactly one region is the default: the stored default if it is enabled, else the first by id.
 * Regions and backends are returned sorted by id; the inputs are not modified.
 */
export function effectiveTopology(stored: Topology, defaults: { defaultRegionId: string }): Topology {
  let regions: Region[];
  if (stored.regions.length === 0) {
    regions = [syntheticRegion(defaults.defaultRegionId)];
  } else {
    regions = stored.regions.filter((region) => region.enabled).map((region) => ({ ...region }));
  }
  regions.sort(byId);

  const defaultIndex = regions.findIndex((region) => region.isDefault);
  const chosen = defaultIndex === -1 ? 0 : defaultIndex;
  regions.forEach((region, i) => {
    region.isDefault = i === chosen;
  });

  const live = new Set(regions.map((region) => region.id));
  const withExplicitBuiltin = new Set(stored.backends.filter((b) => b.kind === "builtin").map((b) => b.regionId));
  const backends: Backend[] = stored.backends
    .filter((backend) => backend.enabled && live.has(backend.regionId))
    .map((backend) => ({ ...backend }));
  const storedIds = new Set(stored.backends.map((b) => b.id));
  for (const region of regions) {
    // (The admin API reserves builtin-<region> ids, so the second test only guards bad data.)
    if (!withExplicitBuiltin.has(region.id) && !storedIds.has(implicitBuiltinId(region.id))) backends.push(implicitBuiltin(region.id));
  }
  backends.sort(byId);
  return { regions, backends };
}
