import { eq } from "drizzle-orm";
import type { Database } from "./client";
import { tenants, type Tenant } from "./schema";

export async function findTenant(db: Database, id: string): Promise<Tenant | null> {
  const rows = await db.select().from(tenants).where(eq(tenants.id, id)).limit(1);
  return rows[0] ?? null;
}

/** Inserts a tenant; returns null when the id is taken. */
export async function createTenant(db: Database, id: string, name: string): Promise<Tenant | null> {
  const rows = await db.insert(tenants).values({ id, name }).onConflictDoNothing().returning();
  return rows[0] ?? null;
}

export async function setTenantDisabled(db: Database, id: string, disabled: boolean): Promise<Tenant | null> {
  const rows = await db.update(tenants).set({ disabled }).where(eq(tenants.id, id)).returning();
  return rows[0] ?? null;
}
