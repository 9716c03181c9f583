import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, BASE, postJson } from "../helpers/http";
import { worker } from "../helpers/bindings";

// Regional routing over HTTP, through the real Worker: regions and backends created with the admin
// API, remote backends are fake Piston v2 servers (<name>.piston.test, vitest.config.ts) whose
// executions print their own name, so each answer says which backend served it.

const PARIS = { latitude: "48.86", longitude: "2.35", country: "FR", continent: "EU" };
const NEW_YORK = { latitude: "40.71", longitude: "-74.0", country: "US", continent: "NA" };

function execute(
  body: Record<string, unknown>,
  options: { cf?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Response> {
  return worker.fetch(
    new Request(`${BASE}/api/v2/execute`, {
      method: "POST",
      headers: { "content-type": "application/json", "cache-control": "no-store", ...options.headers },
      body: JSON.stringify(body),
      ...(options.cf ? { cf: options.cf } : {}),
    } as RequestInit),
  );
}

const python = (stdin = "") => ({ language: "python", version: "3.12.0", files: [{ content: "print(input())" }], stdin });

async function control(host: string, body: Record<string, unknown>) {
  const response = await fetch(`http://${host}.piston.test/__fake/control`, { method: "POST", body: JSON.stringify(body) });
  expect(response.status).toBe(200);
}

async function admin(path: string, body: unknown, method = "POST") {
  const response = await worker.fetch(
    new Request(`${BASE}${path}`, { method, headers: { "content-type": "application/json", ...ADMIN }, body: JSON.stringify(body) }),
  );
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
}

async function servedBy(response: Response): Promise<string> {
  expect(response.status).toBe(200);
  const body = (await response.json()) as { run: { stdout: string } };
  return body.run.stdout.split("\n")[0];
}

beforeAll(async () => {
  await admin("/v1/admin/regions", {
    id: "rt-eu", name: "Europe", latitude: 50.1, longitude: 8.7, countries: ["DE", "FR"], continents: ["EU"],
    locationHint: "weur", policy: "weighted_round_robin", isDefault: true,
  });
  await admin("/v1/admin/regions", {
    id: "rt-us", name: "US East", latitude: 39.0, longitude: -77.5, countries: ["US"], continents: ["NA"],
    locationHint: "enam", policy: "least_connections",
  });
  await admin("/v1/admin/backends", { id: "rt-eu-a", regionId: "rt-eu", kind: "piston", url: "http://rt-eu-a.piston.test", weight: 1, maxConcurrency: 50 });
  await admin("/v1/admin/backends", { id: "rt-eu-b", regionId: "rt-eu", kind: "piston", url: "http://rt-eu-b.piston.test", weight: 3, maxConcurrency: 50 });
  await admin("/v1/admin/backends", { id: "rt-us-a", regionId: "rt-us", kind: "piston", url: "http://rt-us-a.piston.test", maxConcurrency: 50 });
});

describe("regional routing", () => {
  it("probes new backends at once, so their runtimes are listed and routable", async () => {
    const backend = await admin("/v1/admin/backends/rt-us-a/check", {});
    expect(backend).toMatchObject({ check: { healthy: true } });
    const runtimes = (await (await worker.fetch(`${BASE}/api/v2/runtimes`)).json()) as Array<{ language: string; version: string }>;
    expect(runtimes).toContainEqual(expect.objectContaining({ language: "python", version: "3.12.0" }));
    // Built-in runtimes are still there, listed once.
    expect(runtimes.filter((runtime) => runtime.language === "javascript" && runtime.version !== "20.11.1")).toHaveLength(1);
  });

  it("steers to the nearest region by the client's coordinates", async () => {
    const fromParis = await execute(python(), { cf: PARIS });
    expect(fromParis.headers.get("X-Edgebox-Region")).toBe("rt-eu");
    expect(await servedBy(fromParis)).toMatch(/^rt-eu-/);
    const fromNewYork = await execute(python(), { cf: NEW_YORK });
    expect(fromNewYork.headers.get("X-Edgebox-Region")).toBe("rt-us");
    expect(fromNewYork.headers.get("X-Edgebox-Backend")).toBe("rt-us-a");
    expect(await servedBy(fromNewYork)).toBe("rt-us-a");
  });

  it("falls back to country, then the default region, without coordinates", async () => {
    const american = await execute(python(), { cf: { country: "US" } });
    expect(american.headers.get("X-Edgebox-Region")).toBe("rt-us");
    const unknown = await execute(python(), { cf: { country: "JP", continent: "AS" } });
    expect(unknown.headers.get("X-Edgebox-Region")).toBe("rt-eu");
  });

  it("honours a pinned region and rejects an unknown one", async () => {
    const pinned = await execute(python(), { cf: PARIS, headers: { "X-Edgebox-Region": "rt-us" } });
    expect(await servedBy(pinned)).toBe("rt-us-a");
    const unknown = await execute(python(), { headers: { "X-Edgebox-Region": "mars" } });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toContain("region 'mars' does not exist");
  });

  it("splits a region's traffic by weight (smooth weighted round-robin, 1:3)", async () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 40; i++) {
      const id = await servedBy(await execute(python(), { cf: PARIS }));
      counts[id] = (counts[id] ?? 0) + 1;
    }
    expect(counts).toEqual({ "rt-eu-a": 10, "rt-eu-b": 30 });
  });

  it("keeps a session on one backend, and sets a cookie when asked to", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      seen.add(await servedBy(await execute(python(), { cf: PARIS, headers: { "X-Edgebox-Session": "student-42" } })));
    }
    expect(seen.size).toBe(1);

    const first = await execute(python(), { cf: PARIS, headers: { "X-Edgebox-Affinity": "cookie" } });
    const cookie = first.headers.get("Set-Cookie") ?? "";
    expect(cookie).toMatch(/^edgebox_session=[0-9a-f-]{36}; Path=\/; Max-Age=1800; HttpOnly; SameSite=Lax$/);
    const pinned = await servedBy(first);
    for (let i = 0; i < 6; i++) {
      const next = await execute(python(), { cf: PARIS, headers: { cookie: cookie.split(";")[0] } });
      expect(next.headers.get("Set-Cookie")).toBeNull();
      expect(await servedBy(next)).toBe(pinned);
    }
    const bad = await execute(python(), { headers: { "X-Edgebox-Session": "no spaces allowed" } });
    expect(bad.status).toBe(400);
  });

  it("retries a failing backend's request elsewhere, then fails over to the next region", async () => {
    await control("rt-eu-a", { failure: "http503" });
    try {
      for (let i = 0; i < 4; i++) expect(await servedBy(await execute(python(), { cf: PARIS }))).toBe("rt-eu-b");
      await control("rt-eu-b", { failure: "reset" });
      const failedOver = await execute(python(), { cf: PARIS });
      expect(failedOver.headers.get("X-Edgebox-Region")).toBe("rt-us");
      expect(await servedBy(failedOver)).toBe("rt-us-a");
    } finally {
      await control("rt-eu-a", { failure: "none" });
      await control("rt-eu-b", { failure: "none" });
    }
  });

  it("answers 503 with Retry-After when every backend that could run it fails", async () => {
    for (const host of ["rt-eu-a", "rt-eu-b", "rt-us-a"]) await control(host, { failure: "http502" });
    try {
      const response = await execute(python(), { cf: PARIS });
      expect(response.status).toBe(503);
      expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
      const body = (await response.json()) as { message: string; error: { code: string } };
      expect(body.error.code).toBe("service_unavailable");
      expect(body.message).toContain("failed");
    } finally {
      for (const host of ["rt-eu-a", "rt-eu-b", "rt-us-a"]) await control(host, { failure: "none" });
    }
  });

  it("stops routing to a backend its probe finds unreachable, and lists no runtime only it had", async () => {
    await control("rt-us-a", { failure: "reset" });
    try {
      const check = await admin("/v1/admin/backends/rt-us-a/check", {});
      expect(check).toMatchObject({ check: { healthy: false }, backend: { healthy: false } });
      const fromNewYork = await execute(python(), { cf: NEW_YORK });
      expect(fromNewYork.headers.get("X-Edgebox-Region")).toBe("rt-eu");
    } finally {
      await control("rt-us-a", { failure: "none" });
      await admin("/v1/admin/backends/rt-us-a/check", {});
    }
    expect(await servedBy(await execute(python(), { cf: NEW_YORK }))).toBe("rt-us-a");
  });

  it("still runs JavaScript on the built-in runtime in the nearest region, without a pool", async () => {
    const response = await postJson("/v1/executions", { language: "javascript", code: "console.log(6*7)" }, { "cache-control": "no-store" });
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Edgebox-Backend")).toBe("builtin-rt-eu");
    const body = (await response.json()) as { stdout: string; region: string };
    expect(body).toMatchObject({ stdout: "42\n", region: "rt-eu" });
  });

  it("shows the pool's live view to admins", async () => {
    const response = await worker.fetch(new Request(`${BASE}/v1/admin/regions/rt-eu/pool`, { headers: ADMIN }));
    expect(response.status).toBe(200);
    const pool = (await response.json()) as { regionId: string; backends: Array<{ id: string; inFlight: number; limit: number }> };
    expect(pool.regionId).toBe("rt-eu");
    expect(pool.backends.map((backend) => backend.id).sort()).toEqual(["rt-eu-a", "rt-eu-b"]);
    for (const backend of pool.backends) expect(backend.limit).toBeGreaterThanOrEqual(1);
  });
});
