import { describe, expect, it } from "vitest";
import {
  DEFAULT_PROBE_CONFIG,
  initialProbeState,
  isProbeDue,
  isUsable,
  recordPassive,
  recordProbe,
  type ProbeState,
} from "../../workers/resilience/probe-state";

const T0 = 1_700_000_000_000;
const OK = { ok: true, latencyMs: 40 };
const FAIL = { ok: false, latencyMs: 5_000, error: "timeout" };

/** Applies probe results in order, `ok` as true/false, and returns the final state and the transitions seen. */
function run(state: ProbeState, results: boolean[]) {
  const changes: string[] = [];
  results.forEach((ok, i) => {
    const out = recordProbe(state, ok ? OK : FAIL, T0 + i * 10_000, DEFAULT_PROBE_CONFIG);
    state = out.state;
    if (out.changed) changes.push(`${out.changed.from}->${out.changed.to}`);
  });
  return { state, changes };
}

const healthy = () => run(initialProbeState(), [true]).state;
const unhealthy = () => run(initialProbeState(), [false]).state;

describe("probe state", () => {
  it("starts unknown and usable; the first probe decides", () => {
    const start = initialProbeState();
    expect(start).toEqual({
      status: "unknown",
      consecutiveSuccesses: 0,
      consecutiveFailures: 0,
      lastProbeAt: null,
      lastLatencyMs: null,
      lastError: null,
    });
    expect(isUsable(start)).toBe(true);
    expect(run(start, [true]).changes).toEqual(["unknown->healthy"]);
    expect(run(start, [false]).changes).toEqual(["unknown->unhealthy"]);
    expect(isUsable(unhealthy())).toBe(false);
  });

  it("becomes unhealthy after 3 consecutive failures, not before", () => {
    expect(run(healthy(), [false, false]).state.status).toBe("healthy");
    const out = run(healthy(), [false, false, false]);
    expect(out.changes).toEqual(["healthy->unhealthy"]);
    expect(out.state.lastError).toBe("timeout");
  });

  it("becomes healthy after 2 consecutive successes, not before", () => {
    expect(run(unhealthy(), [true]).state.status).toBe("unhealthy");
    const out = run(unhealthy(), [true, true]);
    expect(out.changes).toEqual(["unhealthy->healthy"]);
    expect(out.state.lastError).toBeNull();
  });

  it("does not flip while results flap below the thresholds", () => {
    expect(run(healthy(), [false, false, true, false, false, true, false, false, true]).changes).toEqual([]);
    expect(run(unhealthy(), [true, false, true, false, true, false]).changes).toEqual([]);
  });

  it("reports `changed` only on a status change and records the probe", () => {
    const first = recordProbe(initialProbeState(), { ok: true, latencyMs: 12 }, T0);
    expect(first.changed).toEqual({ from: "unknown", to: "healthy" });
    const second = recordProbe(first.state, { ok: true, latencyMs: 15 }, T0 + 10_000);
    expect(second.changed).toBeUndefined();
    expect(second.state).toMatchObject({ lastProbeAt: T0 + 10_000, lastLatencyMs: 15, consecutiveSuccesses: 2 });
    expect(JSON.parse(JSON.stringify(second.state))).toEqual(second.state);
  });

  it("counts a success slower than the timeout as a failure", () => {
    const out = recordProbe(initialProbeState(), { ok: true, latencyMs: 5_001 }, T0);
    expect(out.state.status).toBe("unhealthy");
    expect(out.state.lastError).toMatch(/5001 ms/);
  });

  it("is due when never probed or after the interval", () => {
    const state = recordProbe(initialProbeState(), OK, T0).state;
    expect(isProbeDue(initialProbeState(), T0)).toBe(true);
    expect(isProbeDue(state, T0 + 9_999)).toBe(false);
    expect(isProbeDue(state, T0 + 10_000)).toBe(true);
  });
});

describe("passive health", () => {
  it("counts real-request failures toward unhealthy, like probe failures", () => {
    let state = healthy();
    for (let i = 0; i < 2; i++) state = recordPassive(state, false, T0).state;
    expect(state.status).toBe("healthy");
    const out = recordPassive(state, false, T0);
    expect(out.changed).toEqual({ from: "healthy", to: "unhealthy" });
    // Mixed sources add up: 2 passive + 1 probe failure.
    let mixed = recordPassive(recordPassive(healthy(), false, T0).state, false, T0).state;
    mixed = recordProbe(mixed, FAIL, T0).state;
    expect(mixed.status).toBe("unhealthy");
  });

  it("needs the threshold to demote an unknown backend, unlike a probe", () => {
    let state = initialProbeState();
    state = recordPassive(state, false, T0).state;
    state = recordPassive(state, false, T0).state;
    expect(state.status).toBe("unknown");
    expect(recordPassive(state, false, T0).changed).toEqual({ from: "unknown", to: "unhealthy" });
  });

  it("a passive success breaks a failure run but never makes an unhealthy backend healthy", () => {
    let state = healthy();
    state = recordPassive(state, false, T0).state;
    state = recordPassive(state, false, T0).state;
    state = recordPassive(state, true, T0).state;
    state = recordPassive(state, false, T0).state;
    expect(state.status).toBe("healthy");

    let down = unhealthy();
    for (let i = 0; i < 10; i++) down = recordPassive(down, true, T0).state;
    expect(down.status).toBe("unhealthy");
    // And it does not count toward the probes' healthy threshold either.
    expect(recordProbe(down, OK, T0).state.status).toBe("unhealthy");
  });

  it("a passive failure resets the probes' success run", () => {
    let state = unhealthy();
    state = recordProbe(state, OK, T0).state;
    state = recordPassive(state, false, T0).state;
    state = recordProbe(state, OK, T0 + 10_000).state;
    expect(state.status).toBe("unhealthy");
    expect(recordProbe(state, OK, T0 + 20_000).changed).toEqual({ from: "unhealthy", to: "healthy" });
  });
});
