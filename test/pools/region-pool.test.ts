import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AcquireRequest, AcquireResult } from "../../workers/pools/pool-protocol";
import { env } from "../helpers/bindings";

// The pool Durable Object end to end in workerd: real RPC, real storage. Policy details are tested
// in test/routing; this checks the shell wires leases, limits and affinity together.

let counter = 0;
function freshPool() {
  const regionId = `pool-test-${++counter}-${Date.now()}`;
  return { regionId, pool: env.REGION_POOL.get(env.REGION_POOL.idFromName(regionId)) };
}

function request(regionId: string, overrides: Partial<AcquireRequest> = {}): AcquireRequest {
  return {
    regionId,
    locationHint: null,
    policy: "least_connections",
    candidates: [
      { id: "a", weight: 1, minConcurrency: 1, maxConcurrency: 2, kind: "builtin" as const, url: null },
      { id: "b", weight: 1, minConcurrency: 1, maxConcurrency: 2, kind: "builtin" as const, url: null },
    ],
    existingBackendIds: ["a", "b"],
    ...overrides,
  };
}

const acquire = async (pool: ReturnType<typeof freshPool>["pool"], req: AcquireRequest) =>
  (await pool.acquire(req)) as AcquireResult;

describe("RegionPool", () => {
  it("hands out slots up to each backend's limit, then says saturated", async () => {
    const { regionId, pool } = freshPool();
    const leases: string[] = [];
    const backends: string[] = [];
    for (let i = 0; i < 4; i++) {
      const result = await acquire(pool, request(regionId));
      expect(result.ok).toBe(true);
      if (result.ok) {
        leases.push(result.lease.id);
        backends.push(result.lease.backendId);
      }
    }
    expect(backends.sort()).toEqual(["a", "a", "b", "b"]);
    const full = await acquire(pool, request(regionId));
    expect(full).toMatchObject({ ok: false, reason: "saturated" });
    if (!full.ok) expect(full.retryAfterMs).toBeGreaterThan(0);

    expect(await pool.release(leases[0], { latencyMs: 5, outcome: "success" })).toBe(true);
    expect(await pool.release(leases[0], { latencyMs: 5, outcome: "success" })).toBe(false);
    expect((await acquire(pool, request(regionId))).ok).toBe(true);
  });

  it("lets an unreleased lease expire so the slot comes back", async () => {
    const { regionId, pool } = freshPool();
    const one = request(regionId, { candidates: [{ id: "a", weight: 1, minConcurrency: 1, maxConcurrency: 1, kind: "builtin" as const, url: null }], leaseTtlMs: 50 });
    expect((await acquire(pool, one)).ok).toBe(true);
    expect((await acquire(pool, one)).ok).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await acquire(pool, one)).ok).toBe(true);
  });

  it("least connections sends new work to the idle backend", async () => {
    const { regionId, pool } = freshPool();
    const wide = request(regionId, {
      candidates: [
        { id: "a", weight: 1, minConcurrency: 1, maxConcurrency: 10, kind: "builtin" as const, url: null },
        { id: "b", weight: 1, minConcurrency: 1, maxConcurrency: 10, kind: "builtin" as const, url: null },
      ],
    });
    const first = await acquire(pool, wide);
    const second = await acquire(pool, wide);
    expect(first.ok && second.ok).toBe(true);
    if (first.ok && second.ok) expect(second.lease.backendId).not.toBe(first.lease.backendId);
  });

  it("keeps a session on its backend and persists the pin", async () => {
    const { regionId, pool } = freshPool();
    const session = { id: "user-1", mode: "temporary" as const, ttlMs: 60_000 };
    const wide = request(regionId, {
      policy: "round_robin",
      session,
      candidates: [
        { id: "a", weight: 1, minConcurrency: 1, maxConcurrency: 10, kind: "builtin" as const, url: null },
        { id: "b", weight: 1, minConcurrency: 1, maxConcurrency: 10, kind: "builtin" as const, url: null },
      ],
    });
    const first = await acquire(pool, wide);
    expect(first).toMatchObject({ ok: true, affinity: "pinned" });
    for (let i = 0; i < 5; i++) {
      const next = await acquire(pool, wide);
      expect(next).toMatchObject({ ok: true, affinity: "used" });
      if (next.ok && first.ok) expect(next.lease.backendId).toBe(first.lease.backendId);
    }
    // Without the pinned backend among the candidates (unhealthy), temporary failover goes elsewhere.
    const pinned = first.ok ? first.lease.backendId : "";
    const other = pinned === "a" ? "b" : "a";
    const without = await acquire(pool, { ...wide, candidates: wide.candidates.filter((c) => c.id !== pinned) });
    expect(without).toMatchObject({ ok: true, affinity: "fallback" });
    if (without.ok) expect(without.lease.backendId).toBe(other);
    // ...and comes home when it is back.
    const back = await acquire(pool, wide);
    if (back.ok) expect(back.lease.backendId).toBe(pinned);
  });

  it("rejects a session whose backend is unavailable when failover is none", async () => {
    const { regionId, pool } = freshPool();
    const session = { id: "user-2", mode: "none" as const, ttlMs: 60_000 };
    const first = await acquire(pool, request(regionId, { session }));
    expect(first.ok).toBe(true);
    const pinned = first.ok ? first.lease.backendId : "";
    const result = await acquire(pool, request(regionId, { session, candidates: request(regionId).candidates.filter((c) => c.id !== pinned) }));
    expect(result).toMatchObject({ ok: false, reason: "session_backend_unavailable", backendId: pinned });
  });

  it("shrinks a backend's limit after drops and reports it in the snapshot", async () => {
    const { regionId, pool } = freshPool();
    const one = request(regionId, { candidates: [{ id: "a", weight: 1, minConcurrency: 1, maxConcurrency: 10, kind: "builtin" as const, url: null }] });
    const before = await pool.snapshot();
    expect(before.backends).toEqual([]);
    for (let i = 0; i < 5; i++) {
      const result = await acquire(pool, one);
      if (result.ok) await pool.release(result.lease.id, { latencyMs: 1, outcome: "failure" });
    }
    const snapshot = await pool.snapshot();
    expect(snapshot.regionId).toBe(regionId);
    const a = snapshot.backends.find((backend) => backend.id === "a")!;
    expect(a.limit).toBeLessThan(10);
    expect(a.limit).toBeGreaterThanOrEqual(1);
    expect(a.inFlight).toBe(0);
    expect(a.recommendation.action).toBe("hold");
  });

  it("schedules its maintenance alarm, which re-arms itself", async () => {
    const { regionId, pool } = freshPool();
    await pool.start(regionId);
    // The alarm flushes outcome batches and announces scaling changes, then re-arms.
    expect(await runDurableObjectAlarm(pool)).toBe(true);
    expect(await runDurableObjectAlarm(pool)).toBe(true);
  });

  it("admits retries only within the retry budget (20 % of active requests, at least 3)", async () => {
    const { regionId, pool } = freshPool();
    const wide = request(regionId, {
      // min = max: the adaptive limit starts (and stays) at 100 slots, so only the budget refuses.
      candidates: [{ id: "a", weight: 1, minConcurrency: 100, maxConcurrency: 100, kind: "builtin" as const, url: null }],
    });
    for (let i = 0; i < 3; i++) expect((await acquire(pool, { ...wide, isRetry: true })).ok).toBe(true);
    expect(await acquire(pool, { ...wide, isRetry: true })).toMatchObject({ ok: false, reason: "retry_budget" });
    // More first attempts in flight raise the budget: 3 retries + 17 others = 20 active → 4 retries allowed.
    for (let i = 0; i < 17; i++) expect((await acquire(pool, wide)).ok).toBe(true);
    expect((await acquire(pool, { ...wide, isRetry: true })).ok).toBe(true);
  });

  it("enforces the breaker view its backends push: open excluded, half-open admits its trial calls only", async () => {
    const { regionId, pool } = freshPool();
    const wide = request(regionId, {
      policy: "round_robin",
      candidates: [
        { id: "a", weight: 1, minConcurrency: 1, maxConcurrency: 10, kind: "builtin" as const, url: null },
        { id: "b", weight: 1, minConcurrency: 1, maxConcurrency: 10, kind: "builtin" as const, url: null },
      ],
    });
    const view = { backendId: "a", openUntil: null, halfOpenPermits: 2, probe: "healthy" as const };
    await pool.updateHealth({ ...view, breaker: "open", version: 1 });
    for (let i = 0; i < 4; i++) expect(await acquire(pool, wide)).toMatchObject({ ok: true, lease: { backendId: "b" } });
    await pool.updateHealth({ ...view, breaker: "half_open", version: 2 });
    const chosen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const result = await acquire(pool, wide);
      if (result.ok) chosen.push(result.lease.backendId);
    }
    expect(chosen.filter((id) => id === "a")).toHaveLength(2);
    // A stale push (older version) is ignored.
    await pool.updateHealth({ ...view, breaker: "closed", version: 1 });
    const snapshot = await pool.snapshot();
    expect(snapshot.backends.find((backend) => backend.id === "a")?.breaker).toBe("half_open");
  });

  it("sheds batch requests first: they may use only 80 % of a backend's slots", async () => {
    const { regionId, pool } = freshPool();
    const five = request(regionId, {
      candidates: [{ id: "a", weight: 1, minConcurrency: 1, maxConcurrency: 5, kind: "builtin" as const, url: null }],
    });
    for (let i = 0; i < 4; i++) expect((await acquire(pool, { ...five, priority: "batch" })).ok).toBe(true);
    expect(await acquire(pool, { ...five, priority: "batch" })).toMatchObject({ ok: false, reason: "shed" });
    expect((await acquire(pool, { ...five, priority: "interactive" })).ok).toBe(true);
    expect(await acquire(pool, five)).toMatchObject({ ok: false, reason: "saturated" });
  });
});
