import { env } from "../helpers/bindings";
import { beforeEach, describe, expect, it } from "vitest";
import { clearKeyCache } from "../../workers/api/middleware/authenticate";
import { ADMIN, call, callWithVars, createTenantWithKey, postJson } from "../helpers/http";

const program = { language: "js", code: "console.log('authorized')" };

function productionExecute(headers: Record<string, string>) {
  return callWithVars({ ENVIRONMENT: "production" }, "/v1/executions", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(program),
  });
}

beforeEach(() => clearKeyCache());

describe("API keys", () => {
  it("serves unauthenticated requests as the anonymous tenant in development", async () => {
    expect((await postJson("/v1/executions", program)).status).toBe(200);
  });

  it("requires a key in production", async () => {
    const response = await productionExecute({});
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("accepts a key created through the admin API, as Bearer or X-API-Key", async () => {
    const key = await createTenantWithKey("acme");
    expect(key).toMatch(/^ebx_[0-9A-Za-z]{32}$/);
    expect((await productionExecute({ authorization: `Bearer ${key}` })).status).toBe(200);
    expect((await productionExecute({ "x-api-key": key })).status).toBe(200);
  });

  it("stores only the hash of a key", async () => {
    const key = await createTenantWithKey("hashco");
    const rows = await env.DB.prepare("SELECT * FROM api_keys WHERE tenant_id = 'hashco'").all();
    expect(JSON.stringify(rows.results)).not.toContain(key);
    expect(rows.results[0]?.prefix).toBe(key.slice(0, 12));
  });

  it("rejects an unknown key with 401, even in development", async () => {
    const response = await postJson("/v1/executions", program, { authorization: "Bearer ebx_notarealkeynotarealkeynotareal12" });
    expect(response.status).toBe(401);
  });

  it("rejects a revoked key", async () => {
    const key = await createTenantWithKey("revoker");
    const keys = (await (await call("/v1/admin/tenants/revoker/keys", { headers: ADMIN })).json()) as { keys: Array<{ id: string }> };
    const revoked = await call(`/v1/admin/keys/${keys.keys[0].id}`, { method: "DELETE", headers: ADMIN });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { revokedAt: string | null }).revokedAt).not.toBeNull();
    clearKeyCache();
    expect((await productionExecute({ authorization: `Bearer ${key}` })).status).toBe(401);
  });

  it("returns 403 for a disabled tenant", async () => {
    const key = await createTenantWithKey("sleepy");
    const patched = await call("/v1/admin/tenants/sleepy", {
      method: "PATCH",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ disabled: true }),
    });
    expect(patched.status).toBe(200);
    clearKeyCache();
    expect((await productionExecute({ authorization: `Bearer ${key}` })).status).toBe(403);
  });
});

describe("admin API", () => {
  it("401 without the secret, 403 with a wrong one", async () => {
    expect((await postJson("/v1/admin/tenants", { id: "x", name: "x" })).status).toBe(401);
    expect((await postJson("/v1/admin/tenants", { id: "x", name: "x" }, { authorization: "Bearer wrong" })).status).toBe(403);
  });

  it("403 when no admin secret is configured", async () => {
    const response = await callWithVars({ ADMIN_SECRET: "" }, "/v1/admin/tenants/x", { headers: ADMIN });
    expect(response.status).toBe(403);
  });

  it("validates tenants and refuses duplicates with 409", async () => {
    const bad = await postJson("/v1/admin/tenants", { id: "Not Valid!", name: "" }, ADMIN);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: Array<{ path: string }> } }).error.details.map((d) => d.path)).toEqual(["id", "name"]);
    expect((await postJson("/v1/admin/tenants", { id: "dup", name: "Dup" }, ADMIN)).status).toBe(201);
    expect((await postJson("/v1/admin/tenants", { id: "dup", name: "Dup" }, ADMIN)).status).toBe(409);
  });

  it("404 for keys of a tenant that does not exist", async () => {
    expect((await postJson("/v1/admin/tenants/ghost/keys", { name: "k" }, ADMIN)).status).toBe(404);
    expect((await call("/v1/admin/keys/ghost", { method: "DELETE", headers: ADMIN })).status).toBe(404);
  });
});
