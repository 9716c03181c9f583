import { describe, expect, it } from "vitest";
import { initialPolicyState } from "../../workers/routing/policies";
import { admit, type AdmissionRequest, type AdmissionState } from "../../workers/routing/pool-admission";

const candidates = [
  { id: "a", weight: 1 },
  { id: "b", weight: 1 },
];

function state(overrides: Partial<AdmissionState> = {}): AdmissionState {
  return {
    now: 1_000,
    random: () => 0.5,
    policyState: initialPolicyState(),
    inFlight: () => 0,
    limit: () => 2,
    affinity: undefined,
    ...overrides,
  };
}

const request = (overrides: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  policy: "round_robin",
  candidates,
  existingBackendIds: ["a", "b"],
  ...overrides,
});

describe("pool admission", () => {
  it("picks by policy and threads the policy state through", () => {
    const first = admit(request(), state());
    const second = admit(request(), state({ policyState: first.policyState }));
    expect(first.outcome.ok && second.outcome.ok).toBe(true);
    if (first.outcome.ok && second.outcome.ok) expect(first.outcome.backendId).not.toBe(second.outcome.backendId);
  });

  it("says saturated when no candidate has a free slot", () => {
    const decision = admit(request(), state({ inFlight: () => 2 }));
    expect(decision.outcome).toEqual({ ok: false, reason: "saturated" });
  });

  it("never picks a backend the request already failed on", () => {
    for (let i = 0; i < 20; i++) {
      const decision = admit(request({ policy: "random", avoid: ["a"] }), state({ random: () => i / 20 }));
      expect(decision.outcome).toMatchObject({ ok: true, backendId: "b" });
    }
  });

  it("pins a new session, then keeps using its backend while it has room", () => {
    const session = { id: "s", mode: "temporary" as const, ttlMs: 60_000 };
    const first = admit(request({ session }), state());
    expect(first.outcome).toMatchObject({ ok: true, affinity: "pinned" });
    const pinned = first.outcome.ok ? first.outcome.backendId : "";
    expect(first.affinity).toMatchObject({ backendId: pinned, homeBackendId: pinned, expiresAt: 61_000 });
    for (let i = 0; i < 5; i++) {
      const next = admit(request({ session }), state({ affinity: first.affinity, now: 2_000 + i }));
      expect(next.outcome).toEqual({ ok: true, backendId: pinned, affinity: "used" });
    }
  });

  it("temporary failover serves elsewhere and returns home once the home backend has room", () => {
    const session = { id: "s", mode: "temporary" as const, ttlMs: 60_000 };
    const home = { backendId: "a", homeBackendId: "a", expiresAt: 50_000 };
    const busy = admit(request({ session }), state({ affinity: home, inFlight: (id) => (id === "a" ? 2 : 0) }));
    expect(busy.outcome).toEqual({ ok: true, backendId: "b", affinity: "fallback" });
    expect(busy.affinity).toMatchObject({ backendId: "b", homeBackendId: "a" });
    const back = admit(request({ session }), state({ affinity: busy.affinity }));
    expect(back.outcome).toEqual({ ok: true, backendId: "a", affinity: "used" });
  });

  it("sticky failover moves the session for good", () => {
    const session = { id: "s", mode: "sticky" as const, ttlMs: 60_000 };
    const home = { backendId: "a", homeBackendId: "a", expiresAt: 50_000 };
    const moved = admit(request({ session }), state({ affinity: home, inFlight: (id) => (id === "a" ? 2 : 0) }));
    expect(moved.affinity).toMatchObject({ backendId: "b", homeBackendId: "b" });
    const after = admit(request({ session }), state({ affinity: moved.affinity }));
    expect(after.outcome).toEqual({ ok: true, backendId: "b", affinity: "used" });
  });

  it("mode none rejects instead of failing over, and keeps the entry", () => {
    const session = { id: "s", mode: "none" as const, ttlMs: 60_000 };
    const home = { backendId: "a", homeBackendId: "a", expiresAt: 50_000 };
    const decision = admit(request({ session }), state({ affinity: home, inFlight: (id) => (id === "a" ? 2 : 0) }));
    expect(decision.outcome).toEqual({ ok: false, reason: "session_backend_unavailable", backendId: "a" });
    expect(decision.affinity).toBeUndefined();
  });

  it("mode none re-pins a session whose backend was deleted", () => {
    const session = { id: "s", mode: "none" as const, ttlMs: 60_000 };
    const gone = { backendId: "z", homeBackendId: "z", expiresAt: 50_000 };
    const decision = admit(request({ session }), state({ affinity: gone }));
    expect(decision.outcome).toMatchObject({ ok: true, affinity: "pinned" });
  });
});
