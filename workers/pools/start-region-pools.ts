import { openDatabase } from "../db/client";
import { loadTopology } from "../db/topology";
import { poolStub } from "./pool-client";

/**
 * Wakes the pool of every region that has remote backends, so their health probes run even when
 * no traffic has reached a region yet (the pool re-arms its own alarm from then on).
 */
export async function startRegionPools(env: Pick<Env, "DB" | "REGION_POOL">): Promise<void> {
  const topology = await loadTopology(openDatabase(env.DB));
  const regionsWithRemotes = new Set(
    topology.backends.filter((backend) => backend.kind === "piston" && backend.enabled).map((backend) => backend.regionId),
  );
  await Promise.all(
    topology.regions.filter((region) => regionsWithRemotes.has(region.id)).map((region) => poolStub(env, region).start(region.id)),
  );
}
