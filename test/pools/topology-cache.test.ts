import { beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../workers/db/client";
import { createRegion } from "../../workers/db/topology";
import { forgetTopology, TOPOLOGY_REFRESH_MS, topologyFor } from "../../workers/pools/topology-cache";
import type { Region } from "../../workers/routing/types";
import { env } from "../helpers/bindings";

function region(id: string): Region {
  return {
    id,
    name: id,
    latitude: 1,
    longitude: 2,
    locationHint: null,
    countries: [],
    continents: [],
    policy: "round_robin",
    sessionFailover: "none",
    affinityTtlSeconds: 60,
    isDefault: false,
    enabled: true,
  };
}

/**
 * The real D1 behind a switch: `fail` makes batches (how the topology is read) reject, `gate`
 * holds them until released; `batches` counts them. Each instance is its own cache key.
 */
function instrumentedEnv() {
  const real = env.DB;
  const state = {
    fail: false,
    batches: 0,
    gate: null as Promise<void> | null,
  };
  const DB = {
    prepare: (query: string) => real.prepare(query),
    batch: async (statements: D1PreparedStatement[]) => {
      state.batches += 1;
      if (state.gate) await state.gate;
      if (state.fail) throw new Error("D1 is unavailable");
      return real.batch(statements);
    },
    exec: (query: string) => real.exec(query),
    dump: () => real.dump(),
    withSession: () => real.withSession(),
  } as unknown as D1Database;
  return { env: { DB }, state };
}

const ids = (topology: { regions: Region[] }) => topology.regions.map((r) => r.id);

beforeEach(async () => {
  await env.DB.exec("DELETE FROM backends; DELETE FROM regions;");
});

describe("topologyFor", () => {
  it("derives the effective topology: with nothing stored, the synthetic 'local' region", async () => {
    const { env: testEnv } = instrumentedEnv();
    const topology = await topologyFor(testEnv, 0);
    expect(ids(topology)).toEqual(["local"]);
    expect(topology.backends.map((b) => b.id)).toEqual(["builtin-local"]);
  });

  it("reads D1 once per TOPOLOGY_REFRESH_MS and then sees changes", async () => {
    const { env: testEnv, state } = instrumentedEnv();
    expect(ids(await topologyFor(testEnv, 1_000))).toEqual(["local"]);
    await createRegion(openDatabase(env.DB), region("eu"));
    expect(ids(await topologyFor(testEnv, 1_000 + TOPOLOGY_REFRESH_MS - 1))).toEqual(["local"]);
    expect(state.batches).toBe(1);
    expect(ids(await topologyFor(testEnv, 1_000 + TOPOLOGY_REFRESH_MS))).toEqual(["eu"]);
    expect(state.batches).toBe(2);
  });

  it("forgetTopology makes the next call read D1 at once", async () => {
    const { env: testEnv, state } = instrumentedEnv();
    await topologyFor(testEnv, 0);
    await createRegion(openDatabase(env.DB), region("ap"));
    forgetTopology(testEnv);
    expect(ids(await topologyFor(testEnv, 1))).toEqual(["ap"]);
    expect(state.batches).toBe(2);
  });

  it("shares one copy between env objects over the same D1 binding", async () => {
    const { env: testEnv, state } = instrumentedEnv();
    await topologyFor(testEnv, 0);
    await topologyFor({ ...testEnv }, 1);
    expect(state.batches).toBe(1);
    forgetTopology({ ...testEnv });
    await topologyFor(testEnv, 2);
    expect(state.batches).toBe(2);
  });

  it("keeps serving the stale copy while D1 fails, and refreshes once it recovers", async () => {
    const { env: testEnv, state } = instrumentedEnv();
    expect(ids(await topologyFor(testEnv, 0))).toEqual(["local"]);
    await createRegion(openDatabase(env.DB), region("eu"));
    state.fail = true;
    expect(ids(await topologyFor(testEnv, TOPOLOGY_REFRESH_MS * 10))).toEqual(["local"]);
    forgetTopology(testEnv);
    expect(ids(await topologyFor(testEnv, TOPOLOGY_REFRESH_MS * 11))).toEqual(["local"]);
    state.fail = false;
    expect(ids(await topologyFor(testEnv, TOPOLOGY_REFRESH_MS * 12))).toEqual(["eu"]);
  });

  it("falls back to the built-in-only default topology when D1 fails and nothing is cached, without keeping it", async () => {
    const { env: testEnv, state } = instrumentedEnv();
    state.fail = true;
    const fallback = await topologyFor(testEnv, 0);
    expect(ids(fallback)).toEqual(["local"]);
    expect(fallback.backends.map((backend) => backend.kind)).toEqual(["builtin"]);
    // Not cached: the next call reads D1 again.
    state.fail = false;
    const batches = state.batches;
    await topologyFor(testEnv, 1);
    expect(state.batches).toBe(batches + 1);
  });

  it("has no shared in-flight load: concurrent callers that find the copy stale each read D1", async () => {
    const { env: testEnv, state } = instrumentedEnv();
    const [a, b] = await Promise.all([topologyFor(testEnv, 0), topologyFor(testEnv, 0)]);
    expect(ids(a)).toEqual(["local"]);
    expect(ids(b)).toEqual(["local"]);
    expect(state.batches).toBe(2);
  });

  it("does not keep a load that started before a forget (it may predate the write)", async () => {
    const { env: testEnv, state } = instrumentedEnv();
    let release!: () => void;
    state.gate = new Promise((resolve) => (release = resolve));
    const early = topologyFor(testEnv, 0);
    forgetTopology(testEnv);
    state.gate = null;
    release();
    expect(ids(await early)).toEqual(["local"]);
    await topologyFor(testEnv, 1);
    expect(state.batches).toBe(2);
  });
});
