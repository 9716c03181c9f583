import { beforeEach, describe, expect, it } from "vitest";
import { resetIsolateCacheMemory } from "../../workers/cache";
import { ADMIN, call, createTenantWithKey, postJson } from "../helpers/http";

beforeEach(() => resetIsolateCacheMemory());

const uniqueCode = (label: string) => `console.log(${JSON.stringify(label)}, ${Math.random()})`;

describe("X-Cache and the cache field", () => {
  it("reports MISS then a hit on the native API, in the header and the body", async () => {
    const body = { language: "javascript", code: uniqueCode("native") };
    const first = await postJson("/v1/executions", body);
    const firstBody = (await first.json()) as { stdout: string; cache: { status: string; key: string } };
    expect(first.headers.get("x-cache")).toBe("MISS");
    expect(firstBody.cache).toEqual({ status: "MISS", key: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const second = await postJson("/v1/executions", body);
    const secondBody = (await second.json()) as { id: string; stdout: string; cache: { status: string; key: string; storedAt?: string } };
    expect(second.headers.get("x-cache")).toBe("HIT-L1");
    // A hit says when the answer was produced (the first run, moments ago).
    expect(secondBody.cache).toEqual({ status: "HIT-L1", key: firstBody.cache.key, storedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(Date.now() - Date.parse(secondBody.cache.storedAt!)).toBeLessThan(60_000);
    expect(secondBody.stdout).toBe(firstBody.stdout);
  });

  it("reports MISS then a hit on the Piston API, in the header only (Piston's body is unchanged)", async () => {
    const body = { language: "js", version: "*", files: [{ content: uniqueCode("piston") }] };
    const first = await postJson("/api/v2/execute", body);
    expect(first.headers.get("x-cache")).toBe("MISS");
    const second = await postJson("/api/v2/piston/execute", body);
    expect(second.headers.get("x-cache")).toBe("HIT-L1");
    const json = (await second.json()) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(["language", "run", "version"]);
  });

  it("bypasses on request: the body's cache field, or Cache-Control no-cache / no-store", async () => {
    const code = uniqueCode("bypass");
    await postJson("/v1/executions", { language: "javascript", code });
    for (const [extra, headers] of [
      [{ cache: "bypass" }, {}],
      [{ cache: { mode: "bypass" } }, {}],
      [{}, { "cache-control": "no-cache" }],
      [{}, { "cache-control": "no-store" }],
    ] as const) {
      const response = await postJson("/v1/executions", { language: "javascript", code, ...extra }, headers);
      expect(response.headers.get("x-cache")).toBe("BYPASS");
      expect(((await response.json()) as { cache: unknown }).cache).toEqual({ status: "BYPASS", reason: "request" });
    }
    const piston = await postJson("/api/v2/execute", { language: "js", version: "*", files: [{ content: code }] }, { "cache-control": "no-store" });
    expect(piston.headers.get("x-cache")).toBe("BYPASS");
  });

  it("bypasses programs that read the clock or randomness, saying why", async () => {
    for (const code of ["console.log(Date.now() > 0)", "console.log(Math.random() < 2)", "console.log(crypto.getRandomValues(new Uint8Array(2)).length)"]) {
      const response = await postJson("/v1/executions", { language: "javascript", code });
      expect(response.headers.get("x-cache"), code).toBe("BYPASS");
      expect(((await response.json()) as { cache: { reason: string } }).cache.reason).toBe("nondeterministic");
    }
  });

  it("caches deterministic failures and reports them as hits", async () => {
    const body = { language: "javascript", code: `throw new Error(${JSON.stringify(uniqueCode("boom"))})` };
    const first = await postJson("/v1/executions", body);
    expect(((await first.json()) as { status: string }).status).toBe("runtime_error");
    const second = await postJson("/v1/executions", body);
    expect(second.headers.get("x-cache")).toBe("HIT-L1");
    expect(((await second.json()) as { status: string }).status).toBe("runtime_error");
  });

  it("validates the cache field", async () => {
    const cases: Array<[unknown, string]> = [
      ["sometimes", "cache"],
      [{ tags: ["bad tag"] }, "cache.tags[0]"],
      [{ tags: ["tenant:other"] }, "cache.tags[0]"],
      [{ tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, "cache.tags"],
      [{ mode: "bypass", ttl: 5 }, "cache"],
    ];
    for (const [cache, path] of cases) {
      const response = await postJson("/v1/executions", { language: "javascript", code: "1", cache });
      expect(response.status, JSON.stringify(cache)).toBe(400);
      const error = (await response.json()) as { error: { details: Array<{ path: string }> } };
      expect(error.error.details.map((d) => d.path)).toContain(path);
    }
  });

  it("documents the cache field in the OpenAPI document", async () => {
    const doc = (await (await call("/openapi.json")).json()) as {
      paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> }; responses: Record<string, { content: Record<string, { schema: { properties: Record<string, unknown> } }> }> } }>;
    };
    const execution = doc.paths["/v1/executions"].post;
    expect(Object.keys(execution.requestBody.content["application/json"].schema.properties)).toContain("cache");
    expect(Object.keys(execution.responses["200"].content["application/json"].schema.properties)).toContain("cache");
  });
});

describe("GET /v1/cache/stats", () => {
  it("counts hits per level, misses, bypass reasons, bytes and entries for the caller's tenant only", async () => {
    const key = await createTenantWithKey("stats-acme");
    const auth = { authorization: `Bearer ${key}` };
    const code = uniqueCode("stats");
    for (let i = 0; i < 3; i++) await postJson("/v1/executions", { language: "javascript", code }, auth);
    await postJson("/v1/executions", { language: "javascript", code: "console.log(Math.random())" }, auth);
    await postJson("/v1/executions", { language: "javascript", code, cache: "bypass" }, auth);
    await postJson("/v1/executions", { language: "javascript", code: uniqueCode("someone else") }); // the dev tenant

    const response = await call("/v1/cache/stats", { headers: auth });
    expect(response.status).toBe(200);
    const stats = (await response.json()) as Record<string, any>;
    expect(stats).toMatchObject({
      tenant: "stats-acme",
      namespace: "stats-acme",
      lookups: 4,
      hits: { total: 2, l1: 2, l2: 0, l3: 0 },
      misses: { l1: 2, l2: 2, l3: 2 },
      hitRatio: 0.5,
      bypass: { nondeterministic: 1, request: 1 },
      storage: { entries: 1, bytes: expect.any(Number) },
    });
    expect(stats.bytesServed).toBeGreaterThan(0);
    expect(stats.storage.bytes).toBeGreaterThan(0);
    expect(stats.writes.l3).toBe(1);
    expect(stats.hottest[0]).toEqual({ key: expect.any(String), recentRequests: 3 });

    expect((await call("/v1/cache/stats?tenant=dev", { headers: auth })).status).toBe(403);
  });

  it("shows the admin every tenant, or one", async () => {
    await postJson("/v1/executions", { language: "javascript", code: uniqueCode("admin view") });
    const all = (await (await call("/v1/cache/stats", { headers: ADMIN })).json()) as { tenants: Record<string, { lookups: number }>; lookups: number };
    expect(all.tenants.dev.lookups).toBeGreaterThanOrEqual(1);
    expect(all.lookups).toBeGreaterThanOrEqual(all.tenants.dev.lookups);
    const one = (await (await call("/v1/cache/stats?tenant=dev", { headers: ADMIN })).json()) as { tenant: string };
    expect(one.tenant).toBe("dev");
  });
});

describe("/v1/cache/settings", () => {
  it("lets a tenant opt into the shared namespace and set stale-while-revalidate", async () => {
    const keyA = await createTenantWithKey("settings-a");
    const keyB = await createTenantWithKey("settings-b");
    const a = { authorization: `Bearer ${keyA}` };
    const b = { authorization: `Bearer ${keyB}` };
    expect(await (await call("/v1/cache/settings", { headers: a })).json()).toMatchObject({ shared: false, namespace: "settings-a", staleWhileRevalidateSeconds: 0 });

    const code = uniqueCode("shared settings");
    await postJson("/v1/executions", { language: "javascript", code }, a);
    expect((await postJson("/v1/executions", { language: "javascript", code }, b)).headers.get("x-cache")).toBe("MISS");

    for (const headers of [a, b]) {
      const patch = await call("/v1/cache/settings", { method: "PATCH", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ shared: true, staleWhileRevalidateSeconds: 60 }) });
      expect(patch.status).toBe(200);
      expect(await patch.json()).toMatchObject({ shared: true, namespace: "shared", staleWhileRevalidateSeconds: 60 });
    }
    await postJson("/v1/executions", { language: "javascript", code }, a);
    expect((await postJson("/v1/executions", { language: "javascript", code }, b)).headers.get("x-cache")).toMatch(/^HIT/);
  });

  it("validates changes and needs a tenant that exists", async () => {
    const key = await createTenantWithKey("settings-c");
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const bad = await call("/v1/cache/settings", { method: "PATCH", headers, body: JSON.stringify({ staleWhileRevalidateSeconds: -1 }) });
    expect(bad.status).toBe(400);
    const anonymous = await call("/v1/cache/settings", { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ shared: true }) });
    expect(anonymous.status).toBe(404);
    const admin = await call("/v1/cache/settings?tenant=settings-c", { headers: ADMIN });
    expect(await admin.json()).toMatchObject({ tenant: "settings-c", shared: false });
    expect((await call("/v1/cache/settings", { headers: ADMIN })).status).toBe(400);
    expect((await call("/v1/cache/settings", { method: "DELETE", headers: ADMIN })).status).toBe(405);
  });
});
