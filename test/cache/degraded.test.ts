import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../workers/api/app";
import { resetIsolateCacheMemory } from "../../workers/cache";
import { env } from "../helpers/bindings";
import { BASE } from "../helpers/http";
import { countingExecutor, d1Breaking, isolate, okResult, throwingKv, uniqueRequest } from "./helpers";

/** A request through the whole app with some bindings replaced, waiting for its background work. */
async function execute(bindings: Partial<Env>, code: string) {
  const ctx = createExecutionContext();
  const response = await createApp().request(
    `${BASE}/v1/executions`,
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ language: "javascript", code }) },
    { ...env, ...bindings },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const body = (await response.json()) as { status: string; stdout: string; cache: { status: string; reason?: string } };
  return { status: response.status, xCache: response.headers.get("x-cache"), body };
}

describe("a broken level degrades to executing, never to an error", () => {
  it("KV throwing on every call: answers from the other levels", async () => {
    resetIsolateCacheMemory();
    const code = `console.log("kv down", ${Math.random()})`;
    const first = await execute({ RESULT_CACHE: throwingKv() }, code);
    expect(first).toMatchObject({ status: 200, xCache: "MISS", body: { status: "ok" } });
    expect(first.body.stdout).toMatch(/^kv down/);
    const second = await execute({ RESULT_CACHE: throwingKv() }, code);
    expect(second.status).toBe(200);
    expect(second.xCache).toBe("HIT-L1");
    expect(second.body.stdout).toBe(first.body.stdout);
  });

  it("KV and L1 unavailable: L3 still answers", async () => {
    const one = isolate({ l1: null, env: { RESULT_CACHE: throwingKv() } });
    const executor = countingExecutor(() => okResult("l3 only\n"));
    const request = uniqueRequest("acme");
    expect((await one.cache().run(request, executor.execute)).cache.status).toBe("MISS");
    await one.settle();
    expect((await one.cache().run(request, executor.execute)).cache.status).toBe("HIT-L3");
    expect(executor.runs).toBe(1);
  });

  it("the cache table failing in D1: L1 and KV still answer, and nothing throws", async () => {
    const broken = d1Breaking(env.DB, /cache_entries/);
    const one = isolate({ l1: null, env: { DB: broken } });
    const executor = countingExecutor(() => okResult("no l3\n"));
    const request = uniqueRequest("acme");
    const first = await one.cache().run(request, executor.execute);
    expect(first.cache.status).toBe("MISS");
    await one.settle();
    expect((await one.cache().run(request, executor.execute)).cache.status).toBe("HIT-L2");
    expect(executor.runs).toBe(1);
  });

  it("D1 down entirely: runs every request without the cache (BYPASS cache_unavailable), never a 500", async () => {
    resetIsolateCacheMemory();
    const code = `console.log("d1 down", ${Math.random()})`;
    const broken = d1Breaking(env.DB, /./);
    for (let i = 0; i < 2; i++) {
      const answer = await execute({ DB: broken, RESULT_CACHE: throwingKv() }, code);
      expect(answer).toMatchObject({ status: 200, xCache: "BYPASS", body: { status: "ok", cache: { status: "BYPASS", reason: "cache_unavailable" } } });
    }
    // Once D1 is back, the cache is used again.
    resetIsolateCacheMemory();
    expect((await execute({}, code)).xCache).toBe("MISS");
  });

  it("a level that hangs up mid-read is skipped like one that throws", async () => {
    const flaky = new Proxy(env.RESULT_CACHE, {
      get(target, property) {
        if (property === "get") return () => Promise.reject(new Error("connection reset"));
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const one = isolate({ l1: null, env: { RESULT_CACHE: flaky } });
    const executor = countingExecutor(() => okResult("flaky\n"));
    const request = uniqueRequest("acme");
    await one.cache().run(request, executor.execute);
    await one.settle();
    expect((await one.cache().run(request, executor.execute)).cache.status).toBe("HIT-L3");
  });
});
