import { seededRandom as prng } from "../helpers/seeded-random";
import { describe, expect, it } from "vitest";
import {
  allowRequest,
  breakerSummary,
  DEFAULT_BREAKER_CONFIG,
  force,
  initialBreakerState,
  nextTransitionAt,
  recordOutcome,
  releasePermission,
  tick,
  type BreakerConfig,
  type BreakerState,
  type BreakerStateName,
  type BreakerTransition,
  type CallResult,
} from "../../workers/resilience/breaker";

const CONFIG: BreakerConfig = {
  windowType: "count",
  windowSize: 10,
  minimumCalls: 5,
  failureRateThresholdPct: 50,
  slowCallRateThresholdPct: 50,
  slowCallDurationMs: 1_000,
  waitInOpenMs: 10_000,
  permittedCallsInHalfOpen: 3,
  maxWaitInHalfOpenMs: 60_000,
};

const OK: CallResult = { success: true, durationMs: 10 };
const FAIL: CallResult = { success: false, durationMs: 10 };
const SLOW: CallResult = { success: true, durationMs: 5_000 };

/** Records outcomes in order at `now`, collecting transitions. */
function feed(state: BreakerState, results: CallResult[], now: number, config = CONFIG) {
  const transitions: BreakerTransition[] = [];
  for (const result of results) {
    const step = recordOutcome(state, result, now, config);
    state = step.state;
    if (step.transition) transitions.push(step.transition);
  }
  return { state, transitions };
}

const times = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value);

/** A breaker opened by failures at t = 0 (openUntil = 10 000). */
function opened(config = CONFIG): BreakerState {
  const { state } = feed(initialBreakerState(config), times(config.minimumCalls, FAIL), 0, config);
  expect(state.name).toBe("open");
  return state;
}

/** A breaker in HALF_OPEN entered by tick at t = 10 000, no permit taken. */
function halfOpen(config = CONFIG): BreakerState {
  const state = tick(opened(config), 10_000, config).state;
  expect(state.name).toBe("half_open");
  return state;
}

/** Takes n permits at `now`. */
function admit(state: BreakerState, n: number, now: number, config = CONFIG): BreakerState {
  for (let i = 0; i < n; i++) {
    const decision = allowRequest(state, now, config);
    expect(decision.allowed).toBe(true);
    state = decision.state;
  }
  return state;
}

describe("defaults", () => {
  it("are resilience4j's shape with the documented choices", () => {
    expect(DEFAULT_BREAKER_CONFIG).toMatchObject({
      windowType: "count",
      windowSize: 20,
      minimumCalls: 10,
      failureRateThresholdPct: 50,
      slowCallRateThresholdPct: 100,
      slowCallDurationMs: 20_000,
      waitInOpenMs: 10_000,
      permittedCallsInHalfOpen: 3,
      maxWaitInHalfOpenMs: 60_000,
    });
    expect(Object.isFrozen(DEFAULT_BREAKER_CONFIG)).toBe(true);
  });

  it("do not open on runs that use the whole 15 s wall time, as long as some calls are quick", () => {
    const longRun = { success: true, durationMs: 16_000 };
    const { state } = feed(initialBreakerState(DEFAULT_BREAKER_CONFIG), times(20, longRun), 0, DEFAULT_BREAKER_CONFIG);
    expect(state.name).toBe("closed");
    const hung = { success: true, durationMs: 25_000 };
    const mixed = feed(initialBreakerState(DEFAULT_BREAKER_CONFIG), [OK, ...times(19, hung)], 0, DEFAULT_BREAKER_CONFIG);
    expect(mixed.state.name).toBe("closed");
    const allHung = feed(initialBreakerState(DEFAULT_BREAKER_CONFIG), times(10, hung), 0, DEFAULT_BREAKER_CONFIG);
    expect(allHung.state.name).toBe("open");
    expect(allHung.transitions[0].reason).toBe("slow_call_rate");
  });
});

describe("CLOSED", () => {
  it("starts closed with an empty window and allows every call", () => {
    const state = initialBreakerState(CONFIG, 123);
    expect(state).toMatchObject({ name: "closed", enteredAt: 123, openUntil: null, halfOpen: null });
    const decision = allowRequest(state, 0, CONFIG);
    expect(decision).toEqual({ allowed: true, state });
    expect(breakerSummary(state, 0, CONFIG)).toMatchObject({
      state: "closed",
      calls: 0,
      failureRatePct: 0,
      belowMinimumCalls: true,
      openUntil: null,
    });
  });

  it("does not evaluate rates before minimumCalls outcomes", () => {
    const { state, transitions } = feed(initialBreakerState(CONFIG), times(4, FAIL), 0);
    expect(state.name).toBe("closed");
    expect(transitions).toEqual([]);
    expect(breakerSummary(state, 0, CONFIG)).toMatchObject({ calls: 4, failureRatePct: 100, belowMinimumCalls: true });
  });

  it("opens on the failure rate once minimumCalls are in, with a transition carrying the rates", () => {
    const { state, transitions } = feed(initialBreakerState(CONFIG), times(5, FAIL), 1_000);
    expect(state).toMatchObject({ name: "open", enteredAt: 1_000, openUntil: 11_000 });
    expect(transitions).toEqual([
      { from: "closed", to: "open", at: 1_000, reason: "failure_rate", failureRatePct: 100, slowCallRatePct: 0, calls: 5 },
    ]);
  });

  it("opens at exactly the threshold (≥) and not below it", () => {
    const below = feed(initialBreakerState(CONFIG), [...times(6, OK), ...times(4, FAIL)], 0);
    expect(below.state.name).toBe("closed");
    expect(breakerSummary(below.state, 0, CONFIG).failureRatePct).toBe(40);
    const at = feed(initialBreakerState(CONFIG), [...times(5, OK), ...times(5, FAIL)], 0);
    expect(at.state.name).toBe("open");
    expect(at.transitions[0]).toMatchObject({ reason: "failure_rate", failureRatePct: 50, calls: 10 });
  });

  it("opens on the slow-call rate; slow means strictly longer than slowCallDurationMs", () => {
    const atLimit = feed(initialBreakerState(CONFIG), times(5, { success: true, durationMs: 1_000 }), 0);
    expect(atLimit.state.name).toBe("closed");
    const slow = feed(initialBreakerState(CONFIG), times(5, { success: true, durationMs: 1_001 }), 0);
    expect(slow.state.name).toBe("open");
    expect(slow.transitions[0]).toMatchObject({ reason: "slow_call_rate", failureRatePct: 0, slowCallRatePct: 100 });
  });

  it("counts slow failures for both rates (failure reason first)", () => {
    const { transitions } = feed(initialBreakerState(CONFIG), times(5, { success: false, durationMs: 9_000 }), 0);
    expect(transitions[0]).toMatchObject({ reason: "failure_rate", failureRatePct: 100, slowCallRatePct: 100 });
  });

  it("evicts old outcomes from a count window", () => {
    // 6 successes then 4 failures: 40 %. Six more successes push out the six old ones (the
    // failures are now the oldest), four more push out the failures.
    let { state } = feed(initialBreakerState(CONFIG), [...times(6, OK), ...times(4, FAIL)], 0);
    expect(breakerSummary(state, 0, CONFIG)).toMatchObject({ calls: 10, failures: 4 });
    state = feed(state, times(6, OK), 0).state;
    expect(breakerSummary(state, 0, CONFIG)).toMatchObject({ calls: 10, failures: 4 });
    state = feed(state, times(4, OK), 0).state;
    expect(state.name).toBe("closed");
    expect(breakerSummary(state, 0, CONFIG)).toMatchObject({ calls: 10, failures: 0 });
    // Now 5 failures in the last 10 open it again.
    const { transitions } = feed(state, times(5, FAIL), 0);
    expect(transitions).toHaveLength(1);
    expect(transitions[0].calls).toBe(10);
  });

  it("caps minimumCalls at the size of a count window (resilience4j)", () => {
    const config = { ...CONFIG, windowSize: 3, minimumCalls: 100 };
    const { state } = feed(initialBreakerState(config), times(3, FAIL), 0, config);
    expect(state.name).toBe("open");
  });

  describe("time window", () => {
    const TIME: BreakerConfig = { ...CONFIG, windowType: "time", windowSize: 10 };

    it("drops outcomes older than the window before evaluating", () => {
      const early = feed(initialBreakerState(TIME), times(4, FAIL), 0, TIME).state;
      // Second 9 still sees second 0: 5 failures.
      expect(feed(early, [FAIL], 9_999, TIME).state.name).toBe("open");
      // Second 10 does not: 1 call, below minimumCalls.
      const later = feed(early, [FAIL], 10_000, TIME).state;
      expect(later.name).toBe("closed");
      expect(breakerSummary(later, 10_000, TIME)).toMatchObject({ calls: 1, belowMinimumCalls: true });
    });

    it("does not cap minimumCalls at the window size in seconds", () => {
      const config = { ...TIME, windowSize: 2, minimumCalls: 5 };
      const { state } = feed(initialBreakerState(config), times(4, FAIL), 0, config);
      expect(state.name).toBe("closed");
      expect(feed(state, [FAIL], 0, config).state.name).toBe("open");
    });
  });

  it("starts a fresh window when the config's window type or size changed", () => {
    const { state } = feed(initialBreakerState(CONFIG), times(4, FAIL), 0);
    const resized = { ...CONFIG, windowSize: 20 };
    const next = feed(state, [FAIL], 0, resized).state;
    expect(next.name).toBe("closed");
    expect(breakerSummary(next, 0, resized).calls).toBe(1);
  });
});

describe("OPEN", () => {
  it("rejects calls until waitInOpenMs has elapsed", () => {
    const state = opened();
    for (const now of [0, 1, 5_000, 9_999]) {
      const decision = allowRequest(state, now, CONFIG);
      expect(decision.allowed).toBe(false);
      expect(decision.state).toBe(state);
      expect(decision.transition).toBeUndefined();
    }
  });

  it("ignores outcomes of calls that started before it opened", () => {
    const state = opened();
    const step = recordOutcome(state, OK, 5_000, CONFIG);
    expect(step).toEqual({ recorded: false, state });
    // Even after the wait: the transition to HALF_OPEN happens on a request or a tick, not an outcome.
    expect(recordOutcome(state, OK, 20_000, CONFIG)).toEqual({ recorded: false, state });
  });

  it("goes HALF_OPEN on the first request after the wait, admitting it as the first trial", () => {
    const decision = allowRequest(opened(), 10_000, CONFIG);
    expect(decision.allowed).toBe(true);
    expect(decision.state).toMatchObject({
      name: "half_open",
      enteredAt: 10_000,
      openUntil: null,
      halfOpen: { permitted: 3, started: 1, calls: 0 },
    });
    expect(decision.transition).toEqual({ from: "open", to: "half_open", at: 10_000, reason: "wait_elapsed" });
  });

  it("goes HALF_OPEN on a tick after the wait, with no permit taken", () => {
    const state = opened();
    expect(tick(state, 9_999, CONFIG)).toEqual({ state });
    const step = tick(state, 12_000, CONFIG);
    expect(step.state).toMatchObject({ name: "half_open", enteredAt: 12_000, halfOpen: { started: 0 } });
    expect(step.transition).toEqual({ from: "open", to: "half_open", at: 12_000, reason: "wait_elapsed" });
  });

  it("tells alarms when the next time-driven transition is due", () => {
    expect(nextTransitionAt(initialBreakerState(CONFIG), CONFIG)).toBeNull();
    expect(nextTransitionAt(opened(), CONFIG)).toBe(10_000);
    expect(nextTransitionAt(halfOpen(), CONFIG)).toBe(70_000);
    expect(nextTransitionAt(halfOpen(), { ...CONFIG, maxWaitInHalfOpenMs: 0 })).toBeNull();
  });

  it("keeps the wait fixed at opening even if the config changes", () => {
    const state = opened();
    expect(allowRequest(state, 10_000, { ...CONFIG, waitInOpenMs: 60_000 }).allowed).toBe(true);
  });

  it("shows what opened it in the summary", () => {
    expect(breakerSummary(opened(), 3_000, CONFIG)).toEqual({
      state: "open",
      since: 0,
      calls: 5,
      failures: 5,
      slowCalls: 0,
      failureRatePct: 100,
      slowCallRatePct: 0,
      belowMinimumCalls: false,
      openUntil: 10_000,
      halfOpen: null,
    });
  });
});

describe("HALF_OPEN", () => {
  it("admits at most permittedCallsInHalfOpen trial calls and rejects the rest", () => {
    let state = admit(halfOpen(), 3, 10_000);
    expect(state.halfOpen).toMatchObject({ permitted: 3, started: 3 });
    const extra = allowRequest(state, 10_001, CONFIG);
    expect(extra.allowed).toBe(false);
    expect(extra.state).toBe(state);
    // Outcomes do not free permits: still rejected after two finished.
    state = feed(state, [OK, OK], 10_002).state;
    expect(state.name).toBe("half_open");
    expect(allowRequest(state, 10_003, CONFIG).allowed).toBe(false);
  });

  it("gives a permit back with releasePermission (call not made)", () => {
    let state = admit(halfOpen(), 3, 10_000);
    state = releasePermission(state);
    expect(state.halfOpen?.started).toBe(2);
    expect(allowRequest(state, 10_000, CONFIG).allowed).toBe(true);
    // Nothing to release outside HALF_OPEN or with no permit out.
    const closed = initialBreakerState(CONFIG);
    expect(releasePermission(closed)).toBe(closed);
    const idle = halfOpen();
    expect(releasePermission(idle)).toBe(idle);
  });

  it("closes with a fresh window when the trial calls pass", () => {
    let state = admit(halfOpen(), 3, 10_000);
    const first = feed(state, [OK, FAIL], 11_000);
    expect(first.state.name).toBe("half_open");
    expect(first.transitions).toEqual([]);
    const { state: closed, transitions } = feed(first.state, [OK], 12_000);
    expect(transitions).toEqual([
      { from: "half_open", to: "closed", at: 12_000, reason: "trial_calls_passed", failureRatePct: (1 / 3) * 100, slowCallRatePct: 0, calls: 3 },
    ]);
    expect(closed).toMatchObject({ name: "closed", enteredAt: 12_000, halfOpen: null, openUntil: null });
    expect(breakerSummary(closed, 12_000, CONFIG)).toMatchObject({ calls: 0, belowMinimumCalls: true });
    state = closed;
    expect(allowRequest(state, 12_000, CONFIG).allowed).toBe(true);
  });

  it("reopens with a new wait when the trial failure rate reaches the threshold", () => {
    const state = admit(halfOpen(), 3, 10_000);
    const { state: reopened, transitions } = feed(state, [FAIL, OK, FAIL], 15_000);
    expect(reopened).toMatchObject({ name: "open", enteredAt: 15_000, openUntil: 25_000 });
    expect(transitions).toEqual([
      { from: "half_open", to: "open", at: 15_000, reason: "failure_rate", failureRatePct: (2 / 3) * 100, slowCallRatePct: 0, calls: 3 },
    ]);
    expect(allowRequest(reopened, 24_999, CONFIG).allowed).toBe(false);
    expect(allowRequest(reopened, 25_000, CONFIG).allowed).toBe(true);
  });

  it("reopens when the trial slow-call rate reaches the threshold", () => {
    const state = admit(halfOpen(), 3, 10_000);
    const { transitions } = feed(state, [SLOW, SLOW, OK], 15_000);
    expect(transitions[0]).toMatchObject({ from: "half_open", to: "open", reason: "slow_call_rate" });
  });

  it("gives its verdict after min(minimumCalls, permitted) outcomes, as resilience4j", () => {
    const config = { ...CONFIG, minimumCalls: 2, windowSize: 2 };
    const state = admit(halfOpen(config), 3, 10_000, config);
    const { state: next } = feed(state, [OK, OK], 10_000, config);
    expect(next.name).toBe("closed");
  });

  it("ignores outcomes of calls admitted before it began, when startedAt is given", () => {
    const state = admit(halfOpen(), 1, 10_000);
    const stale = recordOutcome(state, { ...FAIL, startedAt: 9_000 }, 10_500, CONFIG);
    expect(stale).toEqual({ recorded: false, state });
    const trial = recordOutcome(state, { ...FAIL, startedAt: 10_000 }, 10_500, CONFIG);
    expect(trial.recorded).toBe(true);
    expect(trial.state.halfOpen?.calls).toBe(1);
  });

  it("goes back to OPEN when no verdict came within maxWaitInHalfOpenMs (lost reports)", () => {
    const state = admit(halfOpen(), 3, 10_000);
    expect(tick(state, 69_999, CONFIG)).toEqual({ state });
    const viaTick = tick(state, 70_000, CONFIG);
    expect(viaTick.state).toMatchObject({ name: "open", enteredAt: 70_000, openUntil: 80_000 });
    expect(viaTick.transition).toMatchObject({ from: "half_open", to: "open", reason: "half_open_timeout" });

    const viaRequest = allowRequest(state, 70_000, CONFIG);
    expect(viaRequest.allowed).toBe(false);
    expect(viaRequest.transition?.reason).toBe("half_open_timeout");

    const viaOutcome = recordOutcome(state, OK, 70_000, CONFIG);
    expect(viaOutcome.recorded).toBe(false);
    expect(viaOutcome.state.name).toBe("open");
    expect(viaOutcome.transition?.reason).toBe("half_open_timeout");
  });

  it("waits forever for a verdict with maxWaitInHalfOpenMs 0 (resilience4j's default)", () => {
    const config = { ...CONFIG, maxWaitInHalfOpenMs: 0 };
    const state = admit(halfOpen(config), 3, 10_000, config);
    expect(tick(state, 10 ** 12, config).state).toBe(state);
  });

  it("shows the trial calls in the summary", () => {
    const state = feed(admit(halfOpen(), 2, 10_000), [FAIL], 10_000).state;
    expect(breakerSummary(state, 10_000, CONFIG)).toMatchObject({
      state: "half_open",
      since: 10_000,
      calls: 1,
      failureRatePct: 100,
      belowMinimumCalls: true,
      halfOpen: { permitted: 3, started: 2, completed: 1 },
    });
  });
});

describe("forced states and reset", () => {
  it("FORCED_OPEN rejects everything, ignores outcomes and time", () => {
    const { state, transition } = force(initialBreakerState(CONFIG), "open", 5);
    expect(transition).toEqual({ from: "closed", to: "forced_open", at: 5, reason: "forced_open" });
    expect(allowRequest(state, 10 ** 12, CONFIG).allowed).toBe(false);
    expect(recordOutcome(state, OK, 6, CONFIG)).toEqual({ recorded: false, state });
    expect(tick(state, 10 ** 12, CONFIG)).toEqual({ state });
    expect(nextTransitionAt(state, CONFIG)).toBeNull();
  });

  it("FORCED_CLOSED allows everything and ignores failures", () => {
    const { state, transition } = force(opened(), "closed", 5);
    expect(transition).toEqual({ from: "open", to: "forced_closed", at: 5, reason: "forced_closed" });
    const after = feed(state, times(50, FAIL), 6);
    expect(after.state).toBe(state);
    expect(after.transitions).toEqual([]);
    expect(allowRequest(state, 7, CONFIG)).toEqual({ allowed: true, state });
  });

  it("reset returns to CLOSED with a fresh window from any state", () => {
    const starts: BreakerState[] = [
      feed(initialBreakerState(CONFIG), times(4, FAIL), 0).state,
      opened(),
      admit(halfOpen(), 2, 10_000),
      force(initialBreakerState(CONFIG), "open", 0).state,
      force(initialBreakerState(CONFIG), "closed", 0).state,
    ];
    for (const start of starts) {
      const { state, transition } = force(start, "reset", 20_000);
      expect(state).toMatchObject({ name: "closed", enteredAt: 20_000, openUntil: null, halfOpen: null, openedWith: null });
      expect(breakerSummary(state, 20_000, CONFIG).calls).toBe(0);
      expect(transition).toEqual({ from: start.name, to: "closed", at: 20_000, reason: "reset" });
      // It counts outcomes again.
      expect(feed(state, times(5, FAIL), 20_000).state.name).toBe("open");
    }
  });

  it("ignores, after a reset, late outcomes of calls started before it", () => {
    const { state } = force(initialBreakerState(CONFIG), "reset", 1_000);
    expect(recordOutcome(state, { ...FAIL, startedAt: 999 }, 1_001, CONFIG).recorded).toBe(false);
    expect(recordOutcome(state, { ...FAIL, startedAt: 1_000 }, 1_001, CONFIG).recorded).toBe(true);
  });
});

describe("state handling", () => {
  it("never mutates its input", () => {
    const states = [initialBreakerState(CONFIG), opened(), admit(halfOpen(), 1, 10_000)];
    for (const state of states) {
      const copy = structuredClone(state);
      allowRequest(state, 10_000, CONFIG);
      recordOutcome(state, FAIL, 10_000, CONFIG);
      tick(state, 100_000, CONFIG);
      force(state, "open", 0);
      releasePermission(state);
      expect(state).toEqual(copy);
    }
  });

  it("is plain JSON: a stored and reloaded state behaves the same", () => {
    let state = feed(initialBreakerState(CONFIG), [...times(3, FAIL), OK], 0).state;
    state = JSON.parse(JSON.stringify(state));
    const { state: next } = feed(state, times(2, FAIL), 0);
    expect(next.name).toBe("open");
    expect(JSON.parse(JSON.stringify(next))).toEqual(next);
  });

  it("survives a nonsensical config by clamping it", () => {
    const bad: BreakerConfig = {
      windowType: "weird" as "count",
      windowSize: -1,
      minimumCalls: NaN,
      failureRateThresholdPct: 0,
      slowCallRateThresholdPct: -5,
      slowCallDurationMs: NaN,
      waitInOpenMs: -10,
      permittedCallsInHalfOpen: 0,
      maxWaitInHalfOpenMs: NaN,
    };
    let state = initialBreakerState(bad);
    state = feed(state, [FAIL], 0, bad).state;
    expect(state.name).toBe("open");
    expect(state.openUntil).toBe(DEFAULT_BREAKER_CONFIG.waitInOpenMs);
    const decision = allowRequest(state, DEFAULT_BREAKER_CONFIG.waitInOpenMs, bad);
    expect(decision.state.halfOpen?.permitted).toBe(1);
  });
});

const NAMES: BreakerStateName[] = ["closed", "open", "half_open", "forced_open", "forced_closed"];

function checkInvariants(state: BreakerState, now: number, config: BreakerConfig) {
  expect(NAMES).toContain(state.name);
  expect(state.openUntil !== null).toBe(state.name === "open");
  expect(state.halfOpen !== null).toBe(state.name === "half_open");
  if (state.halfOpen) {
    expect(state.halfOpen.started).toBeGreaterThanOrEqual(0);
    expect(state.halfOpen.started).toBeLessThanOrEqual(state.halfOpen.permitted);
  }
  if (state.window.type === "count") expect(state.window.codes.length).toBeLessThanOrEqual(state.window.size);
  else expect(state.window.buckets.length).toBeLessThanOrEqual(state.window.size);
  const summary = breakerSummary(state, now, config);
  for (const rate of [summary.failureRatePct, summary.slowCallRatePct]) {
    expect(rate).toBeGreaterThanOrEqual(0);
    expect(rate).toBeLessThanOrEqual(100);
  }
  expect(JSON.parse(JSON.stringify(state))).toEqual(state);
}

describe("random sequences (seeded)", () => {
  it("never leave the valid states, keep rates in [0, 100] and obey each state's admission rule", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rand = prng(seed);
      const config: BreakerConfig = {
        windowType: rand() < 0.5 ? "count" : "time",
        windowSize: 1 + Math.floor(rand() * 20),
        minimumCalls: 1 + Math.floor(rand() * 10),
        failureRateThresholdPct: 10 + rand() * 90,
        slowCallRateThresholdPct: 10 + rand() * 100,
        slowCallDurationMs: 500,
        waitInOpenMs: Math.floor(rand() * 5_000),
        permittedCallsInHalfOpen: 1 + Math.floor(rand() * 5),
        maxWaitInHalfOpenMs: rand() < 0.3 ? 0 : Math.floor(rand() * 20_000),
      };
      let state = initialBreakerState(config);
      let now = 0;
      const seen = new Set<BreakerStateName>();
      for (let step = 0; step < 600; step++) {
        now += Math.floor(rand() * 700);
        const r = rand();
        const before = state.name;
        let transition: BreakerTransition | undefined;
        if (r < 0.45) {
          const decision = allowRequest(state, now, config);
          if (before === "closed" || before === "forced_closed") expect(decision.allowed).toBe(true);
          if (before === "forced_open") expect(decision.allowed).toBe(false);
          if (decision.allowed) expect(["closed", "forced_closed", "half_open"]).toContain(decision.state.name);
          else expect(["open", "half_open", "forced_open"]).toContain(decision.state.name);
          ({ state, transition } = decision);
        } else if (r < 0.9) {
          const result: CallResult = {
            success: rand() < 0.6,
            durationMs: rand() * 1_000,
            startedAt: rand() < 0.5 ? now - Math.floor(rand() * 3_000) : undefined,
          };
          const step = recordOutcome(state, result, now, config);
          if (before === "forced_open" || before === "forced_closed" || before === "open") {
            expect(step.recorded).toBe(false);
          }
          ({ state, transition } = step);
        } else if (r < 0.97) {
          ({ state, transition } = tick(state, now, config));
        } else {
          const modes = ["open", "closed", "reset"] as const;
          ({ state, transition } = force(state, modes[Math.floor(rand() * 3)], now));
          expect(transition).toBeDefined();
        }
        // A transition is reported exactly when the name changes (force may re-enter the same state).
        if (state.name !== before) expect(transition).toMatchObject({ from: before, to: state.name, at: now });
        if (transition && transition.from === transition.to) expect(transition.reason).toMatch(/^(forced_|reset)/);
        if (!transition) expect(state.name).toBe(before);
        seen.add(state.name);
        checkInvariants(state, now, config);
      }
      expect(seen.size).toBeGreaterThan(1);
    }
  });
});
