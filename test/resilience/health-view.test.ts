import { describe, expect, it } from "vitest";
import { DEFAULT_EJECTION_CONFIG } from "../../workers/resilience/outlier-ejection";
import { breakerAdmits, usableBackends, type BackendHealthView } from "../../workers/resilience/health-view";

const view = (backendId: string, overrides: Partial<BackendHealthView> = {}): BackendHealthView => ({
  backendId,
  breaker: "closed",
  openUntil: null,
  halfOpenPermits: 3,
  probe: "healthy",
  version: 1,
  ...overrides,
});

function usable(views: Record<string, BackendHealthView>, allowPanic: boolean, trials: Record<string, number> = {}) {
  return usableBackends({
    candidates: Object.keys(views),
    now: 1_000,
    view: (id) => views[id],
    trialsStarted: (id) => trials[id] ?? 0,
    ejection: () => undefined,
    config: DEFAULT_EJECTION_CONFIG,
    allowPanic,
  });
}

describe("breaker view enforcement", () => {
  it("admits closed and forced-closed, refuses open and forced-open, and counts half-open trials", () => {
    expect(breakerAdmits(undefined, 0)).toBe(true);
    expect(breakerAdmits(view("a"), 0)).toBe(true);
    expect(breakerAdmits(view("a", { breaker: "forced_closed" }), 0)).toBe(true);
    expect(breakerAdmits(view("a", { breaker: "open" }), 0)).toBe(false);
    expect(breakerAdmits(view("a", { breaker: "forced_open" }), 0)).toBe(false);
    expect(breakerAdmits(view("a", { breaker: "half_open" }), 2)).toBe(true);
    expect(breakerAdmits(view("a", { breaker: "half_open" }), 3)).toBe(false);
  });

  it("keeps only healthy members while healthy ones exist", () => {
    const views = { a: view("a"), b: view("b", { probe: "unhealthy" }) };
    expect(usable(views, true)).toEqual({ ids: ["a"], panic: false });
    expect(usable(views, false)).toEqual({ ids: ["a"], panic: false });
  });

  it("panics (balances across all) below the threshold only when the request has nowhere else to go", () => {
    const views = { a: view("a", { breaker: "open" }), b: view("b", { probe: "unhealthy" }), c: view("c") };
    expect(usable(views, true)).toEqual({ ids: ["a", "b", "c"], panic: true });
    // Otherwise the healthy third serves, and with none healthy the pool says unavailable (next region).
    expect(usable(views, false)).toEqual({ ids: ["c"], panic: false });
    const allDown = { a: view("a", { breaker: "open" }), b: view("b", { probe: "unhealthy" }) };
    expect(usable(allDown, false)).toEqual({ ids: [], panic: false });
  });

  it("never includes a breaker an operator forced open, even in panic", () => {
    const views = { a: view("a", { breaker: "forced_open" }), b: view("b", { probe: "unhealthy" }) };
    expect(usable(views, true).ids).toEqual(["b"]);
  });
});
