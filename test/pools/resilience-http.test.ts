import { runDurableObjectAlarm } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, BASE } from "../helpers/http";
import { env, worker } from "../helpers/bindings";

// High availability over HTTP through the real Worker, against fake Piston v2 backends
// (<name>.piston.test, vitest.config.ts): breakers, outlier ejection, probes on alarms, operator
// overrides, the health report and graceful degradation.

function execute(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return worker.fetch(
    new Request(`${BASE}/api/v2/execute`, {
      method: "POST",
      headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
      body: JSON.stringify(body),
    }),
  );
}

const python = (region: string) => [{ language: "python", version: "3.12.0", files: [{ content: "print(1)" }] }, { "X-Edgebox-Region": region }] as const;

async function control(host: string, body: Record<string, unknown>) {
  const response = await fetch(`http://${host}.piston.test/__fake/control`, { method: "POST", body: JSON.stringify(body) });
  expect(response.status).toBe(200);
}

async function admin(path: string, body?: unknown, method = body === undefined ? "GET" : "POST") {
  const response = await worker.fetch(
    new Request(`${BASE}${path}`, {
      method,
      headers: { "content-type": "application/json", ...ADMIN },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<any>;
}

async function servedBy(response: Response): Promise<string> {
  expect(response.status).toBe(200);
  return ((await response.json()) as { run: { stdout: string } }).run.stdout.split("\n")[0];
}

async function region(id: string, backends: Array<{ id: string; maxConcurrency?: number }>, extra: Record<string, unknown> = {}) {
  await admin("/v1/admin/regions", { id, name: id, latitude: 10, longitude: 10, policy: "round_robin", ...extra });
  for (const backend of backends) {
    await admin("/v1/admin/backends", { id: backend.id, regionId: id, kind: "piston", url: `http://${backend.id}.piston.test`, maxConcurrency: backend.maxConcurrency ?? 20 });
  }
}

const breaker = (backendId: string) => env.BACKEND_BREAKER.get(env.BACKEND_BREAKER.idFromName(backendId));

beforeAll(async () => {
  await region("ha-one", [{ id: "ha-one-a" }, { id: "ha-one-b" }]);
  await region("ha-two", [{ id: "ha-two-a" }, { id: "ha-two-b" }]);
  await region("ha-three", [{ id: "ha-three-a" }]);
  await region("ha-four", [{ id: "ha-four-a", maxConcurrency: 2 }]);
  await region("ha-five", [{ id: "ha-five-a" }]);
  await region("ha-six", [{ id: "ha-six-a" }]);
  await region("ha-seven", [{ id: "ha-seven-a", maxConcurrency: 1 }]);
});

describe("resilience", () => {
  it("retries a failing backend's requests on the other one and ejects the failing one", async () => {
    await control("ha-one-a", { failure: "http502" });
    try {
      let retried = 0;
      for (let i = 0; i < 12; i++) {
        const response = await execute(...python("ha-one"));
        if (response.headers.get("X-Edgebox-Attempts") === "2") retried += 1;
        expect(await servedBy(response)).toBe("ha-one-b");
      }
      // Round robin sends about every other first attempt to the failing backend until it is ejected
      // after 5 consecutive failures; from then on nothing needs a retry.
      expect(retried).toBe(5);
      const pool = await admin("/v1/admin/regions/ha-one/pool");
      const a = pool.backends.find((backend: { id: string }) => backend.id === "ha-one-a");
      expect(a.ejectedUntil).toBeGreaterThan(Date.now());
      // Outcomes reach the backend's breaker in batches (20 outcomes, 1 s, or the pool's alarm):
      // flush them, and the live failures have marked it unhealthy (3 in a row suffice).
      await runDurableObjectAlarm(env.REGION_POOL.get(env.REGION_POOL.idFromName("ha-one")));
      const health = await admin("/v1/admin/backends/ha-one-a/health");
      expect(health.probe.status).toBe("unhealthy");
      expect(health.events.some((event: { kind: string; to: string }) => event.kind === "probe" && event.to === "unhealthy")).toBe(true);
    } finally {
      await control("ha-one-a", { failure: "none" });
    }
  });

  it("an operator can force a breaker open and closed again", async () => {
    const forced = await admin("/v1/admin/backends/ha-two-a/breaker", { action: "open" });
    expect(forced.view.breaker).toBe("forced_open");
    for (let i = 0; i < 6; i++) expect(await servedBy(await execute(...python("ha-two")))).toBe("ha-two-b");
    const closed = await admin("/v1/admin/backends/ha-two-a/breaker", { action: "reset" });
    expect(closed.view.breaker).toBe("closed");
    const served = new Set<string>();
    for (let i = 0; i < 4; i++) served.add(await servedBy(await execute(...python("ha-two"))));
    expect([...served].sort()).toEqual(["ha-two-a", "ha-two-b"]);

    const bad = await worker.fetch(
      new Request(`${BASE}/v1/admin/backends/ha-two-a/breaker`, { method: "POST", headers: { "content-type": "application/json", ...ADMIN }, body: '{"action":"explode"}' }),
    );
    expect(bad.status).toBe(400);
  });

  it("probes on its alarm: unhealthy after failing probes, healthy again after passing ones", async () => {
    const stub = breaker("ha-three-a");
    await control("ha-three-a", { failure: "reset" });
    try {
      for (let i = 0; i < 3; i++) expect(await runDurableObjectAlarm(stub)).toBe(true);
      expect(((await stub.details()) as any).probe.status).toBe("unhealthy");
      const stored = await admin("/v1/admin/backends/ha-three-a");
      expect(stored.healthy).toBe(false);
      // The health report shows the region critical (its only backend is down).
      const report = (await (await worker.fetch(`${BASE}/v1/health`)).json()) as any;
      const three = report.regions.find((r: { id: string }) => r.id === "ha-three");
      // Its only remote backend is down; the built-in one still serves JavaScript/TypeScript.
      expect(three).toMatchObject({ status: "degraded", usable: 1, total: 2 });
      expect(three.backends[1]).toMatchObject({ id: "ha-three-a", probe: "unhealthy", usable: false });
      expect(three.backends[1].lastError).toContain("unreachable");
    } finally {
      await control("ha-three-a", { failure: "none" });
    }
    for (let i = 0; i < 2; i++) await runDurableObjectAlarm(stub);
    expect(((await stub.details()) as any).probe.status).toBe("healthy");
    expect((await admin("/v1/admin/backends/ha-three-a")).healthy).toBe(true);
  });

  it("GET /v1/health reports every region and backend; /v1/health/ready is for load balancers", async () => {
    const response = await worker.fetch(`${BASE}/v1/health`);
    expect(response.status).toBe(200);
    const report = (await response.json()) as any;
    expect(report).toMatchObject({ status: "ok", checks: { database: "ok", sandbox: "ok" } });
    expect(["healthy", "degraded", "critical"]).toContain(report.regionsStatus);
    const two = report.regions.find((r: { id: string }) => r.id === "ha-two");
    expect(two.backends.map((b: { id: string }) => b.id)).toEqual(["builtin-ha-two", "ha-two-a", "ha-two-b"]);
    for (const backend of two.backends) expect(backend).toHaveProperty("breaker");
    const ready = await worker.fetch(`${BASE}/v1/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
  });

  it("sheds batch work before interactive work when a backend is nearly full", async () => {
    await control("ha-four-a", { latencyMs: 400 });
    try {
      const slow = execute(...python("ha-four"));
      await new Promise((resolve) => setTimeout(resolve, 150));
      const [body, headers] = python("ha-four");
      const batch = await execute(body, { ...headers, "X-Edgebox-Priority": "batch" });
      expect(batch.status).toBe(429);
      expect(Number(batch.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(((await batch.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
      // The interactive request next to it is admitted (2 slots, 1 held).
      expect(await servedBy(await execute(...python("ha-four")))).toBe("ha-four-a");
      expect(await servedBy(await slow)).toBe("ha-four-a");
      const bad = await execute(body, { ...headers, "X-Edgebox-Priority": "urgent" });
      expect(bad.status).toBe(400);
    } finally {
      await control("ha-four-a", { latencyMs: 0 });
    }
  });

  it("serves JavaScript on the built-in runtime when no remote backend can, and says so", async () => {
    await control("ha-five-a", { failure: "http503" });
    try {
      const response = await execute(
        { language: "javascript", version: "20.11.1", files: [{ content: "console.log(6 * 7)" }] },
        { "X-Edgebox-Region": "ha-five" },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("X-Edgebox-Degraded")).toBe("builtin-fallback");
      const body = (await response.json()) as { language: string; version: string; run: { stdout: string } };
      expect(body.run.stdout).toBe("42\n");
      expect(body.version).not.toBe("20.11.1");
    } finally {
      await control("ha-five-a", { failure: "none" });
    }
  });

  it("accepts an overloaded request as an async job when the client prefers it (Prefer: respond-async)", async () => {
    await control("ha-six-a", { failure: "http503" });
    try {
      const body = JSON.stringify({ language: "python", version: "3.12.0", code: "print(1)", region: "ha-six" });
      const post = (headers: Record<string, string>) =>
        worker.fetch(new Request(`${BASE}/v1/executions`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body }));
      const refused = await post({});
      expect(refused.status).toBe(503);
      expect(refused.headers.get("Retry-After")).not.toBeNull();
      const deferred = await post({ Prefer: "respond-async, wait=5" });
      expect(deferred.status).toBe(202);
      expect(deferred.headers.get("Preference-Applied")).toBe("respond-async");
      const job = (await deferred.json()) as { id: string; status: string };
      expect(deferred.headers.get("Location")).toBe(`/v1/jobs/${job.id}`);
      expect(job.status).toBe("queued");
    } finally {
      await control("ha-six-a", { failure: "none" });
    }
  });

  it("waits briefly for a slot when every region is full, instead of answering 503 at once", async () => {
    await control("ha-seven-a", { latencyMs: 150 });
    try {
      const [first, second] = await Promise.all([execute(...python("ha-seven")), execute(...python("ha-seven"))]);
      expect(await servedBy(first)).toBe("ha-seven-a");
      expect(await servedBy(second)).toBe("ha-seven-a");
    } finally {
      await control("ha-seven-a", { latencyMs: 0 });
    }
  });
});
