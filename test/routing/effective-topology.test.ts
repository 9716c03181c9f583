import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_CONCURRENCY, effectiveTopology, implicitBuiltinId } from "../../workers/routing/effective-topology";
import type { Backend, Region } from "../../workers/routing/types";

function region(id: string, overrides: Partial<Region> = {}): Region {
  return {
    id,
    name: id.toUpperCase(),
    latitude: 50,
    longitude: 8,
    locationHint: "weur",
    countries: ["DE"],
    continents: ["EU"],
    policy: "round_robin",
    sessionFailover: "sticky",
    affinityTtlSeconds: 600,
    isDefault: false,
    enabled: true,
    ...overrides,
  };
}

function backend(id: string, regionId: string, overrides: Partial<Backend> = {}): Backend {
  return {
    id,
    regionId,
    kind: "piston",
    url: `https://${id}.example`,
    weight: 1,
    maxConcurrency: 8,
    minConcurrency: 1,
    languages: [],
    enabled: true,
    runtimes: [],
    healthy: null,
    lastCheckedAt: null,
    ...overrides,
  };
}

const defaults = { defaultRegionId: "local" };

describe("effectiveTopology", () => {
  it("with nothing stored, is one synthetic default region served by the builtin runtime", () => {
    expect(effectiveTopology({ regions: [], backends: [] }, defaults)).toEqual({
      regions: [
        {
          id: "local",
          name: "local",
          latitude: 0,
          longitude: 0,
          locationHint: null,
          countries: [],
          continents: [],
          policy: "least_connections",
          sessionFailover: "temporary",
          affinityTtlSeconds: 1800,
          isDefault: true,
          enabled: true,
        },
      ],
      backends: [
        {
          id: "builtin-local",
          regionId: "local",
          kind: "builtin",
          url: null,
          weight: 1,
          maxConcurrency: 64,
          minConcurrency: 1,
          languages: ["javascript", "typescript"],
          enabled: true,
          runtimes: [],
          healthy: true,
          lastCheckedAt: null,
        },
      ],
    });
  });

  it("uses the given default region id for the synthetic region", () => {
    const topology = effectiveTopology({ regions: [], backends: [] }, { defaultRegionId: "edge" });
    expect(topology.regions.map((r) => r.id)).toEqual(["edge"]);
    expect(topology.backends.map((b) => b.id)).toEqual(["builtin-edge"]);
  });

  it("gives every enabled region an implicit builtin backend next to its explicit ones", () => {
    const topology = effectiveTopology(
      { regions: [region("eu"), region("us")], backends: [backend("p1", "eu")] },
      defaults,
    );
    expect(topology.backends.map((b) => [b.id, b.regionId, b.kind])).toEqual([
      ["builtin-eu", "eu", "builtin"],
      ["builtin-us", "us", "builtin"],
      ["p1", "eu", "piston"],
    ]);
    expect(implicitBuiltinId("eu")).toBe("builtin-eu");
    expect(DEFAULT_MAX_CONCURRENCY).toEqual({ builtin: 64, piston: 8 });
  });

  it("keeps an explicit builtin backend instead of adding one (even a disabled one, which takes builtin out of the region)", () => {
    const explicit = backend("eu-quickjs", "eu", { kind: "builtin", url: null, maxConcurrency: 200, weight: 3 });
    const disabled = backend("us-quickjs", "us", { kind: "builtin", url: null, enabled: false });
    const topology = effectiveTopology({ regions: [region("eu"), region("us")], backends: [explicit, disabled] }, defaults);
    expect(topology.backends).toEqual([explicit]);
  });

  it("never adds an implicit builtin whose id a stored backend already has", () => {
    const squatter = backend("builtin-eu", "us");
    const topology = effectiveTopology({ regions: [region("eu"), region("us")], backends: [squatter] }, defaults);
    expect(topology.backends.map((b) => [b.id, b.regionId])).toEqual([
      ["builtin-eu", "us"],
      ["builtin-us", "us"],
    ]);
  });

  it("drops disabled regions with their backends, and disabled backends", () => {
    const topology = effectiveTopology(
      {
        regions: [region("eu"), region("us", { enabled: false })],
        backends: [backend("p-eu", "eu"), backend("p-eu-off", "eu", { enabled: false }), backend("p-us", "us")],
      },
      defaults,
    );
    expect(topology.regions.map((r) => r.id)).toEqual(["eu"]);
    expect(topology.backends.map((b) => b.id)).toEqual(["builtin-eu", "p-eu"]);
  });

  it("keeps the stored default region", () => {
    const topology = effectiveTopology({ regions: [region("a"), region("b", { isDefault: true })], backends: [] }, defaults);
    expect(topology.regions.map((r) => [r.id, r.isDefault])).toEqual([
      ["a", false],
      ["b", true],
    ]);
  });

  it("makes the first region by id the default when none is (or the default is disabled)", () => {
    const none = effectiveTopology({ regions: [region("us"), region("eu")], backends: [] }, defaults);
    expect(none.regions.map((r) => [r.id, r.isDefault])).toEqual([
      ["eu", true],
      ["us", false],
    ]);
    const disabled = effectiveTopology(
      { regions: [region("ap", { isDefault: true, enabled: false }), region("us"), region("eu")], backends: [] },
      defaults,
    );
    expect(disabled.regions.map((r) => [r.id, r.isDefault])).toEqual([
      ["eu", true],
      ["us", false],
    ]);
  });

  it("has no regions at all when every stored region is disabled (no synthetic fallback)", () => {
    expect(effectiveTopology({ regions: [region("eu", { enabled: false })], backends: [backend("p", "eu")] }, defaults)).toEqual({
      regions: [],
      backends: [],
    });
  });

  it("does not modify its input", () => {
    const stored = { regions: [region("b"), region("a")], backends: [backend("p", "a")] };
    const copy = structuredClone(stored);
    effectiveTopology(stored, defaults);
    expect(stored).toEqual(copy);
  });
});
