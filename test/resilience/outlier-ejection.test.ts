import { describe, expect, it } from "vitest";
import {
  DEFAULT_EJECTION_CONFIG,
  ejectionMultiplier,
  initialHostEjectionState,
  isEjected,
  recordHostOutcome,
  selectHealthy,
  type EjectionConfig,
  type HostEjectionState,
  type PoolEjectionCounts,
} from "../../workers/resilience/outlier-ejection";

const CONFIG: EjectionConfig = { ...DEFAULT_EJECTION_CONFIG };
const POOL: PoolEjectionCounts = { size: 4, ejectedNow: 0 };

/** `n` failures in a row at `now`; returns the last result. */
function fail(host: HostEjectionState, n: number, now: number, pool = POOL, config = CONFIG) {
  let result = recordHostOutcome(host, false, now, config, pool);
  for (let i = 1; i < n; i++) result = recordHostOutcome(result.state, false, now, config, pool);
  return result;
}

describe("consecutive failures", () => {
  it("eject a host after N failures in a row, for the base time", () => {
    const four = fail(initialHostEjectionState(), 4, 1_000);
    expect(four).toMatchObject({ ejected: false, state: { consecutiveFailures: 4, ejectedUntil: null } });
    const five = recordHostOutcome(four.state, false, 1_000, CONFIG, POOL);
    expect(five).toEqual({
      state: { consecutiveFailures: 0, ejectedUntil: 31_000, timesEjected: 1 },
      ejected: true,
      ejectionMs: 30_000,
      refused: null,
    });
  });

  it("are reset by a success", () => {
    let host = fail(initialHostEjectionState(), 4, 0).state;
    host = recordHostOutcome(host, true, 0, CONFIG, POOL).state;
    expect(host.consecutiveFailures).toBe(0);
    expect(fail(host, 4, 0).ejected).toBe(false);
  });

  it("do not extend an ejection in progress", () => {
    const ejected = fail(initialHostEjectionState(), 5, 0).state;
    const again = fail(ejected, 5, 10_000);
    expect(again.ejected).toBe(false);
    expect(again.state.ejectedUntil).toBe(30_000);
    expect(again.state.timesEjected).toBe(1);
  });
});

describe("ejection time", () => {
  it("ends by time alone", () => {
    const host = fail(initialHostEjectionState(), 5, 0).state;
    expect(isEjected(host, 0)).toBe(true);
    expect(isEjected(host, 29_999)).toBe(true);
    expect(isEjected(host, 30_000)).toBe(false);
    expect(isEjected(initialHostEjectionState(), 0)).toBe(false);
  });

  it("grows with ejections in a row and is capped at maxEjectionMs", () => {
    let host = initialHostEjectionState();
    let now = 0;
    const lengths: number[] = [];
    for (let i = 0; i < 13; i++) {
      const result = fail(host, 5, now);
      expect(result.ejected).toBe(true);
      lengths.push(result.ejectionMs!);
      host = result.state;
      now = host.ejectedUntil!; // fails again the moment it is back
    }
    expect(lengths).toEqual([
      30_000, 60_000, 90_000, 120_000, 150_000, 180_000, 210_000, 240_000, 270_000, 300_000, 300_000, 300_000, 300_000,
    ]);
    // The multiplier stops at max / base, so its decay back to 0 is bounded too.
    expect(host.timesEjected).toBe(10);
  });

  it("caps at max even when max is not a multiple of base", () => {
    const config = { ...CONFIG, baseEjectionMs: 40_000, maxEjectionMs: 100_000 };
    let host = initialHostEjectionState();
    const lengths: number[] = [];
    for (let i = 0; i < 4; i++) {
      const result = fail(host, 5, host.ejectedUntil ?? 0, POOL, config);
      lengths.push(result.ejectionMs!);
      host = result.state;
    }
    expect(lengths).toEqual([40_000, 80_000, 100_000, 100_000]);
  });

  it("backs off less after the host stayed healthy: one step per base period out", () => {
    let host = fail(initialHostEjectionState(), 5, 0).state; // ×1 until 30 s
    host = fail(host, 5, 30_000).state; // ×2 until 90 s
    host = fail(host, 5, 90_000).state; // ×3 until 180 s
    expect(host.ejectedUntil).toBe(180_000);
    expect(ejectionMultiplier(host, 100_000, CONFIG)).toBe(3); // still ejected: no decay
    expect(ejectionMultiplier(host, 180_000 + 29_999, CONFIG)).toBe(3);
    expect(ejectionMultiplier(host, 180_000 + 30_000, CONFIG)).toBe(2);
    expect(ejectionMultiplier(host, 180_000 + 90_000, CONFIG)).toBe(0);
    expect(ejectionMultiplier(host, 10 ** 12, CONFIG)).toBe(0);
    // Failing again after 2 healthy periods: ×(3 − 2 + 1) = ×2.
    const result = fail(host, 5, 180_000 + 60_000);
    expect(result.ejectionMs).toBe(60_000);
    // After a long healthy spell it starts from the base again.
    expect(fail(host, 5, 10 ** 9).ejectionMs).toBe(30_000);
  });
});

describe("max ejection percent", () => {
  it("refuses an ejection that would take the pool over the cap", () => {
    // 50 % of 4: a second ejection (2/4) is fine, a third (3/4) is not.
    expect(fail(initialHostEjectionState(), 5, 0, { size: 4, ejectedNow: 1 }).ejected).toBe(true);
    const refused = fail(initialHostEjectionState(), 5, 0, { size: 4, ejectedNow: 2 });
    expect(refused).toMatchObject({ ejected: false, ejectionMs: null, refused: "max_ejection_percent" });
    expect(refused.state).toEqual({ consecutiveFailures: 0, ejectedUntil: null, timesEjected: 0 });
    // 50 % of 3: one host only.
    expect(fail(initialHostEjectionState(), 5, 0, { size: 3, ejectedNow: 1 }).refused).toBe("max_ejection_percent");
  });

  it("tries again after another N failures once refused (the count starts over)", () => {
    const full = { size: 4, ejectedNow: 2 };
    const refused = fail(initialHostEjectionState(), 5, 0, full);
    expect(fail(refused.state, 4, 0, full).refused).toBeNull();
    expect(fail(refused.state, 4, 0, { size: 4, ejectedNow: 1 }).state.consecutiveFailures).toBe(4);
    expect(fail(refused.state, 5, 0, { size: 4, ejectedNow: 1 }).ejected).toBe(true);
  });

  it("always allows one ejection when none is in progress (alwaysEjectOneHost, default on)", () => {
    // One-backend pool: 100 % > 50 %, ejected anyway.
    expect(fail(initialHostEjectionState(), 5, 0, { size: 1, ejectedNow: 0 }).ejected).toBe(true);
    const tight = { ...CONFIG, maxEjectionPercent: 5 };
    expect(fail(initialHostEjectionState(), 5, 0, { size: 10, ejectedNow: 0 }, tight).ejected).toBe(true);
    expect(fail(initialHostEjectionState(), 5, 0, { size: 10, ejectedNow: 1 }, tight).ejected).toBe(false);
  });

  it("follows the percentage alone with alwaysEjectOneHost off", () => {
    const strict = { ...CONFIG, alwaysEjectOneHost: false };
    expect(fail(initialHostEjectionState(), 5, 0, { size: 1, ejectedNow: 0 }, strict).refused).toBe("max_ejection_percent");
    expect(fail(initialHostEjectionState(), 5, 0, { size: 2, ejectedNow: 0 }, strict).ejected).toBe(true);
    const none = { ...strict, maxEjectionPercent: 0 };
    expect(fail(initialHostEjectionState(), 5, 0, { size: 100, ejectedNow: 0 }, none).ejected).toBe(false);
  });
});

describe("panic mode", () => {
  const members = (healthy: boolean[]) => healthy.map((h, i) => ({ id: `b${i}`, healthy: h }));

  it("balances across the healthy members while enough are healthy", () => {
    expect(selectHealthy(members([true, false, true, true]), CONFIG)).toEqual({ ids: ["b0", "b2", "b3"], panic: false });
    // Exactly at the threshold is not panic (Envoy: strictly below).
    expect(selectHealthy(members([true, false, true, false]), CONFIG)).toEqual({ ids: ["b0", "b2"], panic: false });
  });

  it("balances across all members when the healthy share falls below the threshold", () => {
    expect(selectHealthy(members([true, false, false, false]), CONFIG)).toEqual({ ids: ["b0", "b1", "b2", "b3"], panic: true });
    expect(selectHealthy(members([false]), CONFIG)).toEqual({ ids: ["b0"], panic: true });
  });

  it("is disabled with a threshold of 0", () => {
    const off = { ...CONFIG, panicThresholdPct: 0 };
    expect(selectHealthy(members([false, false]), off)).toEqual({ ids: [], panic: false });
  });

  it("has nothing to choose from an empty pool", () => {
    expect(selectHealthy([], CONFIG)).toEqual({ ids: [], panic: false });
  });
});

describe("state handling", () => {
  it("never mutates its input and stays plain JSON", () => {
    const host = fail(initialHostEjectionState(), 3, 0).state;
    const copy = structuredClone(host);
    recordHostOutcome(host, false, 0, CONFIG, POOL);
    recordHostOutcome(host, true, 0, CONFIG, POOL);
    expect(host).toEqual(copy);
    const ejected = fail(host, 2, 0).state;
    expect(JSON.parse(JSON.stringify(ejected))).toEqual(ejected);
  });

  it("survives a nonsensical config and pool by clamping them", () => {
    const bad: EjectionConfig = {
      consecutiveFailures: 0,
      baseEjectionMs: 0,
      maxEjectionMs: NaN,
      maxEjectionPercent: 500,
      panicThresholdPct: -1,
    };
    const result = recordHostOutcome(initialHostEjectionState(), false, 0, bad, { size: 0, ejectedNow: NaN });
    expect(result.ejected).toBe(true);
    expect(Number.isFinite(result.state.ejectedUntil)).toBe(true);
    expect(ejectionMultiplier(result.state, 10 ** 9, bad)).toBe(0);
    expect(selectHealthy([{ id: "a", healthy: false }], bad).panic).toBe(false);
  });
});
