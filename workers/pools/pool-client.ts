import type { Region } from "../routing/types";

/**
 * The pool Durable Object of a region, addressed by region id. The location hint only matters when
 * the object is first created: Cloudflare then places it near the region's backends.
 */
export function poolStub(env: Pick<Env, "REGION_POOL">, region: Pick<Region, "id" | "locationHint">) {
  const id = env.REGION_POOL.idFromName(region.id);
  return region.locationHint
    ? env.REGION_POOL.get(id, { locationHint: region.locationHint as DurableObjectLocationHint })
    : env.REGION_POOL.get(id);
}
