import { describe, expect, it } from "vitest";
import { DEFAULT_RECOMMENDATION, recommend, regionCapacity, requiredConcurrency } from "../../workers/capacity/recommend";
import type { Backend } from "../../workers/routing/types";

const base = { remoteShare: 1, currentCapacity: 16, hasBuiltin: true, hasRemote: true };

function backend(id: string, regionId: string, kind: Backend["kind"], maxConcurrency: number, enabled = true): Backend {
  return { id, regionId, kind, url: kind === "piston" ? `http://${id}` : null, weight: 1, maxConcurrency, minConcurrency: 1, languages: [], enabled, runtimes: [], healthy: true, lastCheckedAt: null };
}

describe("capacity recommendation (Little's law × headroom vs pool capacity)", () => {
  it("needs rps × mean seconds × headroom slots: 100 rps at 200 ms with 1.3 headroom is 26", () => {
    expect(requiredConcurrency(100, 200, 1, 1.3)).toBe(26);
    // Rounded up, but float noise does not add a slot: 10 rps × 100 ms × 1.0 = 1 exactly.
    expect(requiredConcurrency(10, 100, 1, 1)).toBe(1);
    expect(requiredConcurrency(10.1, 100, 1, 1)).toBe(2);
    expect(requiredConcurrency(100, 200, 0.5, 1.3)).toBe(13);
    expect(requiredConcurrency(0, 200, 1, 1.3)).toBe(0);
  });

  it("scales out to the required concurrency when it exceeds the capacity", () => {
    expect(recommend({ ...base, forecastPeakRps: 100, meanLatencyMs: 200 })).toMatchObject({
      requiredConcurrency: 26,
      currentCapacity: 16,
      action: "scale_out",
      suggestedCapacity: 26,
    });
  });

  it("holds while the need is between half the capacity and all of it", () => {
    expect(recommend({ ...base, forecastPeakRps: 40, meanLatencyMs: 250 })).toMatchObject({ requiredConcurrency: 13, action: "hold", suggestedCapacity: 16 });
    expect(recommend({ ...base, forecastPeakRps: 24, meanLatencyMs: 250 })).toMatchObject({ requiredConcurrency: 8, action: "hold" });
  });

  it("scales in below half the capacity, never to nothing", () => {
    expect(recommend({ ...base, forecastPeakRps: 20, meanLatencyMs: 250 })).toMatchObject({ requiredConcurrency: 7, action: "scale_in", suggestedCapacity: 7 });
    expect(recommend({ ...base, forecastPeakRps: 0, meanLatencyMs: 250 })).toMatchObject({ requiredConcurrency: 0, action: "scale_in", suggestedCapacity: 1 });
  });

  it("treats a builtin-only region as elastic: hold", () => {
    const result = recommend({ ...base, hasRemote: false, currentCapacity: 0, forecastPeakRps: 1000, meanLatencyMs: 500 });
    expect(result).toMatchObject({ action: "hold", currentCapacity: 0, suggestedCapacity: 0, requiredConcurrency: null });
    expect(result.reason).toMatch(/elastic/);
  });

  it("holds without latency data (no concurrency can be derived)", () => {
    expect(recommend({ ...base, forecastPeakRps: 100, meanLatencyMs: null })).toMatchObject({ action: "hold", requiredConcurrency: null });
  });

  it("uses the configured headroom", () => {
    expect(recommend({ ...base, forecastPeakRps: 100, meanLatencyMs: 200 }, { ...DEFAULT_RECOMMENDATION, headroom: 1 })).toMatchObject({ requiredConcurrency: 20 });
  });

  it("counts enabled remote backends of the region only (builtin is elastic)", () => {
    const backends = [
      backend("a", "eu", "piston", 8),
      backend("b", "eu", "piston", 16),
      backend("c", "eu", "piston", 32, false),
      backend("builtin-eu", "eu", "builtin", 64),
      backend("d", "us", "piston", 100),
    ];
    expect(regionCapacity(backends, "eu")).toEqual({ currentCapacity: 24, hasBuiltin: true, hasRemote: true });
    expect(regionCapacity(backends, "us")).toEqual({ currentCapacity: 100, hasBuiltin: false, hasRemote: true });
    expect(regionCapacity([backend("builtin-x", "x", "builtin", 64)], "x")).toEqual({ currentCapacity: 0, hasBuiltin: true, hasRemote: false });
  });
});
