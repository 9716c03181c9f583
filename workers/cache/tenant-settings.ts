import { eq } from "drizzle-orm";
import { openDatabase } from "../db/client";
import { tenants } from "../db/schema";
import { DEFAULT_TENANT_CACHE_SETTINGS, type TenantCacheSettings } from "./generation-store";

/** A tenant's cache settings; null when the tenant has no row (e.g. the anonymous dev tenant). */
export async function readTenantCacheSettings(d1: D1Database, tenantId: string): Promise<TenantCacheSettings | null> {
  const rows = await openDatabase(d1)
    .select({ shared: tenants.cacheShared, swrSeconds: tenants.cacheSwrSeconds })
    .from(tenants)
    .where(eq(tenants.id, tenantId))
    .limit(1);
  return rows[0] ?? null;
}

/** Updates the given settings; null when the tenant does not exist. */
export async function updateTenantCacheSettings(
  d1: D1Database,
  tenantId: string,
  changes: Partial<TenantCacheSettings>,
): Promise<TenantCacheSettings | null> {
  const set = {
    ...(changes.shared !== undefined ? { cacheShared: changes.shared } : {}),
    ...(changes.swrSeconds !== undefined ? { cacheSwrSeconds: changes.swrSeconds } : {}),
  };
  if (Object.keys(set).length === 0) return readTenantCacheSettings(d1, tenantId);
  const rows = await openDatabase(d1)
    .update(tenants)
    .set(set)
    .where(eq(tenants.id, tenantId))
    .returning({ shared: tenants.cacheShared, swrSeconds: tenants.cacheSwrSeconds });
  return rows[0] ?? null;
}

export { DEFAULT_TENANT_CACHE_SETTINGS };
