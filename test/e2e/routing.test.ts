import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakePistonServer, type FakePistonServer } from "../fakes/serve-fake-piston.ts";
import { startLocalServer, type LocalServer } from "./local-server";

// Routing end to end, over real sockets: `wrangler dev` and two fake Piston v2 servers on
// 127.0.0.1 (test/fakes/serve-fake-piston.ts). A fake's executions print its id, so every answer
// says which backend ran it. One fake is then really closed — nothing listens on its port, so the
// service's fetch gets "connection refused", not an HTTP error — and later restarted on the same
// port.

const ADMIN_SECRET = `e2e-${randomUUID()}`;
const REGION = "e2e-routing";
const A = "e2e-a";
const B = "e2e-b";
/**
 * Python only: with no JavaScript to run, the service's health probe is just the runtimes call, so
 * the fakes' execute counters count this test's programs and nothing else.
 */
const RUNTIMES = [{ language: "python", version: "3.12.0", aliases: ["py", "python3"] }];

let server: LocalServer;
let fakeA: FakePistonServer;
let fakeB: FakePistonServer | undefined;
let portB: number;

async function admin(path: string, body?: unknown, method = "POST"): Promise<Record<string, any>> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_SECRET}` },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** Runs python through the service; returns which backend served it (stdout's first line). */
async function runPython(): Promise<{ status: number; servedBy: string; backendHeader: string | null; body: string }> {
  const response = await fetch(`${server.url}/api/v2/execute`, {
    method: "POST",
    headers: { "content-type": "application/json", "cache-control": "no-store" },
    body: JSON.stringify({ language: "python", version: "3.12.0", files: [{ content: "print(input())" }] }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = await response.text();
  let servedBy = "";
  if (response.status === 200) servedBy = (JSON.parse(body) as { run: { stdout: string } }).run.stdout.split("\n")[0];
  return { status: response.status, servedBy, backendHeader: response.headers.get("X-Edgebox-Backend"), body };
}

beforeAll(async () => {
  [fakeA, fakeB] = await Promise.all([startFakePistonServer({ id: A, runtimes: RUNTIMES }), startFakePistonServer({ id: B, runtimes: RUNTIMES })]);
  portB = Number(new URL(fakeB.url).port);
  server = await startLocalServer({ ADMIN_SECRET });
  await admin("/v1/admin/regions", { id: REGION, name: "E2E routing", latitude: 0, longitude: 0, policy: "weighted_round_robin", isDefault: true });
  for (const [id, fake] of [[A, fakeA], [B, fakeB]] as const) {
    const backend = await admin("/v1/admin/backends", { id, regionId: REGION, kind: "piston", url: fake.url, weight: 1, maxConcurrency: 16 });
    expect(backend).toMatchObject({ id, healthy: true });
    expect(backend.runtimes).toContainEqual(expect.objectContaining({ language: "python", version: "3.12.0" }));
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await Promise.allSettled([fakeA?.close(), fakeB?.close()]);
});

describe("routing to real remote backends", () => {
  it("spreads python over both backends", async () => {
    const served: string[] = [];
    for (let i = 0; i < 6; i++) {
      const result = await runPython();
      expect(result.status, result.body).toBe(200);
      expect(result.backendHeader).toBe(result.servedBy);
      served.push(result.servedBy);
    }
    // Smooth weighted round-robin with equal weights alternates.
    expect(new Set(served)).toEqual(new Set([A, B]));
    expect(served.filter((id) => id === A)).toHaveLength(3);
  });

  it("keeps answering when a backend dies (connection refused is retried on the other), and its check says unhealthy", async () => {
    await fakeB!.close();
    fakeB = undefined;
    const executesBefore = fakeA.fake.stats().executes;
    for (let i = 0; i < 6; i++) {
      const result = await runPython();
      expect(result.status, result.body).toBe(200);
      expect(result.servedBy).toBe(A);
      expect(result.backendHeader).toBe(A);
    }
    // Each request ran exactly once on A: the failed attempts on B never reached a program.
    expect(fakeA.fake.stats().executes - executesBefore).toBe(6);
    // And B really was tried (not skipped as already known down): every refused attempt is a
    // "dropped" sample that cuts B's adaptive limit (×0.9 from its initial 10). Releases are sent
    // after the response (waitUntil), so give them a moment.
    const limitOf = async (id: string) => {
      const pool = await admin(`/v1/admin/regions/${REGION}/pool`, undefined, "GET");
      return (pool.backends as Array<{ id: string; limit: number }>).find((backend) => backend.id === id)?.limit;
    };
    let limitB = await limitOf(B);
    for (let i = 0; i < 20 && !(limitB! < 10); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      limitB = await limitOf(B);
    }
    expect(limitB).toBeLessThan(10);
    expect(await limitOf(A)).toBeGreaterThanOrEqual(10);

    const check = await admin(`/v1/admin/backends/${B}/check`);
    expect(check).toMatchObject({ check: { healthy: false }, backend: { id: B, healthy: false } });
    expect(check.check.error).toEqual(expect.any(String));

    // Unhealthy backends are left out of the plan: straight to A, nothing to retry.
    const result = await runPython();
    expect(result.status, result.body).toBe(200);
    expect(result.servedBy).toBe(A);
  });

  it("takes the backend back once it is up again and a check finds it healthy", async () => {
    fakeB = await startFakePistonServer({ id: B, runtimes: RUNTIMES, port: portB });
    const check = await admin(`/v1/admin/backends/${B}/check`);
    expect(check).toMatchObject({ check: { healthy: true }, backend: { id: B, healthy: true } });

    // The isolate that ran the check re-reads the topology at once; another one within 5 s.
    const deadline = Date.now() + 15_000;
    const served = new Set<string>();
    while (!served.has(B) && Date.now() < deadline) {
      const result = await runPython();
      expect(result.status, result.body).toBe(200);
      served.add(result.servedBy);
      if (!served.has(B)) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(served).toContain(B);
    expect(fakeB.fake.stats().lastExecute).toMatchObject({ language: "python" });
  });
});
