import { env, worker } from "./bindings";
import { createApp } from "../../workers/api/app";

export const BASE = "http://edgebox.test";

/** A request through the real Worker entry point (the same path wrangler dev serves). */
export function call(path: string, init?: RequestInit): Promise<Response> {
  return worker.fetch(new Request(`${BASE}${path}`, init));
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The app with overridden vars, e.g. `{ ENVIRONMENT: "production" }`, against the same bindings. */
export function callWithVars(vars: Record<string, string>, path: string, init?: RequestInit): Promise<Response> {
  return Promise.resolve(createApp().request(`${BASE}${path}`, init, { ...env, ...vars }));
}

export const ADMIN = { authorization: "Bearer test-admin-secret" };

/** Creates a tenant and one API key for it through the admin API; returns the plaintext key. */
export async function createTenantWithKey(tenantId: string): Promise<string> {
  const tenant = await postJson("/v1/admin/tenants", { id: tenantId, name: `Tenant ${tenantId}` }, ADMIN);
  if (tenant.status !== 201) throw new Error(`tenant creation failed: ${tenant.status} ${await tenant.text()}`);
  const key = await postJson(`/v1/admin/tenants/${tenantId}/keys`, { name: "test" }, ADMIN);
  if (key.status !== 201) throw new Error(`key creation failed: ${key.status} ${await key.text()}`);
  return ((await key.json()) as { key: string }).key;
}
