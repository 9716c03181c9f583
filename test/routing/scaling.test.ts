import { describe, expect, it } from "vitest";
import {
  appendSample,
  DEFAULT_SCALING_CONFIG,
  recommendScaling,
  type ScalingConfig,
  type UtilisationSample,
} from "../../workers/routing/scaling";

const CONFIG: ScalingConfig = { windowMs: 60_000, highWaterRatio: 0.8, lowWaterRatio: 0.2, minSamples: 5 };
const NOW = 10_000_000;

/** One sample every `everyMs` over the window ending at NOW, from `at(i)`'s numbers. */
function series(
  count: number,
  everyMs: number,
  at: (i: number) => Partial<UtilisationSample> = () => ({}),
): UtilisationSample[] {
  return Array.from({ length: count }, (_, i) => ({
    at: NOW - (count - 1 - i) * everyMs,
    inFlight: 0,
    limit: 10,
    rejected: 0,
    ...at(i),
  }));
}

describe("recommendScaling", () => {
  it("sustained high utilisation → scale_out", () => {
    const r = recommendScaling(series(13, 5_000, () => ({ inFlight: 9 })), NOW, CONFIG);
    expect(r.action).toBe("scale_out");
    expect(r.utilisation).toBeCloseTo(0.9);
    expect(r.rejectedPerMinute).toBe(0);
    // 9 in flight at the band's midpoint (0.5) needs 18.
    expect(r.suggestedCapacity).toBe(18);
    expect(r.reason).toMatch(/high water/);
  });

  it("a brief spike in a long window → hold", () => {
    const r = recommendScaling(series(13, 5_000, (i) => ({ inFlight: i === 6 || i === 7 ? 10 : 4 })), NOW, CONFIG);
    expect(r.action).toBe("hold");
    expect(r.utilisation).toBeLessThan(CONFIG.highWaterRatio);
    expect(r.reason).toMatch(/within/);
  });

  it("sustained low utilisation without rejections → scale_in", () => {
    const r = recommendScaling(series(13, 5_000, () => ({ inFlight: 1, limit: 20 })), NOW, CONFIG);
    expect(r.action).toBe("scale_in");
    expect(r.utilisation).toBeCloseTo(0.05);
    expect(r.suggestedCapacity).toBe(2);
  });

  it("any rejection forces scale_out, even at low utilisation, and suggests more than today", () => {
    const r = recommendScaling(series(13, 5_000, (i) => ({ inFlight: 1, limit: 20, rejected: i === 3 ? 6 : 0 })), NOW, CONFIG);
    expect(r.action).toBe("scale_out");
    expect(r.rejectedPerMinute).toBe(6);
    expect(r.suggestedCapacity).toBe(21);
    expect(r.reason).toMatch(/6 admissions rejected/);
  });

  it("not enough data → hold: too few samples, or too short a span", () => {
    const few = recommendScaling(series(4, 15_000, () => ({ inFlight: 10 })), NOW, CONFIG);
    expect(few.action).toBe("hold");
    expect(few.reason).toMatch(/not enough data/);
    // Plenty of samples, all in the last 20 s of a 60 s window.
    const short = recommendScaling(series(20, 1_000, () => ({ inFlight: 10, rejected: 3 })), NOW, CONFIG);
    expect(short.action).toBe("hold");
    expect(short.reason).toMatch(/not enough data/);
    // Nothing at all.
    expect(recommendScaling([], NOW, CONFIG)).toMatchObject({ action: "hold", utilisation: 0, suggestedCapacity: 1 });
  });

  it("ignores samples older than the window (and from the future)", () => {
    const old = series(20, 5_000, () => ({ inFlight: 10, rejected: 5 })).map((s) => ({ ...s, at: s.at - 200_000 }));
    const future = { at: NOW + 1_000, inFlight: 10, limit: 10, rejected: 9 };
    const recent = series(13, 5_000, () => ({ inFlight: 5 }));
    const r = recommendScaling([...old, ...recent, future], NOW, CONFIG);
    expect(r.action).toBe("hold");
    expect(r.utilisation).toBeCloseTo(0.5);
    expect(r.rejectedPerMinute).toBe(0);
  });

  it("suggestedCapacity puts mean in-flight at the band midpoint, rounded up, at least 1", () => {
    const band: ScalingConfig = { ...CONFIG, highWaterRatio: 0.9, lowWaterRatio: 0.5 }; // midpoint 0.7
    expect(recommendScaling(series(13, 5_000, () => ({ inFlight: 7, limit: 7 })), NOW, band).suggestedCapacity).toBe(10);
    expect(recommendScaling(series(13, 5_000, () => ({ inFlight: 8, limit: 8 })), NOW, band).suggestedCapacity).toBe(12);
    expect(recommendScaling(series(13, 5_000, () => ({ inFlight: 0, limit: 30 })), NOW, band)).toMatchObject({
      action: "scale_in",
      suggestedCapacity: 1,
    });
    // Utilisation is total in-flight over total capacity (capacity-weighted), not a mean of ratios.
    const mixed = series(12, 5_000, (i) => (i % 2 ? { inFlight: 1, limit: 1 } : { inFlight: 0, limit: 9 }));
    expect(recommendScaling(mixed, NOW, CONFIG).utilisation).toBeCloseTo(0.1);
  });

  it("a pool with no capacity: demand → scale_out to at least 1, no demand → hold", () => {
    expect(recommendScaling(series(13, 5_000, () => ({ limit: 0, inFlight: 2 })), NOW, CONFIG)).toMatchObject({
      action: "scale_out",
      suggestedCapacity: 4,
    });
    expect(recommendScaling(series(13, 5_000, () => ({ limit: 0 })), NOW, CONFIG).action).toBe("hold");
  });

  it("rejects an impossible config", () => {
    expect(() => recommendScaling([], NOW, { ...CONFIG, lowWaterRatio: 0.8 })).toThrow(RangeError);
    expect(() => recommendScaling([], NOW, { ...CONFIG, windowMs: 0 })).toThrow(RangeError);
    expect(() => recommendScaling([], NOW, DEFAULT_SCALING_CONFIG)).not.toThrow();
  });
});

describe("appendSample", () => {
  const s = (at: number): UtilisationSample => ({ at, inFlight: 0, limit: 1, rejected: 0 });

  it("appends in time order and drops what fell out of the window, without mutating the input", () => {
    const input = [s(100), s(200), s(300)];
    expect(appendSample(input, s(400), 400, 250, 10).map((x) => x.at)).toEqual([200, 300, 400]);
    expect(appendSample(input, s(250), 300, 1_000, 10).map((x) => x.at)).toEqual([100, 200, 250, 300]);
    expect(appendSample(input, s(10), 300, 250, 10).map((x) => x.at)).toEqual([100, 200, 300]);
    expect(input.map((x) => x.at)).toEqual([100, 200, 300]);
  });

  it("keeps at most maxSamples, the newest", () => {
    let samples: UtilisationSample[] = [];
    for (let t = 1; t <= 10; t++) samples = appendSample(samples, s(t), t, 1_000, 4);
    expect(samples.map((x) => x.at)).toEqual([7, 8, 9, 10]);
    expect(appendSample(samples, s(11), 11, 1_000, 0)).toEqual([]);
  });
});
