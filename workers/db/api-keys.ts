import { and, desc, eq, isNull } from "drizzle-orm";
import { DISPLAY_PREFIX_CHARS, generateApiKey, hashApiKey } from "../auth/api-key";
import type { Database } from "./client";
import { apiKeys, tenants, type ApiKey, type Tenant } from "./schema";

export interface AuthenticatedKey {
  keyId: string;
  tenant: Pick<Tenant, "id" | "name" | "disabled">;
}

/** Resolves a presented key, by its SHA-256 (see hashApiKey), to its tenant; null when unknown or revoked. */
export async function findActiveKeyByHash(db: Database, keyHash: string): Promise<AuthenticatedKey | null> {
  const rows = await db
    .select({
      keyId: apiKeys.id,
      tenantId: tenants.id,
      tenantName: tenants.name,
      disabled: tenants.disabled,
    })
    .from(apiKeys)
    .innerJoin(tenants, eq(apiKeys.tenantId, tenants.id))
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  return { keyId: row.keyId, tenant: { id: row.tenantId, name: row.tenantName, disabled: row.disabled } };
}

export type PublicApiKey = Omit<ApiKey, "keyHash">;

function toPublic({ keyHash: _hidden, ...rest }: ApiKey): PublicApiKey {
  return rest;
}

/** Creates a key; the plaintext is returned here and nowhere else, ever. */
export async function createApiKey(
  db: Database,
  tenantId: string,
  name: string,
): Promise<{ key: string; record: PublicApiKey }> {
  const key = generateApiKey();
  const [record] = await db
    .insert(apiKeys)
    .values({
      id: crypto.randomUUID(),
      tenantId,
      name,
      prefix: key.slice(0, DISPLAY_PREFIX_CHARS),
      keyHash: await hashApiKey(key),
    })
    .returning();
  return { key, record: toPublic(record) };
}

export async function listApiKeys(db: Database, tenantId: string): Promise<PublicApiKey[]> {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.tenantId, tenantId))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(toPublic);
}

/** Returns the revoked key, or null when there is no such key. Revoking twice keeps the first time. */
export async function revokeApiKey(db: Database, keyId: string): Promise<PublicApiKey | null> {
  const existing = await db.select().from(apiKeys).where(eq(apiKeys.id, keyId)).limit(1);
  if (!existing[0]) return null;
  if (existing[0].revokedAt) return toPublic(existing[0]);
  const [updated] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(eq(apiKeys.id, keyId))
    .returning();
  return toPublic(updated);
}
