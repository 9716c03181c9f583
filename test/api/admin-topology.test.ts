import { beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../workers/db/client";
import {
  createBackend as storeBackend,
  deleteRegion as deleteStoredRegion,
  loadTopology,
  recordBackendCheck,
  type BackendSettings,
} from "../../workers/db/topology";
import { topologyFor } from "../../workers/pools/topology-cache";
import { env } from "../helpers/bindings";
import { ADMIN, call } from "../helpers/http";

interface Envelope {
  message: string;
  error: { code: string; status: number; message: string; details?: Array<{ path: string; message: string }> };
}

type Json = Record<string, unknown>;

function send(method: string, path: string, body?: unknown, headers: Record<string, string> = ADMIN): Promise<Response> {
  return call(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function ok(response: Response, status = 200): Promise<Json> {
  const body = (await response.json()) as Json;
  expect(response.status, JSON.stringify(body)).toBe(status);
  return body;
}

async function failure(response: Response, status: number, code: string): Promise<Envelope> {
  const body = (await response.json()) as Envelope;
  expect(response.status, JSON.stringify(body)).toBe(status);
  expect(body.error.code).toBe(code);
  return body;
}

/** The field paths of a 400, in order. */
async function invalidPaths(response: Response): Promise<string[]> {
  const body = await failure(response, 400, "validation_failed");
  return (body.error.details ?? []).map((d) => d.path);
}

const eu = { id: "eu-west", name: "Europe West", latitude: 50.1, longitude: 8.7 };
const us = { id: "us-east", name: "US East", latitude: 39, longitude: -77.5 };

const createRegion = async (body: Json) => ok(await send("POST", "/v1/admin/regions", body), 201);
const createBackend = async (body: Json) => ok(await send("POST", "/v1/admin/backends", body), 201);
const piston = (id: string, regionId = eu.id, extra: Json = {}) => ({ id, regionId, kind: "piston", url: `https://${id}.example.com`, ...extra });

async function defaults(): Promise<Array<[string, boolean]>> {
  const { regions } = (await ok(await send("GET", "/v1/admin/regions"))) as { regions: Array<{ id: string; isDefault: boolean }> };
  return regions.map((r) => [r.id, r.isDefault]);
}

beforeEach(async () => {
  await env.DB.exec("DELETE FROM backends; DELETE FROM regions;");
});

describe("admin topology API: auth and routing", () => {
  it.each([
    ["GET", "/v1/admin/regions"],
    ["POST", "/v1/admin/regions"],
    ["GET", "/v1/admin/regions/eu-west"],
    ["DELETE", "/v1/admin/regions/eu-west"],
    ["GET", "/v1/admin/backends"],
    ["PATCH", "/v1/admin/backends/b"],
  ])("%s %s: 401 without the secret, 403 with a wrong one", async (method, path) => {
    await failure(await send(method, path, method === "POST" || method === "PATCH" ? eu : undefined, {}), 401, "unauthorized");
    await failure(await send(method, path, undefined, { authorization: "Bearer wrong" }), 403, "forbidden");
    await failure(await send(method, path, undefined, { "x-admin-secret": "wrong" }), 403, "forbidden");
  });

  it("accepts the secret as X-Admin-Secret too", async () => {
    await ok(await send("GET", "/v1/admin/regions", undefined, { "x-admin-secret": "test-admin-secret" }));
  });

  it.each([
    ["PUT", "/v1/admin/regions", "GET, POST, HEAD"],
    ["DELETE", "/v1/admin/regions", "GET, POST, HEAD"],
    ["POST", "/v1/admin/regions/eu-west", "GET, PATCH, DELETE, HEAD"],
    ["PUT", "/v1/admin/regions/eu-west", "GET, PATCH, DELETE, HEAD"],
    ["PATCH", "/v1/admin/backends", "GET, POST, HEAD"],
    ["POST", "/v1/admin/backends/b1", "GET, PATCH, DELETE, HEAD"],
  ])("405 for %s %s with Allow", async (method, path, allow) => {
    const response = await send(method, path);
    expect(response.headers.get("allow")).toBe(allow);
    await failure(response, 405, "method_not_allowed");
  });

  it("404 for unknown regions and backends", async () => {
    for (const [method, path, payload] of [
      ["GET", "/v1/admin/regions/nowhere", undefined],
      ["PATCH", "/v1/admin/regions/nowhere", { name: "x" }],
      ["DELETE", "/v1/admin/regions/nowhere", undefined],
      ["DELETE", "/v1/admin/regions/nowhere?cascade=true", undefined],
      ["GET", "/v1/admin/backends/nothing", undefined],
      ["PATCH", "/v1/admin/backends/nothing", { weight: 2 }],
      ["DELETE", "/v1/admin/backends/nothing", undefined],
    ] as const) {
      const body = await failure(await send(method, path, payload), 404, "not_found");
      expect(body.message).toMatch(/(region 'nowhere'|backend 'nothing') does not exist/);
    }
  });

  it("documents every endpoint in /openapi.json", async () => {
    const doc = (await ok(await call("/openapi.json"))) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths["/v1/admin/regions"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/v1/admin/regions/{regionId}"]).sort()).toEqual(["delete", "get", "patch"]);
    expect(Object.keys(doc.paths["/v1/admin/backends"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/v1/admin/backends/{backendId}"]).sort()).toEqual(["delete", "get", "patch"]);
    const post = doc.paths["/v1/admin/backends"].post as {
      requestBody: { content: { "application/json": { schema: { properties: Record<string, unknown>; required: string[] } } } };
    };
    const schema = post.requestBody.content["application/json"].schema;
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["id", "regionId", "kind", "url", "weight", "maxConcurrency", "minConcurrency", "languages", "enabled"]),
    );
    expect(schema.required.sort()).toEqual(["id", "kind", "regionId"]);
  });
});

describe("regions", () => {
  it("create, read, list, update, delete", async () => {
    const created = await createRegion({ ...eu, countries: ["de", "FR", "de"], continents: ["eu"], locationHint: "weur" });
    expect(created).toEqual({
      id: "eu-west",
      name: "Europe West",
      latitude: 50.1,
      longitude: 8.7,
      locationHint: "weur",
      countries: ["DE", "FR"],
      continents: ["EU"],
      policy: "least_connections",
      sessionFailover: "temporary",
      affinityTtlSeconds: 1800,
      isDefault: false,
      enabled: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: created.createdAt,
    });
    expect(await ok(await send("GET", "/v1/admin/regions/eu-west"))).toEqual(created);
    await createRegion(us);
    const list = (await ok(await send("GET", "/v1/admin/regions"))) as { regions: Json[] };
    expect(list.regions.map((r) => r.id)).toEqual(["eu-west", "us-east"]);

    const patched = await ok(
      await send("PATCH", "/v1/admin/regions/eu-west", {
        name: "Frankfurt",
        policy: "consistent_hash",
        sessionFailover: "sticky",
        affinityTtlSeconds: 604800,
        locationHint: null,
        enabled: false,
      }),
    );
    expect(patched).toMatchObject({
      id: "eu-west",
      name: "Frankfurt",
      latitude: 50.1,
      countries: ["DE", "FR"],
      policy: "consistent_hash",
      sessionFailover: "sticky",
      affinityTtlSeconds: 604800,
      locationHint: null,
      enabled: false,
    });
    expect(await ok(await send("GET", "/v1/admin/regions/eu-west"))).toEqual(patched);

    const deleted = await ok(await send("DELETE", "/v1/admin/regions/eu-west"));
    expect(deleted).toMatchObject({ id: "eu-west", deletedBackends: [] });
    await failure(await send("GET", "/v1/admin/regions/eu-west"), 404, "not_found");
  });

  it("409 for a duplicate id", async () => {
    await createRegion(eu);
    const body = await failure(await send("POST", "/v1/admin/regions", { ...eu, name: "again" }), 409, "conflict");
    expect(body.message).toBe("region 'eu-west' already exists");
  });

  it.each([
    ["id", { id: "EU West" }],
    ["id", { id: "-eu" }],
    ["id", { id: "x".repeat(64) }],
    ["name", { name: "" }],
    ["latitude", { latitude: 90.5 }],
    ["latitude", { latitude: "50" }],
    ["longitude", { longitude: -180.01 }],
    ["locationHint", { locationHint: "mars" }],
    ["locationHint", { locationHint: "WEUR" }],
    ["countries[1]", { countries: ["DE", "DEU"] }],
    ["countries[0]", { countries: ["d1"] }],
    ["countries", { countries: "DE" }],
    ["continents[0]", { continents: ["EUROPE"] }],
    ["policy", { policy: "fastest" }],
    ["sessionFailover", { sessionFailover: "forever" }],
    ["affinityTtlSeconds", { affinityTtlSeconds: 0 }],
    ["affinityTtlSeconds", { affinityTtlSeconds: 604801 }],
    ["affinityTtlSeconds", { affinityTtlSeconds: 1.5 }],
    ["isDefault", { isDefault: "yes" }],
    ["enabled", { enabled: 1 }],
    ["location_hint", { location_hint: "weur" }],
  ])("400 at %s for %j", async (path, override) => {
    expect(await invalidPaths(await send("POST", "/v1/admin/regions", { ...eu, ...override }))).toEqual([path]);
  });

  it("400 listing every missing required field", async () => {
    expect(await invalidPaths(await send("POST", "/v1/admin/regions", {}))).toEqual(["id", "name", "latitude", "longitude"]);
  });

  it("accepts the extremes of every range", async () => {
    await createRegion({ id: "0", name: "n", latitude: -90, longitude: 180, affinityTtlSeconds: 1 });
    await createRegion({ id: "a".repeat(63), name: "s", latitude: 90, longitude: -180, affinityTtlSeconds: 604800 });
    for (const hint of ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"]) {
      await ok(await send("PATCH", "/v1/admin/regions/0", { locationHint: hint }));
    }
    const all = await ok(await send("PATCH", "/v1/admin/regions/0", { continents: ["af", "AN", "As", "EU", "NA", "OC", "SA"] }));
    expect(all.continents).toEqual(["AF", "AN", "AS", "EU", "NA", "OC", "SA"]);
  });

  it("validates PATCH bodies field by field, and the id cannot be changed", async () => {
    await createRegion(eu);
    expect(await invalidPaths(await send("PATCH", "/v1/admin/regions/eu-west", { latitude: 100, policy: "x", id: "other" }))).toEqual([
      "latitude",
      "policy",
      "id",
    ]);
    await failure(await send("PATCH", "/v1/admin/regions/eu-west", "[1]"), 400, "validation_failed");
  });

  it("keeps one default region: a new default takes over, atomically", async () => {
    await createRegion({ ...eu, isDefault: true });
    expect(await defaults()).toEqual([["eu-west", true]]);
    await createRegion({ ...us, isDefault: true });
    expect(await defaults()).toEqual([
      ["eu-west", false],
      ["us-east", true],
    ]);
    await ok(await send("PATCH", "/v1/admin/regions/eu-west", { isDefault: true }));
    expect(await defaults()).toEqual([
      ["eu-west", true],
      ["us-east", false],
    ]);
    // Re-asserting the current default changes nothing.
    await ok(await send("PATCH", "/v1/admin/regions/eu-west", { isDefault: true }));
    expect(await defaults()).toEqual([
      ["eu-west", true],
      ["us-east", false],
    ]);
  });

  it("a failed write never unsets the current default", async () => {
    await createRegion({ ...eu, isDefault: true });
    await createRegion(us);
    await failure(await send("POST", "/v1/admin/regions", { ...us, isDefault: true }), 409, "conflict");
    await failure(await send("PATCH", "/v1/admin/regions/ghost", { isDefault: true }), 404, "not_found");
    expect(await defaults()).toEqual([
      ["eu-west", true],
      ["us-east", false],
    ]);
  });

  it("the database itself refuses a second default", async () => {
    await createRegion({ ...eu, isDefault: true });
    await expect(
      env.DB.prepare(
        "INSERT INTO regions (id, name, latitude, longitude, is_default, created_at, updated_at) VALUES ('x', 'x', 0, 0, 1, 0, 0)",
      ).run(),
    ).rejects.toThrow(/UNIQUE/);
  });

  it("unsetting the default leaves none stored (routing then uses the first region by id)", async () => {
    await createRegion({ ...us, isDefault: true });
    await createRegion(eu);
    await ok(await send("PATCH", "/v1/admin/regions/us-east", { isDefault: false }));
    expect(await defaults()).toEqual([
      ["eu-west", false],
      ["us-east", false],
    ]);
    const topology = await topologyFor(env, Date.now());
    expect(topology.regions.find((r) => r.isDefault)?.id).toBe("eu-west");
  });

  it("refuses to delete a region with backends (409) unless ?cascade=true", async () => {
    await createRegion(eu);
    await createRegion(us);
    await createBackend(piston("p2"));
    await createBackend(piston("p1"));
    await createBackend(piston("p3", us.id));
    const refused = await failure(await send("DELETE", "/v1/admin/regions/eu-west"), 409, "conflict");
    expect(refused.message).toBe("region 'eu-west' still has backends (p1, p2); delete them first or use ?cascade=true");
    await failure(await send("DELETE", "/v1/admin/regions/eu-west?cascade=false"), 409, "conflict");
    expect(await invalidPaths(await send("DELETE", "/v1/admin/regions/eu-west?cascade=yes"))).toEqual(["cascade"]);

    const deleted = await ok(await send("DELETE", "/v1/admin/regions/eu-west?cascade=true"));
    expect(deleted).toMatchObject({ id: "eu-west", deletedBackends: ["p1", "p2"] });
    await failure(await send("GET", "/v1/admin/backends/p1"), 404, "not_found");
    const left = (await ok(await send("GET", "/v1/admin/backends"))) as { backends: Json[] };
    expect(left.backends.map((b) => b.id)).toEqual(["p3"]);
  });
});

describe("backends", () => {
  beforeEach(async () => {
    await createRegion(eu);
    await createRegion(us);
  });

  it("create, read, list (by region), update, delete", async () => {
    const created = await createBackend({ ...piston("fra-1"), url: "https://piston.example.com/runner/", languages: ["python", "c++"] });
    expect(created).toEqual({
      id: "fra-1",
      regionId: "eu-west",
      kind: "piston",
      url: "https://piston.example.com/runner",
      weight: 1,
      maxConcurrency: 8,
      minConcurrency: 1,
      languages: ["python", "c++"],
      enabled: true,
      // Probed on creation; piston.example.com answers nothing Piston-like (the test outbound service).
      runtimes: [],
      healthy: false,
      lastCheckedAt: expect.stringMatching(/^\d{4}-/),
      createdAt: expect.stringMatching(/^\d{4}-/),
      updatedAt: created.createdAt,
    });
    const builtin = await createBackend({ id: "fra-quickjs", regionId: eu.id, kind: "builtin" });
    expect(builtin).toMatchObject({ kind: "builtin", url: null, maxConcurrency: 64, minConcurrency: 1, weight: 1 });
    await createBackend(piston("iad-1", us.id, { weight: 1000, maxConcurrency: 10000, minConcurrency: 10000 }));

    // Its breaker may have probed it again since (lastCheckedAt moves); everything else is as created.
    expect(await ok(await send("GET", "/v1/admin/backends/fra-1"))).toEqual({ ...created, lastCheckedAt: expect.stringMatching(/^\d{4}-/) });
    const all = (await ok(await send("GET", "/v1/admin/backends"))) as { backends: Json[] };
    expect(all.backends.map((b) => b.id)).toEqual(["fra-1", "fra-quickjs", "iad-1"]);
    const inEu = (await ok(await send("GET", "/v1/admin/backends?region=eu-west"))) as { backends: Json[] };
    expect(inEu.backends.map((b) => b.id)).toEqual(["fra-1", "fra-quickjs"]);
    expect(await invalidPaths(await send("GET", "/v1/admin/backends?region=mars"))).toEqual(["region"]);

    const patched = await ok(
      await send("PATCH", "/v1/admin/backends/fra-1", { weight: 5, maxConcurrency: 16, minConcurrency: 4, enabled: false, languages: [] }),
    );
    expect(patched).toMatchObject({ id: "fra-1", url: "https://piston.example.com/runner", weight: 5, maxConcurrency: 16, minConcurrency: 4, enabled: false, languages: [] });
    const moved = await ok(await send("PATCH", "/v1/admin/backends/fra-1", { regionId: us.id, url: "http://10.0.0.7:2000" }));
    expect(moved).toMatchObject({ regionId: "us-east", url: "http://10.0.0.7:2000" });

    expect(await ok(await send("DELETE", "/v1/admin/backends/fra-1"))).toMatchObject({ id: "fra-1" });
    await failure(await send("GET", "/v1/admin/backends/fra-1"), 404, "not_found");
  });

  it("409 for a duplicate id and for a second builtin backend in a region", async () => {
    await createBackend(piston("p1"));
    expect((await failure(await send("POST", "/v1/admin/backends", piston("p1", us.id)), 409, "conflict")).message).toBe(
      "backend 'p1' already exists",
    );
    await createBackend({ id: "eu-builtin", regionId: eu.id, kind: "builtin" });
    expect((await failure(await send("POST", "/v1/admin/backends", { id: "eu-builtin-2", regionId: eu.id, kind: "builtin" }), 409, "conflict")).message).toMatch(
      /region 'eu-west' already has a builtin backend/,
    );
    // One per region: another region may have its own.
    await createBackend({ id: "us-builtin", regionId: us.id, kind: "builtin" });
    // Moving a builtin backend into a region that has one is the same conflict.
    await failure(await send("PATCH", "/v1/admin/backends/us-builtin", { regionId: eu.id }), 409, "conflict");
    // A piston backend turned builtin in a region that has one, too.
    await failure(await send("PATCH", "/v1/admin/backends/p1", { kind: "builtin", url: null }), 409, "conflict");
  });

  it("400 at regionId when the region does not exist (create and update)", async () => {
    const body = await failure(await send("POST", "/v1/admin/backends", piston("p", "mars")), 400, "validation_failed");
    expect(body.error.details).toEqual([{ path: "regionId", message: "regionId names no region: 'mars'" }]);
    await createBackend(piston("p"));
    expect(await invalidPaths(await send("PATCH", "/v1/admin/backends/p", { regionId: "mars" }))).toEqual(["regionId"]);
  });

  it.each([
    ["id", { id: "Fra_1" }],
    ["regionId", { regionId: 7 }],
    ["kind", { kind: "docker" }],
    ["url", { url: "ftp://piston.example.com" }],
    ["url", { url: "not a url" }],
    ["url", { url: "https://user:pass@piston.example.com" }],
    ["url", { url: "https://piston.example.com/?region=eu" }],
    ["url", { url: "https://piston.example.com/?" }],
    ["url", { url: "https://piston.example.com/#top" }],
    ["url", { url: "https://piston.example.com/api/v2/" }],
    ["url", { url: null }],
    ["url", { url: 42 }],
    ["weight", { weight: 0 }],
    ["weight", { weight: 1001 }],
    ["weight", { weight: 2.5 }],
    ["maxConcurrency", { maxConcurrency: 0 }],
    ["maxConcurrency", { maxConcurrency: 10001 }],
    ["minConcurrency", { minConcurrency: 0 }],
    ["minConcurrency", { minConcurrency: 9 }],
    ["minConcurrency", { maxConcurrency: 4, minConcurrency: 5 }],
    ["languages[1]", { languages: ["python", "JavaScript"] }],
    ["languages[0]", { languages: [""] }],
    ["languages", { languages: "python" }],
    ["enabled", { enabled: "true" }],
    ["max_concurrency", { max_concurrency: 4 }],
    ["id", { id: "builtin-eu-west" }],
  ])("piston: 400 at %s for %j", async (path, override) => {
    expect(await invalidPaths(await send("POST", "/v1/admin/backends", { ...piston("p"), ...override }))).toEqual([path]);
  });

  it("builtin: 400 at url when one is given; 400 listing every missing required field", async () => {
    const body = await failure(
      await send("POST", "/v1/admin/backends", { id: "b", regionId: eu.id, kind: "builtin", url: "https://x.example" }),
      400,
      "validation_failed",
    );
    expect(body.error.details?.map((d) => d.path)).toEqual(["url"]);
    expect(body.message).toMatch(/url must be null for a builtin backend/);
    expect(await invalidPaths(await send("POST", "/v1/admin/backends", {}))).toEqual(["id", "regionId", "kind"]);
  });

  it("reserves builtin-<region> ids for the builtin backend of that region", async () => {
    expect(await invalidPaths(await send("POST", "/v1/admin/backends", { id: "builtin-us-east", regionId: eu.id, kind: "builtin" }))).toEqual(["id"]);
    const explicit = await createBackend({ id: "builtin-eu-west", regionId: eu.id, kind: "builtin", maxConcurrency: 128 });
    expect(explicit).toMatchObject({ id: "builtin-eu-west", maxConcurrency: 128 });
    expect(await invalidPaths(await send("PATCH", "/v1/admin/backends/builtin-eu-west", { regionId: us.id }))).toEqual(["id"]);
  });

  it("normalises URLs: trailing slashes go, scheme and host are lowercased", async () => {
    expect((await createBackend({ ...piston("a"), url: "HTTPS://Piston.Example.COM//" })).url).toBe("https://piston.example.com");
    expect((await createBackend({ ...piston("b"), url: "http://localhost:2000/" })).url).toBe("http://localhost:2000");
  });

  it("PATCH validates the merged result", async () => {
    await createBackend(piston("p", eu.id, { maxConcurrency: 8 }));
    const tooHigh = await failure(await send("PATCH", "/v1/admin/backends/p", { minConcurrency: 9 }), 400, "validation_failed");
    expect(tooHigh.error.details).toEqual([{ path: "minConcurrency", message: "minConcurrency must not exceed maxConcurrency (8)" }]);
    await createBackend(piston("q", eu.id, { minConcurrency: 4 }));
    expect(await invalidPaths(await send("PATCH", "/v1/admin/backends/q", { maxConcurrency: 3 }))).toEqual(["minConcurrency"]);
    // Turning a piston backend builtin needs url: null; a builtin one turned piston needs a url.
    expect(await invalidPaths(await send("PATCH", "/v1/admin/backends/p", { kind: "builtin" }))).toEqual(["url"]);
    expect(await ok(await send("PATCH", "/v1/admin/backends/p", { kind: "builtin", url: null }))).toMatchObject({ kind: "builtin", url: null });
    expect(await invalidPaths(await send("PATCH", "/v1/admin/backends/p", { kind: "piston" }))).toEqual(["url"]);
    expect(await invalidPaths(await send("PATCH", "/v1/admin/backends/q", { url: null }))).toEqual(["url"]);
    expect(await invalidPaths(await send("PATCH", "/v1/admin/backends/q", { url: "https://x.example/#f", id: "r" }))).toEqual(["url", "id"]);
    // Nothing above changed q.
    expect(await ok(await send("GET", "/v1/admin/backends/q"))).toMatchObject({ minConcurrency: 4, maxConcurrency: 8, url: "https://q.example.com" });
  });

  it("shows what probes record, and admin edits leave it alone", async () => {
    await createBackend(piston("p"));
    const runtimes = [{ language: "python", version: "3.12.0", aliases: ["py"] }];
    expect(await recordBackendCheck(openDatabase(env.DB), "p", { healthy: true, runtimes, at: Date.UTC(2030, 0, 1) })).toBe(true);
    expect(await recordBackendCheck(openDatabase(env.DB), "ghost", { healthy: false, at: 0 })).toBe(false);
    expect(await ok(await send("GET", "/v1/admin/backends/p"))).toMatchObject({ healthy: true, runtimes, lastCheckedAt: "2030-01-01T00:00:00.000Z" });
    // A failed probe without runtimes keeps the last reported ones.
    await recordBackendCheck(openDatabase(env.DB), "p", { healthy: false, at: Date.UTC(2030, 0, 2) });
    const patched = await ok(await send("PATCH", "/v1/admin/backends/p", { weight: 3 }));
    expect(patched).toMatchObject({ weight: 3, healthy: false, runtimes, lastCheckedAt: "2030-01-02T00:00:00.000Z" });
  });
});

describe("the database's own guards (concurrent writers)", () => {
  const builtin = (id: string, regionId: string): BackendSettings => ({
    id,
    regionId,
    kind: "builtin",
    url: null,
    weight: 1,
    maxConcurrency: 64,
    minConcurrency: 1,
    languages: [],
    enabled: true,
  });

  beforeEach(async () => {
    await createRegion(eu);
  });

  it("refuses a second builtin backend in a region and a backend without a region", async () => {
    await createBackend({ id: "b1", regionId: eu.id, kind: "builtin" });
    const insert = (id: string, region: string) =>
      env.DB.prepare(
        "INSERT INTO backends (id, region_id, kind, max_concurrency, created_at, updated_at) VALUES (?, ?, 'builtin', 1, 0, 0)",
      )
        .bind(id, region)
        .run();
    await expect(insert("b2", eu.id)).rejects.toThrow(/UNIQUE constraint failed: backends\.region_id/);
    await expect(insert("b3", "mars")).rejects.toThrow(/FOREIGN KEY constraint failed/);
  });

  it("concurrent creates that both pass the checks: the loser gets the right reason, not a 500", async () => {
    // Both writers read "nothing in the way" before either inserts: a barrier holds each pre-check
    // batch until both have read.
    function racingDb() {
      let arrived = 0;
      let open!: () => void;
      const barrier = new Promise<void>((resolve) => (open = resolve));
      const d1 = {
        prepare: (query: string) => env.DB.prepare(query),
        batch: async (statements: D1PreparedStatement[]) => {
          const results = await env.DB.batch(statements);
          if (++arrived === 2) open();
          await barrier;
          return results;
        },
      } as unknown as D1Database;
      return openDatabase(d1);
    }
    let db = racingDb();
    const builtins = await Promise.all([storeBackend(db, builtin("x1", eu.id)), storeBackend(db, builtin("x2", eu.id))]);
    expect(builtins.filter((r) => r.ok)).toHaveLength(1);
    expect(builtins.find((r) => !r.ok)).toEqual({ ok: false, reason: "builtin_exists" });

    db = racingDb();
    const piston = { ...builtin("y", eu.id), kind: "piston" as const, url: "https://y.example" };
    const same = await Promise.all([storeBackend(db, piston), storeBackend(db, piston)]);
    expect(same.filter((r) => r.ok)).toHaveLength(1);
    expect(same.find((r) => !r.ok)).toEqual({ ok: false, reason: "exists" });

    // A region deleted between a create's checks and its insert: the foreign key refuses the orphan.
    let checked!: () => void;
    let release!: () => void;
    const didCheck = new Promise<void>((resolve) => (checked = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const gated = openDatabase({
      prepare: (query: string) => env.DB.prepare(query),
      batch: async (statements: D1PreparedStatement[]) => {
        const results = await env.DB.batch(statements);
        checked();
        await gate;
        return results;
      },
    } as unknown as D1Database);
    await env.DB.exec("DELETE FROM backends");
    const pending = storeBackend(gated, { ...piston, id: "z" });
    await didCheck;
    expect((await deleteStoredRegion(openDatabase(env.DB), eu.id)).ok).toBe(true);
    release();
    expect(await pending).toEqual({ ok: false, reason: "unknown_region" });
  });
});

describe("the stored and effective topology", () => {
  it("loadTopology returns exactly the shared Region/Backend shapes, disabled ones included", async () => {
    await createRegion({ ...eu, countries: ["de"], isDefault: true });
    await createRegion({ ...us, enabled: false });
    await createBackend(piston("p1", eu.id, { languages: ["python"] }));
    const stored = await loadTopology(openDatabase(env.DB));
    expect(stored.regions).toEqual([
      {
        id: "eu-west",
        name: "Europe West",
        latitude: 50.1,
        longitude: 8.7,
        locationHint: null,
        countries: ["DE"],
        continents: [],
        policy: "least_connections",
        sessionFailover: "temporary",
        affinityTtlSeconds: 1800,
        isDefault: true,
        enabled: true,
      },
      expect.objectContaining({ id: "us-east", enabled: false }),
    ]);
    expect(stored.backends).toEqual([
      {
        id: "p1",
        regionId: "eu-west",
        kind: "piston",
        url: "https://p1.example.com",
        weight: 1,
        maxConcurrency: 8,
        minConcurrency: 1,
        languages: ["python"],
        enabled: true,
        runtimes: [],
        // Probed when it was created: p1.example.com is not a Piston server.
        healthy: false,
        lastCheckedAt: expect.any(Number),
      },
    ]);
  });

  it("admin writes are seen by this isolate's topology at once", async () => {
    const now = Date.now();
    expect((await topologyFor(env, now)).regions.map((r) => r.id)).toEqual(["local"]);
    await createRegion(eu);
    expect((await topologyFor(env, now)).regions.map((r) => r.id)).toEqual(["eu-west"]);
    await createBackend(piston("p1"));
    expect((await topologyFor(env, now)).backends.map((b) => b.id)).toEqual(["builtin-eu-west", "p1"]);
    await ok(await send("PATCH", "/v1/admin/backends/p1", { enabled: false }));
    expect((await topologyFor(env, now)).backends.map((b) => b.id)).toEqual(["builtin-eu-west"]);
    await ok(await send("DELETE", "/v1/admin/regions/eu-west?cascade=true"));
    expect((await topologyFor(env, now)).regions.map((r) => r.id)).toEqual(["local"]);
  });
});
