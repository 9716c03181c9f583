import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../workers/index";
import { isolateCacheMemory, resetIsolateCacheMemory } from "../../workers/cache";
import { KV_RESULT_PREFIX } from "../../workers/cache/levels/l2-kv";
import { warmCache } from "../../workers/cache/warm-cache";
import { storedRequestExecutor } from "../../workers/execution/execute-program";
import { env } from "../helpers/bindings";
import { postJson } from "../helpers/http";
import { countingExecutor, lookupKeysOf, okResult } from "./helpers";

async function runCron(vars: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
}

async function execute(code: string) {
  const response = await postJson("/v1/executions", { language: "javascript", code });
  const body = (await response.json()) as { stdout: string; cache: { status: string; key: string } };
  return { xCache: response.headers.get("x-cache"), ...body };
}

async function newestLookupKey(programKey: string): Promise<string> {
  const keys = await lookupKeysOf(programKey);
  return keys[keys.length - 1];
}

const inKv = async (lookupKey: string) => (await env.RESULT_CACHE.get(KV_RESULT_PREFIX + lookupKey)) !== null;

beforeEach(async () => {
  resetIsolateCacheMemory();
  await env.DB.batch([env.DB.prepare("DELETE FROM cache_hits"), env.DB.prepare("DELETE FROM cache_entries")]);
});

describe("warming cron (scheduled handler)", () => {
  it("puts the hottest N programs back into KV, and only those", async () => {
    const programs = ["hot", "warm", "cold"].map((name) => `console.log("${name}", ${Math.random()})`);
    const keys: string[] = [];
    for (const [index, code] of programs.entries()) {
      for (let i = 0; i < 5 - 2 * index; i++) {
        const answer = await execute(code);
        keys[index] = answer.cache.key;
      }
    }
    const lookupKeys = await Promise.all(keys.map(newestLookupKey));
    for (const key of lookupKeys) {
      expect(await inKv(key)).toBe(true);
      await env.RESULT_CACHE.delete(KV_RESULT_PREFIX + key);
    }
    await runCron({ CACHE_WARM_TOP_N: "2" });
    expect(await Promise.all(lookupKeys.map(inKv))).toEqual([true, true, false]);
  });

  it("re-executes the hottest invalidated programs so they are hits again", async () => {
    const hot = `console.log("rewarm", ${Math.random()})`;
    const first = await execute(hot);
    await execute(hot);
    const oldKey = await newestLookupKey(first.cache.key);

    expect((await postJson("/v1/cache/invalidate", { keys: [first.cache.key] })).status).toBe(200);
    await runCron();

    const newKey = await newestLookupKey(first.cache.key);
    expect(newKey).not.toBe(oldKey);
    expect(await inKv(newKey)).toBe(true);
    const after = await execute(hot);
    expect(after.xCache).toMatch(/^HIT-L[23]$/);
    expect(after.stdout).toBe(first.stdout);
  });

  it("flushes pending hit counts before ranking, so a single isolate's traffic counts", async () => {
    const code = `console.log("counted", ${Math.random()})`;
    const { cache } = await execute(code);
    expect(isolateCacheMemory().stats.pendingPrograms).toBeGreaterThan(0);
    await runCron();
    const row = await env.DB.prepare("SELECT total_hits AS hits FROM cache_hits WHERE program_key = ?1").bind(cache.key).first<{ hits: number }>();
    expect(row?.hits).toBe(1);
  });
});

describe("warmCache report", () => {
  it("skips programs whose runtime is gone, stops re-executing past its CPU budget, and prunes", async () => {
    const codes = [1, 2, 3].map((n) => `console.log("budget ${n}", ${Math.random()})`);
    const keys: string[] = [];
    for (const code of codes) keys.push((await execute(code)).cache.key);
    await postJson("/v1/cache/invalidate", { keys });
    // An expired entry and an old generation that can go.
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO cache_entries (lookup_key, namespace, program_key, tags, result, request, size_bytes, created_at, expires_at) VALUES ('gone', 'dev', 'p', '[]', '{}', '{}', 1, 0, 1)",
      ),
      env.DB.prepare("INSERT INTO cache_generations (scope, tag, generation, updated_at) VALUES ('dev', 'ancient', 1, 1)"),
    ]);

    const costly = countingExecutor(() => okResult("rerun\n", { cpuTimeMs: 20_000 }));
    const report = await warmCache(env, {
      execute: costly.execute,
      runtimeAvailable: (request) => !request.files[0].content.includes("budget 3"),
    });
    expect(report.hot).toBe(3);
    expect(report.skipped).toEqual({ "runtime-gone": 1 });
    expect(report.actions.reexecute).toBe(1); // the first used up the budget
    expect(report.actions["over-budget"]).toBe(1);
    expect(costly.runs).toBe(1);
    expect(report.pruned.entries).toBe(1);
    expect(report.pruned.generations).toBe(1);
  });

  it("runs stored requests with the real executor", async () => {
    const code = `console.log("real", 6 * 7)`;
    const { cache } = await execute(code);
    await postJson("/v1/cache/invalidate", { keys: [cache.key] });
    const report = await warmCache(env, storedRequestExecutor);
    expect(report.actions.reexecute).toBe(1);
    const row = await env.DB.prepare("SELECT result FROM cache_entries WHERE program_key = ?1 ORDER BY created_at DESC LIMIT 1").bind(cache.key).first<{ result: string }>();
    expect(JSON.parse(row!.result).stdout).toBe("real 42\n");
  });
});
