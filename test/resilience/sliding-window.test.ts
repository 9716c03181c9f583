import { describe, expect, it } from "vitest";
import {
  createWindow,
  effectiveWindowSize,
  MAX_COUNT_WINDOW_CALLS,
  MAX_TIME_WINDOW_SECONDS,
  recordInWindow,
  windowAggregate,
  windowMatches,
  type CallOutcome,
  type SlidingWindow,
} from "../../workers/resilience/sliding-window";

const OK: CallOutcome = { success: true, slow: false };
const FAIL: CallOutcome = { success: false, slow: false };
const SLOW: CallOutcome = { success: true, slow: true };
const SLOW_FAIL: CallOutcome = { success: false, slow: true };

function recordAll(window: SlidingWindow, outcomes: CallOutcome[], now: number): SlidingWindow {
  return outcomes.reduce((w, outcome) => recordInWindow(w, outcome, now), window);
}

describe("count window", () => {
  it("aggregates calls, failures and slow calls (a slow failure is both)", () => {
    const window = recordAll(createWindow("count", 10), [OK, FAIL, SLOW, SLOW_FAIL], 0);
    expect(windowAggregate(window, 0)).toEqual({
      calls: 4,
      failures: 2,
      slowCalls: 2,
      failureRatePct: 50,
      slowCallRatePct: 50,
    });
  });

  it("keeps only the last N outcomes: the oldest is evicted first", () => {
    let window = recordAll(createWindow("count", 3), [FAIL, FAIL, OK], 0);
    expect(windowAggregate(window, 0).failures).toBe(2);
    window = recordInWindow(window, OK, 0);
    expect(windowAggregate(window, 0)).toMatchObject({ calls: 3, failures: 1 });
    window = recordInWindow(window, OK, 0);
    expect(windowAggregate(window, 0)).toMatchObject({ calls: 3, failures: 0, failureRatePct: 0 });
    expect(window.type === "count" && window.codes.length).toBe(3);
  });

  it("works with a size of 1", () => {
    let window = recordInWindow(createWindow("count", 1), FAIL, 0);
    expect(windowAggregate(window, 0)).toMatchObject({ calls: 1, failureRatePct: 100 });
    window = recordInWindow(window, OK, 0);
    expect(windowAggregate(window, 0)).toMatchObject({ calls: 1, failureRatePct: 0 });
  });

  it("ignores time", () => {
    const window = recordAll(createWindow("count", 5), [FAIL, FAIL], 0);
    expect(windowAggregate(window, 10 ** 12).calls).toBe(2);
  });

  it("has rates of 0 with no calls", () => {
    expect(windowAggregate(createWindow("count", 5), 0)).toEqual({
      calls: 0,
      failures: 0,
      slowCalls: 0,
      failureRatePct: 0,
      slowCallRatePct: 0,
    });
  });
});

describe("time window", () => {
  const T0 = 1_700_000_000_000; // a whole second

  it("merges outcomes of the same second into one bucket", () => {
    const window = recordAll(createWindow("time", 10), [OK, FAIL, SLOW], T0 + 999);
    expect(window.type === "time" && window.buckets).toEqual([
      { second: T0 / 1000, calls: 3, failures: 1, slowCalls: 1 },
    ]);
  });

  it("covers the current second and the size − 1 before it", () => {
    let window = recordInWindow(createWindow("time", 10), FAIL, T0);
    // Second T0+9 s is the 10th second of the window: the failure still counts.
    expect(windowAggregate(window, T0 + 9_999).calls).toBe(1);
    // At T0+10 s its second has left the window.
    expect(windowAggregate(window, T0 + 10_000).calls).toBe(0);
    window = recordInWindow(window, OK, T0 + 10_000);
    expect(window.type === "time" && window.buckets.map((b) => b.calls)).toEqual([1]);
    expect(windowAggregate(window, T0 + 10_000)).toMatchObject({ calls: 1, failures: 0 });
  });

  it("holds at most `size` buckets however many seconds see calls", () => {
    let window = createWindow("time", 5);
    for (let s = 0; s < 100; s++) window = recordInWindow(window, s % 2 ? OK : FAIL, T0 + s * 1000);
    expect(window.type === "time" && window.buckets.length).toBe(5);
    // Seconds 95..99: 95, 97, 99 succeeded; 96, 98 failed.
    expect(windowAggregate(window, T0 + 99_000)).toMatchObject({ calls: 5, failures: 2, failureRatePct: 40 });
  });

  it("skips idle seconds without storing them", () => {
    let window = recordInWindow(createWindow("time", 60), FAIL, T0);
    window = recordInWindow(window, OK, T0 + 30_000);
    expect(window.type === "time" && window.buckets.length).toBe(2);
    expect(windowAggregate(window, T0 + 30_000)).toMatchObject({ calls: 2, failureRatePct: 50 });
  });

  it("puts outcomes from a clock that stepped back into the newest second", () => {
    let window = recordInWindow(createWindow("time", 10), OK, T0 + 5_000);
    window = recordInWindow(window, FAIL, T0);
    expect(window.type === "time" && window.buckets).toEqual([
      { second: T0 / 1000 + 5, calls: 2, failures: 1, slowCalls: 0 },
    ]);
    expect(windowAggregate(window, T0).calls).toBe(2);
  });
});

describe("window sizes", () => {
  it("clamps sizes to [1, storage guard] and whole numbers", () => {
    expect(effectiveWindowSize("count", 0)).toBe(1);
    expect(effectiveWindowSize("count", -3)).toBe(1);
    expect(effectiveWindowSize("count", NaN)).toBe(1);
    expect(effectiveWindowSize("count", 7.9)).toBe(7);
    expect(effectiveWindowSize("count", 1e9)).toBe(MAX_COUNT_WINDOW_CALLS);
    expect(effectiveWindowSize("time", 1e9)).toBe(MAX_TIME_WINDOW_SECONDS);
    expect(createWindow("time", Infinity).size).toBe(1);
  });

  it("matches a window only against its own type and effective size", () => {
    const window = createWindow("count", 20);
    expect(windowMatches(window, "count", 20)).toBe(true);
    expect(windowMatches(window, "count", 20.5)).toBe(true);
    expect(windowMatches(window, "count", 10)).toBe(false);
    expect(windowMatches(window, "time", 20)).toBe(false);
  });

  it("never mutates the window it is given and stays plain JSON", () => {
    const window = recordAll(createWindow("time", 10), [OK, FAIL], 1000);
    const copy = structuredClone(window);
    recordInWindow(window, FAIL, 2000);
    expect(window).toEqual(copy);
    expect(JSON.parse(JSON.stringify(window))).toEqual(window);
  });
});
