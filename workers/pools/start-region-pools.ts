import { openDatabase } from "../db/client";
import { loadTopology } from "../db/topology";
import type { Backend, Region } from "../routing/types";
import { poolStub } from "./pool-client";

/** The BackendBreaker of a backend, addressed by backend id. */
export function breakerStub(env: Pick<Env, "BACKEND_BREAKER">, backendId: string) {
  return env.BACKEND_BREAKER.get(env.BACKEND_BREAKER.idFromName(backendId));
}

/** Tells a remote backend's breaker what to guard (starting its probes) and wakes its region's pool. */
export async function startBackendMonitoring(
  env: Pick<Env, "BACKEND_BREAKER" | "REGION_POOL">,
  backend: Pick<Backend, "id" | "kind" | "url" | "regionId">,
  region: Pick<Region, "id" | "locationHint">,
): Promise<void> {
  if (backend.kind !== "piston") return;
  await Promise.all([
    breakerStub(env, backend.id).configure({
      backendId: backend.id,
      regionId: region.id,
      locationHint: region.locationHint,
      kind: backend.kind,
      url: backend.url,
    }),
    poolStub(env, region).start(region.id),
  ]);
}

/**
 * Cron: makes sure every enabled remote backend's breaker is probing and every region with remote
 * backends has its pool's maintenance alarm armed, even before any traffic reached them.
 */
export async function startRegionPools(env: Pick<Env, "DB" | "REGION_POOL" | "BACKEND_BREAKER">): Promise<void> {
  const topology = await loadTopology(openDatabase(env.DB));
  const regions = new Map(topology.regions.map((region) => [region.id, region]));
  await Promise.all(
    topology.backends
      .filter((backend) => backend.kind === "piston" && backend.enabled && regions.has(backend.regionId))
      .map((backend) => startBackendMonitoring(env, backend, regions.get(backend.regionId)!)),
  );
}
