import { beforeEach, describe, expect, it } from "vitest";
import { resetIsolateCacheMemory } from "../../workers/cache";
import { GENERATION_STALENESS_MS } from "../../workers/cache/generation-cache";
import { ADMIN, createTenantWithKey, postJson } from "../helpers/http";
import { countingExecutor, isolate, l1Has, l2Has, okResult, uniqueRequest } from "./helpers";

beforeEach(() => resetIsolateCacheMemory());

/** Two isolates with their own memory, sharing D1, KV and the colo's Cache API, on one clock. */
function twoIsolates() {
  const clock = { now: Date.now() };
  return { a: isolate({ clock }), b: isolate({ clock }), clock };
}

describe("invalidation across isolates", () => {
  it("stops a second isolate from serving an invalidated entry within the staleness bound", async () => {
    const { a, b, clock } = twoIsolates();
    const executor = countingExecutor((n) => okResult(`dataset v${n}\n`));
    const request = uniqueRequest("acme", { userTags: ["dataset:v3"] });

    const filled = await a.cache().run(request, executor.execute);
    await a.settle();
    // B reads the generations now and keeps them for the staleness bound.
    expect((await b.cache().run(request, executor.execute)).cache.status).toBe("HIT-L1");

    clock.now += 1_000;
    await a.cache().invalidate([{ scope: "acme", tag: "dataset:v3" }]);
    // The invalidating isolate sees it at once.
    const fromA = await a.cache().run(request, executor.execute);
    expect(fromA.cache.status).toBe("MISS");
    expect(fromA.result.stdout).toBe("dataset v2\n");
    await a.settle();

    // The old copies are still in L1 and KV (nothing can purge them everywhere) ...
    expect(await l1Has(filled.cache.lookupKey!)).toBe(true);
    expect(await l2Has(filled.cache.lookupKey!)).toBe(true);
    // ... and B may still use them until its generations are GENERATION_STALENESS_MS old ...
    const withinBound = await b.cache().run(request, executor.execute);
    expect(withinBound.result.stdout).toBe("dataset v1\n");
    // ... but not a moment later: every lookup from then on gets the new result.
    clock.now += GENERATION_STALENESS_MS - 1_000;
    for (let i = 0; i < 3; i++) {
      const after = await b.cache().run(request, executor.execute);
      expect(after.result.stdout).toBe("dataset v2\n");
      expect(after.cache.lookupKey).toBe(fromA.cache.lookupKey);
    }
    expect(executor.runs).toBe(2);
  });

  it("invalidates by tenant tag, runtime tag and key, each only where it applies", async () => {
    const { a, b, clock } = twoIsolates();
    const executor = countingExecutor((n) => okResult(`${n}\n`));
    const acmeOne = uniqueRequest("acme");
    const acmeTwo = uniqueRequest("acme");
    const beta = uniqueRequest("beta");
    const betaTs = uniqueRequest("beta", { program: { ...uniqueRequest("beta").program, language: "typescript" } });
    for (const request of [acmeOne, acmeTwo, beta, betaTs]) await a.cache().run(request, executor.execute);
    await a.settle();
    const status = async (request: typeof acmeOne) => (await b.cache().run(request, executor.execute)).cache.status;

    // By key: only that program, only in its namespace.
    const key = (await a.cache().run(acmeOne, executor.execute)).cache.key!;
    await a.cache().invalidate([{ scope: "acme", tag: `key:${key}` }]);
    clock.now += GENERATION_STALENESS_MS;
    expect(await status(acmeOne)).toBe("MISS");
    expect(await status(acmeTwo)).toMatch(/^HIT/);
    expect(await status(beta)).toMatch(/^HIT/);
    await b.settle();

    // By tenant: everything of acme, nothing of beta.
    await a.cache().invalidate([{ scope: "acme", tag: "tenant:acme" }]);
    clock.now += GENERATION_STALENESS_MS;
    expect(await status(acmeOne)).toBe("MISS");
    expect(await status(acmeTwo)).toBe("MISS");
    expect(await status(beta)).toMatch(/^HIT/);
    await b.settle();

    // By runtime (global): every tenant's javascript entries, not typescript ones.
    await a.cache().invalidate([{ scope: "*", tag: "runtime:javascript@1.0.0" }]);
    clock.now += GENERATION_STALENESS_MS;
    expect(await status(beta)).toBe("MISS");
    expect(await status(acmeOne)).toBe("MISS");
    expect(await status(betaTs)).toMatch(/^HIT/);
  });

  it("keeps generations growing, so a bump never makes an old key current again", async () => {
    const { a } = twoIsolates();
    const first = await a.cache().invalidate([{ scope: "acme", tag: "x" }]);
    const second = await a.cache().invalidate([{ scope: "acme", tag: "x" }]);
    expect(second[0].generation).toBeGreaterThan(first[0].generation);
  });
});

describe("shared namespace", () => {
  it("lets opted-in tenants share entries, and keeps everyone else apart", async () => {
    const { env } = await import("../helpers/bindings");
    await env.DB.batch([
      env.DB.prepare("INSERT INTO tenants (id, name, cache_shared) VALUES ('share-a', 'a', 1), ('share-b', 'b', 1), ('private-c', 'c', 0)"),
    ]);
    const one = isolate();
    const executor = countingExecutor(() => okResult("shared\n"));
    const program = uniqueRequest("share-a").program;
    const first = await one.cache().run({ ...uniqueRequest("share-a"), program }, executor.execute);
    await one.settle();
    const other = await one.cache().run({ ...uniqueRequest("share-b"), program }, executor.execute);
    expect(other.cache.status).toMatch(/^HIT/);
    expect(other.cache.key).toBe(first.cache.key);
    const separate = await one.cache().run({ ...uniqueRequest("private-c"), program }, executor.execute);
    expect(separate.cache.status).toBe("MISS");
    expect(separate.cache.key).not.toBe(first.cache.key);
  });
});

describe("POST /v1/cache/invalidate", () => {
  const run = (body: unknown, headers: Record<string, string> = {}) => postJson("/v1/executions", body, headers);

  it("takes effect at once in the isolate that served it", async () => {
    const code = `console.log("invalidate me ${Math.random()}")`;
    const body = { language: "javascript", code, cache: { tags: ["dataset:v3"] } };
    expect((await run(body)).headers.get("x-cache")).toBe("MISS");
    expect((await run(body)).headers.get("x-cache")).toMatch(/^HIT/);
    const response = await postJson("/v1/cache/invalidate", { tags: ["dataset:v3"] });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { invalidated: Array<{ namespace: string; tag: string; generation: number }>; propagationSeconds: number };
    expect(answer.invalidated).toEqual([{ namespace: "dev", tag: "dataset:v3", generation: expect.any(Number) }]);
    expect(answer.propagationSeconds).toBe(GENERATION_STALENESS_MS / 1000);
    expect((await run(body)).headers.get("x-cache")).toBe("MISS");
    // Entries without the tag stay.
    const untagged = { language: "javascript", code };
    await run(untagged);
    await postJson("/v1/cache/invalidate", { tags: ["dataset:v3"] });
    expect((await run(untagged)).headers.get("x-cache")).toMatch(/^HIT/);
  });

  it("invalidates by the key the response reported", async () => {
    const body = { language: "javascript", code: `console.log("by key ${Math.random()}")` };
    const first = (await (await run(body)).json()) as { cache: { key: string } };
    expect((await run(body)).headers.get("x-cache")).toMatch(/^HIT/);
    expect((await postJson("/v1/cache/invalidate", { keys: [first.cache.key] })).status).toBe(200);
    expect((await run(body)).headers.get("x-cache")).toBe("MISS");
  });

  it("scopes API-key callers to their own tenant and leaves global tags to the admin", async () => {
    const key = await createTenantWithKey("inval-acme");
    const auth = { authorization: `Bearer ${key}` };
    const body = { language: "javascript", code: `console.log("tenant ${Math.random()}")` };
    await run(body, auth);
    expect((await run(body, auth)).headers.get("x-cache")).toMatch(/^HIT/);

    const other = await postJson("/v1/cache/invalidate", { tags: ["tenant:dev"] }, auth);
    expect(other.status).toBe(403);
    const runtime = await postJson("/v1/cache/invalidate", { tags: ["runtime:javascript@1.0.0"] }, auth);
    expect(runtime.status).toBe(403);
    expect((await run(body, auth)).headers.get("x-cache")).toMatch(/^HIT/);

    // The anonymous dev tenant cannot reach acme's entries either.
    expect((await postJson("/v1/cache/invalidate", { tags: ["tenant:inval-acme"] })).status).toBe(403);
    const own = await postJson("/v1/cache/invalidate", { tags: ["tenant:inval-acme"] }, auth);
    expect(own.status).toBe(200);
    expect((await run(body, auth)).headers.get("x-cache")).toBe("MISS");
  });

  it("lets the admin invalidate a runtime for everyone", async () => {
    const runtimes = (await (await postJson("/v1/executions", { language: "javascript", code: "1" })).json()) as { runtime: { version: string } };
    const body = { language: "javascript", code: `console.log("runtime ${Math.random()}")` };
    await run(body);
    expect((await run(body)).headers.get("x-cache")).toMatch(/^HIT/);
    const response = await postJson("/v1/cache/invalidate", { tags: [`runtime:javascript@${runtimes.runtime.version}`] }, ADMIN);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { invalidated: Array<{ namespace: null }> }).invalidated[0].namespace).toBeNull();
    expect((await run(body)).headers.get("x-cache")).toBe("MISS");
  });

  it("rejects bad input with field-level errors", async () => {
    const cases: Array<[unknown, number, string]> = [
      [{}, 400, "tags"],
      [{ tags: ["bad tag"] }, 400, "tags[0]"],
      [{ keys: ["nope"] }, 400, "keys[0]"],
      [{ tags: "x" }, 400, "tags"],
      [{ tags: ["x"], extra: 1 }, 400, ""],
    ];
    for (const [body, status, path] of cases) {
      const response = await postJson("/v1/cache/invalidate", body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      const error = (await response.json()) as { error: { details?: Array<{ path: string }> } };
      expect(error.error.details?.[0]?.path ?? "").toBe(path);
    }
    expect((await postJson("/v1/cache/invalidate", { tags: ["x"] }, { "x-admin-secret": "wrong" })).status).toBe(403);
  });
});
