import { Hono } from "hono";
import { createApiKey, listApiKeys, revokeApiKey } from "../../db/api-keys";
import { openDatabase } from "../../db/client";
import { createTenant, findTenant, setTenantDisabled } from "../../db/tenants";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors";
import { methodNotAllowed } from "../method-not-allowed";
import { requireAdmin } from "../middleware/require-admin";
import { readJsonBody } from "../read-json-body";
import { createApiKeySchema, createTenantSchema, updateTenantSchema } from "../schemas/admin";
import { parseOrThrow } from "../validate";

/** Admin API (ADMIN_SECRET): tenants and their API keys. */
export function adminRoutes() {
  const app = new Hono<AppEnv>();
  app.use("*", requireAdmin());

  app.post("/tenants", async (c) => {
    const body = parseOrThrow(createTenantSchema, await readJsonBody(c));
    const tenant = await createTenant(openDatabase(c.env.DB), body.id, body.name);
    if (!tenant) throw new ApiError("conflict", `tenant '${body.id}' already exists`);
    return c.json(tenant, 201);
  });
  app.all("/tenants", methodNotAllowed("POST"));

  app.get("/tenants/:tenantId", async (c) => {
    const tenant = await findTenant(openDatabase(c.env.DB), c.req.param("tenantId"));
    if (!tenant) throw new ApiError("not_found", `tenant '${c.req.param("tenantId")}' does not exist`);
    return c.json(tenant);
  });
  app.patch("/tenants/:tenantId", async (c) => {
    const body = parseOrThrow(updateTenantSchema, await readJsonBody(c));
    const tenant = await setTenantDisabled(openDatabase(c.env.DB), c.req.param("tenantId"), body.disabled);
    if (!tenant) throw new ApiError("not_found", `tenant '${c.req.param("tenantId")}' does not exist`);
    return c.json(tenant);
  });
  app.all("/tenants/:tenantId", methodNotAllowed("GET", "PATCH"));

  app.post("/tenants/:tenantId/keys", async (c) => {
    const body = parseOrThrow(createApiKeySchema, await readJsonBody(c));
    const db = openDatabase(c.env.DB);
    const tenantId = c.req.param("tenantId");
    if (!(await findTenant(db, tenantId))) throw new ApiError("not_found", `tenant '${tenantId}' does not exist`);
    const { key, record } = await createApiKey(db, tenantId, body.name);
    return c.json({ ...record, key }, 201);
  });
  app.get("/tenants/:tenantId/keys", async (c) => {
    const db = openDatabase(c.env.DB);
    const tenantId = c.req.param("tenantId");
    if (!(await findTenant(db, tenantId))) throw new ApiError("not_found", `tenant '${tenantId}' does not exist`);
    return c.json({ keys: await listApiKeys(db, tenantId) });
  });
  app.all("/tenants/:tenantId/keys", methodNotAllowed("GET", "POST"));

  app.delete("/keys/:keyId", async (c) => {
    const revoked = await revokeApiKey(openDatabase(c.env.DB), c.req.param("keyId"));
    if (!revoked) throw new ApiError("not_found", `API key '${c.req.param("keyId")}' does not exist`);
    return c.json(revoked);
  });
  app.all("/keys/:keyId", methodNotAllowed("DELETE"));

  return app;
}
