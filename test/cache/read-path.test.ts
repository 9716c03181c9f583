import { beforeEach, describe, expect, it } from "vitest";
import { CacheApiLevel } from "../../workers/cache/levels/l1-cache-api";
import { KV_RESULT_PREFIX } from "../../workers/cache/levels/l2-kv";
import { L3_MAX_ROW_BYTES } from "../../workers/cache/policy";
import { env } from "../helpers/bindings";
import { countingExecutor, countingKv, deleteFromLevels, isolate, l1Has, l2Has, l3Has, okResult, uniqueRequest } from "./helpers";

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM cache_entries").run();
});

describe("read path", () => {
  it("fills every level on a miss, then answers from L1", async () => {
    const one = isolate();
    const executor = countingExecutor(() => okResult("hello\n"));
    const request = uniqueRequest("acme");
    const first = await one.cache().run(request, executor.execute);
    expect(first.cache.status).toBe("MISS");
    expect(first.result.stdout).toBe("hello\n");
    await one.settle();
    const key = first.cache.lookupKey!;
    expect([await l1Has(key), await l2Has(key), await l3Has(key)]).toEqual([true, true, true]);
    expect(one.memory.l1Memory.size).toBe(1);

    const second = await one.cache().run(request, executor.execute);
    expect(second.cache).toMatchObject({ status: "HIT-L1", key: first.cache.key });
    expect(second.result).toEqual(first.result);
    expect(executor.runs).toBe(1);
  });

  it("answers L1 from isolate memory first, and from the colo's Cache API in another isolate", async () => {
    const one = isolate();
    const executor = countingExecutor(() => okResult("two tiers\n"));
    const request = uniqueRequest("acme");
    const key = (await one.cache().run(request, executor.execute)).cache.lookupKey!;
    await one.settle();
    // Gone from the Cache API, still in this isolate's memory.
    await caches.default.delete(CacheApiLevel.BASE_URL + key);
    expect((await one.cache().run(request, executor.execute)).cache.status).toBe("HIT-L1");
    // Another isolate has neither: KV answers, and the hit is promoted into the Cache API and its memory.
    const other = isolate();
    expect((await other.cache().run(request, executor.execute)).cache.status).toBe("HIT-L2");
    await other.settle();
    expect(await l1Has(key)).toBe(true);
    expect(other.memory.l1Memory.size).toBe(1);
    // A third isolate finds it in the colo's Cache API, and keeps it in memory from then on.
    const third = isolate();
    expect((await third.cache().run(request, executor.execute)).cache.status).toBe("HIT-L1");
    expect(third.memory.l1Memory.size).toBe(1);
    expect(executor.runs).toBe(1);
  });

  it("promotes an L2 hit into L1, and an L3 hit into L2 and L1", async () => {
    const one = isolate();
    const executor = countingExecutor(() => okResult("promoted\n"));
    const request = uniqueRequest("acme");
    const key = (await one.cache().run(request, executor.execute)).cache.lookupKey!;
    await one.settle();

    await deleteFromLevels(key, ["l1"], [one.memory]);
    expect((await one.cache().run(request, executor.execute)).cache.status).toBe("HIT-L2");
    await one.settle();
    expect(await l1Has(key)).toBe(true);
    expect((await one.cache().run(request, executor.execute)).cache.status).toBe("HIT-L1");

    // A second isolate, so this isolate's "wrote KV recently" memory does not hold back the promotion.
    const other = isolate();
    await deleteFromLevels(key, ["l1", "l2"]);
    const fromL3 = await other.cache().run(request, executor.execute);
    expect(fromL3.cache.status).toBe("HIT-L3");
    expect(fromL3.result.stdout).toBe("promoted\n");
    await other.settle();
    expect([await l1Has(key), await l2Has(key)]).toEqual([true, true]);
    expect((await other.cache().run(request, executor.execute)).cache.status).toBe("HIT-L1");
    expect(executor.runs).toBe(1);
  });

  it("runs the program again when no level has it", async () => {
    const one = isolate();
    const executor = countingExecutor((n) => okResult(`run ${n}\n`));
    const request = uniqueRequest("acme");
    const key = (await one.cache().run(request, executor.execute)).cache.lookupKey!;
    await one.settle();
    await deleteFromLevels(key, ["l1", "l2", "l3"], [one.memory]);
    const again = await one.cache().run(request, executor.execute);
    expect(again.cache.status).toBe("MISS");
    expect(again.result.stdout).toBe("run 2\n");
  });

  it("works without L1 (workers.dev) and without KV", async () => {
    const noL1 = isolate({ l1: null, env: { RESULT_CACHE: null } });
    const executor = countingExecutor(() => okResult("only D1\n"));
    const request = uniqueRequest("acme");
    const first = await noL1.cache().run(request, executor.execute);
    await noL1.settle();
    expect(await l1Has(first.cache.lookupKey!)).toBe(false);
    expect(await l2Has(first.cache.lookupKey!)).toBe(false);
    expect((await noL1.cache().run(request, executor.execute)).cache.status).toBe("HIT-L3");
    expect(executor.runs).toBe(1);
  });

  it("treats a damaged copy as a miss, never as an answer", async () => {
    const one = isolate();
    const executor = countingExecutor((n) => okResult(`fresh ${n}\n`));
    const request = uniqueRequest("acme");
    const key = (await one.cache().run(request, executor.execute)).cache.lookupKey!;
    await one.settle();
    await caches.default.put(CacheApiLevel.BASE_URL + key, new Response("{not json", { headers: { "cache-control": "max-age=60" } }));
    await env.RESULT_CACHE.put(KV_RESULT_PREFIX + key, JSON.stringify({ v: 1, lookupKey: "someone else's" }));
    const answer = await isolate().cache().run(request, executor.execute);
    expect(answer.cache.status).toBe("HIT-L3");
    expect(answer.result.stdout).toBe("fresh 1\n");
  });
});

describe("level limits", () => {
  it("skips L3 for an entry bigger than a D1 row, keeping it in L1 and L2", async () => {
    const one = isolate();
    const big = "x".repeat(L3_MAX_ROW_BYTES + 1);
    const executor = countingExecutor(() => okResult(big));
    const request = uniqueRequest("acme");
    const first = await one.cache().run(request, executor.execute);
    expect(first.cache.status).toBe("MISS");
    await one.settle();
    const key = first.cache.lookupKey!;
    expect([await l1Has(key), await l2Has(key), await l3Has(key)]).toEqual([true, true, false]);
    const second = await one.cache().run(request, executor.execute);
    expect(second.cache.status).toBe("HIT-L1");
    expect(second.result.stdout.length).toBe(big.length);
  });

  it("skips KV when the entry would live less than KV's 60 s minimum", async () => {
    const shortLived = isolate({ env: { CACHE_L3_TTL_SECONDS: "30" } });
    const executor = countingExecutor(() => okResult("short\n"));
    const first = await shortLived.cache().run(uniqueRequest("acme"), executor.execute);
    await shortLived.settle();
    const key = first.cache.lookupKey!;
    expect([await l1Has(key), await l2Has(key), await l3Has(key)]).toEqual([true, false, true]);
  });

  it("writes a KV key at most once per interval from one isolate, however often L3 answers", async () => {
    const { kv, counts } = countingKv(env.RESULT_CACHE);
    const one = isolate({ l1: null, env: { RESULT_CACHE: kv } });
    const executor = countingExecutor(() => okResult("rate\n"));
    const request = uniqueRequest("acme");
    const key = (await one.cache().run(request, executor.execute)).cache.lookupKey!;
    await one.settle();
    expect(counts.puts).toBe(1);
    // KV lags (eventual consistency): L3 keeps answering, and each answer would promote again.
    for (let i = 0; i < 5; i++) {
      await deleteFromLevels(key, ["l2"]);
      expect((await one.cache().run(request, executor.execute)).cache.status).toBe("HIT-L3");
      await one.settle();
    }
    expect(counts.puts).toBe(1);
    one.clock.now += 61_000;
    await one.cache().run(request, executor.execute);
    await one.settle();
    expect(counts.puts).toBe(2);
  });
});

describe("determinism", () => {
  it("does not cache a run that observed nondeterminism, nor an internal error, nor a wall-time kill", async () => {
    for (const [overrides, reason] of [
      [{ nondeterministic: true }, "nondeterministic"],
      [{ status: "internal_error" as const }, "internal_error"],
      [{ status: "wall_time_exceeded" as const }, "wall_time_exceeded"],
    ] as const) {
      const one = isolate();
      const executor = countingExecutor((n) => okResult(`${n}\n`, overrides));
      const request = uniqueRequest("acme");
      const first = await one.cache().run(request, executor.execute);
      await one.settle();
      expect(first.cache).toMatchObject({ status: "BYPASS", reason });
      expect(await l3Has(first.cache.lookupKey!)).toBe(false);
      expect((await one.cache().run(request, executor.execute)).cache.status).toBe("BYPASS");
      expect(executor.runs).toBe(2);
    }
  });

  it("caches deterministic failures (runtime error, CPU and memory limits)", async () => {
    for (const status of ["runtime_error", "cpu_time_exceeded", "memory_limit_exceeded"] as const) {
      const one = isolate();
      const executor = countingExecutor(() => okResult("", { status, exitCode: null }));
      const request = uniqueRequest("acme");
      expect((await one.cache().run(request, executor.execute)).cache.status).toBe("MISS");
      await one.settle();
      expect((await one.cache().run(request, executor.execute)).cache.status).toBe("HIT-L1");
      expect(executor.runs).toBe(1);
    }
  });

  it("bypasses both reading and writing when the request asks", async () => {
    const one = isolate();
    const executor = countingExecutor(() => okResult("x\n"));
    const request = uniqueRequest("acme");
    await one.cache().run(request, executor.execute);
    await one.settle();
    const bypassed = await one.cache().run({ ...request, mode: "bypass" }, executor.execute);
    expect(bypassed.cache).toEqual({ status: "BYPASS", reason: "request" });
    expect(executor.runs).toBe(2);
  });
});

describe("stale-while-revalidate", () => {
  async function tenantWithSwr(id: string, swrSeconds: number) {
    await env.DB.prepare("INSERT INTO tenants (id, name, cache_swr_seconds) VALUES (?1, ?1, ?2)").bind(id, swrSeconds).run();
  }

  it("serves an expired entry within the tenant's window while running it again in the background", async () => {
    await tenantWithSwr("swr-on", 600);
    const one = isolate({ env: { CACHE_L3_TTL_SECONDS: "3600" } });
    const executor = countingExecutor((n) => okResult(`version ${n}\n`));
    const request = uniqueRequest("swr-on");
    await one.cache().run(request, executor.execute);
    await one.settle();

    one.clock.now += 3600_000 + 1_000; // past expiry, inside the 600 s window
    const stale = await one.cache().run(request, executor.execute);
    expect(stale.cache).toMatchObject({ status: "HIT-L1", stale: true });
    expect(stale.result.stdout).toBe("version 1\n");
    await one.settle(); // the revalidation
    expect(executor.runs).toBe(2);

    const fresh = await one.cache().run(request, executor.execute);
    expect(fresh.cache.stale).toBeUndefined();
    expect(fresh.result.stdout).toBe("version 2\n");
  });

  it("runs the program again once an entry has expired when the tenant has no window", async () => {
    await tenantWithSwr("swr-off", 0);
    const one = isolate({ env: { CACHE_L3_TTL_SECONDS: "3600" } });
    const executor = countingExecutor((n) => okResult(`version ${n}\n`));
    const request = uniqueRequest("swr-off");
    await one.cache().run(request, executor.execute);
    await one.settle();
    one.clock.now += 3600_000 + 1_000;
    const answer = await one.cache().run(request, executor.execute);
    expect(answer.cache.status).toBe("MISS");
    expect(answer.result.stdout).toBe("version 2\n");
  });

  it("revalidates a key once per isolate however many stale hits arrive meanwhile", async () => {
    await tenantWithSwr("swr-once", 600);
    const one = isolate({ env: { CACHE_L3_TTL_SECONDS: "3600" } });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const executor = countingExecutor(async (n) => {
      if (n > 1) await gate;
      return okResult(`version ${n}\n`);
    });
    const request = uniqueRequest("swr-once");
    await one.cache().run(request, executor.execute);
    await one.settle();
    one.clock.now += 3600_000 + 1_000;
    for (let i = 0; i < 3; i++) expect((await one.cache().run(request, executor.execute)).cache.stale).toBe(true);
    release();
    await one.settle();
    expect(executor.runs).toBe(2);
  });
});
