import { buildHealthReport } from "../api/health-report";
import { openDatabase } from "../db/client";
import { queuedDepth } from "../jobs/job-store";
import type { JobLane } from "../jobs/types";
import { poolStub } from "../pools/pool-client";
import type { PoolSnapshot } from "../pools/pool-protocol";
import { breakerStub } from "../pools/start-region-pools";
import { topologyFor } from "../pools/topology-cache";
import type { BackendHealthDetails } from "../resilience/breaker-protocol";

// The live part of the metrics endpoints: queue depths, and each region's in-flight work, limits,
// breakers and probes, asked of the pools and breakers with a bounded fan-out and short timeouts.
// A part that does not answer in time is reported as unknown (null / "unknown"), never awaited.

/** At most this many region pools and backend breakers are asked per metrics request. */
export const MAX_POOL_QUERIES = 20;
export const MAX_BREAKER_QUERIES = 50;
/** How long each pool, breaker or queue-depth query may take. */
export const LIVE_QUERY_TIMEOUT_MS = 1_500;

export const BREAKER_STATES = ["closed", "open", "half_open", "forced_open", "forced_closed"] as const;

export interface LiveBackend {
  id: string;
  kind: "builtin" | "piston";
  /** Leases held in the region's pool (builtin runs are not leased: 0). */
  inFlight: number;
  /** The pool's current adaptive limit; the configured maximum when the pool has not seen the backend. */
  limit: number;
  breaker: string;
  probe: string;
}

export interface LiveRegion {
  id: string;
  /** healthy | degraded | critical (GET /v1/health), or "unknown" when the topology could not be read. */
  status: string;
  inFlight: number;
  backends: LiveBackend[];
}

export interface LiveState {
  queues: Record<JobLane, { depth: number | null }>;
  regions: LiveRegion[];
}

/** `promise`, or `undefined` once `ms` have passed (the timer is cleared either way). */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

async function queueDepths(env: Pick<Env, "DB">): Promise<LiveState["queues"]> {
  const db = openDatabase(env.DB);
  const [interactive, batch] = await Promise.all(
    (["interactive", "batch"] as const).map((lane) => withTimeout(queuedDepth(db, lane), LIVE_QUERY_TIMEOUT_MS)),
  );
  return { interactive: { depth: interactive ?? null }, batch: { depth: batch ?? null } };
}

async function regionStates(env: Pick<Env, "DB" | "REGION_POOL" | "BACKEND_BREAKER">, now: number): Promise<LiveRegion[]> {
  const topology = await topologyFor(env, now).catch(() => undefined);
  if (!topology) return [];
  const remote = topology.backends.filter((backend) => backend.kind === "piston").slice(0, MAX_BREAKER_QUERIES);
  const pooled = topology.regions
    .filter((region) => topology.backends.some((backend) => backend.regionId === region.id && backend.kind === "piston"))
    .slice(0, MAX_POOL_QUERIES);
  const [details, snapshots] = await Promise.all([
    Promise.all(
      remote.map(async (backend) => {
        const found = await withTimeout(breakerStub(env, backend.id).details() as Promise<BackendHealthDetails>, LIVE_QUERY_TIMEOUT_MS);
        return [backend.id, found] as const;
      }),
    ),
    Promise.all(
      pooled.map(async (region) => {
        const found = await withTimeout(poolStub(env, region).snapshot() as Promise<PoolSnapshot>, LIVE_QUERY_TIMEOUT_MS);
        return [region.id, found] as const;
      }),
    ),
  ]);
  const detailsById = new Map(details);
  const snapshotsById = new Map(snapshots);
  const report = buildHealthReport(topology.regions, topology.backends, (id) => detailsById.get(id));
  const configured = new Map(topology.backends.map((backend) => [backend.id, backend]));
  return report.regions.map((region) => {
    const pool = snapshotsById.get(region.id);
    const backends = region.backends.map((backend): LiveBackend => {
      const live = pool?.backends.find((entry) => entry.id === backend.id);
      return {
        id: backend.id,
        kind: backend.kind,
        inFlight: live?.inFlight ?? 0,
        limit: live?.limit ?? configured.get(backend.id)?.maxConcurrency ?? 0,
        breaker: backend.kind === "builtin" ? "closed" : (detailsById.get(backend.id)?.view.breaker ?? live?.breaker ?? backend.breaker),
        probe: backend.probe,
      };
    });
    return { id: region.id, status: region.status, inFlight: backends.reduce((sum, backend) => sum + backend.inFlight, 0), backends };
  });
}

/** Queue depths and per-region live state, in parallel. */
export async function gatherLive(env: Pick<Env, "DB" | "REGION_POOL" | "BACKEND_BREAKER">, now = Date.now()): Promise<LiveState> {
  const [queues, regions] = await Promise.all([
    queueDepths(env).catch(() => ({ interactive: { depth: null }, batch: { depth: null } })),
    regionStates(env, now).catch(() => []),
  ]);
  return { queues, regions };
}
