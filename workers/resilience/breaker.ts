// Circuit breaker with resilience4j's CircuitBreaker state machine, as pure functions over plain
// JSON state (kept in Durable Object storage). Every function takes the time as `now` (epoch ms),
// never mutates its input, and returns the state to store plus, when the state name changed, a
// BreakerTransition to log or alert on.
//
//   CLOSED ──(≥ minimumCalls in window and failure or slow rate ≥ threshold)──► OPEN
//   OPEN ──(waitInOpenMs elapsed: next allowRequest, or tick)──► HALF_OPEN
//   HALF_OPEN ──(trial rates ≥ threshold, or no verdict within maxWaitInHalfOpenMs)──► OPEN
//   HALF_OPEN ──(trial rates below thresholds)──► CLOSED (fresh window)
//   force(): FORCED_OPEN / FORCED_CLOSED (outcomes ignored) and reset → CLOSED (fresh window)
//
// Deliberate additions to resilience4j, both because outcome reports cross process boundaries
// here and can arrive late or never:
// - an outcome may carry `startedAt`; one that started before the current state was entered was
//   admitted by an earlier state and is ignored (otherwise a call from before the breaker opened
//   could pass for a half-open trial);
// - maxWaitInHalfOpenMs defaults to 60 s rather than resilience4j's "wait forever", so a lost trial
//   report cannot leave the breaker rejecting everything indefinitely.
import {
  aggregate,
  createWindow,
  effectiveWindowSize,
  recordInWindow,
  windowAggregate,
  windowMatches,
  type SlidingWindow,
  type WindowType,
} from "./sliding-window";

export type BreakerStateName = "closed" | "open" | "half_open" | "forced_open" | "forced_closed";

export interface BreakerConfig {
  windowType: WindowType;
  /** Calls (count window) or seconds (time window). */
  windowSize: number;
  /** Rates are not evaluated before this many calls are in the window (count windows: at most windowSize). */
  minimumCalls: number;
  /** Open when the failure rate is at or above this, in percent (0 < x ≤ 100; above 100 never trips). */
  failureRateThresholdPct: number;
  /** Open when the share of slow calls is at or above this, in percent (above 100 disables it). */
  slowCallRateThresholdPct: number;
  /** A call taking strictly longer than this is slow (whether or not it succeeded). */
  slowCallDurationMs: number;
  waitInOpenMs: number;
  /** Trial calls admitted in HALF_OPEN; its verdict comes after min(minimumCalls, this) outcomes. */
  permittedCallsInHalfOpen: number;
  /** HALF_OPEN without a verdict for this long goes back to OPEN; 0 waits forever (resilience4j's default). */
  maxWaitInHalfOpenMs?: number;
}

/**
 * A trial call can legitimately last the sandbox's maximum wall time (15 s) plus compilation,
 * transfer and queueing; a minute without all trial outcomes means reports were lost.
 */
export const DEFAULT_MAX_WAIT_IN_HALF_OPEN_MS = 60_000;

/**
 * Defaults for a remote execution backend.
 * - Slow calls: code execution is slow by nature — a run may use the full 15 s wall time (plus
 *   compile and transfer), and one tenant's runaway loops would make every call "slow" at 15 s.
 *   So slow means over 20 s (the adaptive limit's timeout, DEFAULT_LIMIT_TIMEOUT_MS: only queueing
 *   or a stuck backend takes that long), and the slow rate trips only at 100 %: every call in the
 *   window slow, i.e. a hung backend that still answers eventually. Failures catch the rest.
 * - 20 calls / at least 10 / 50 %: resilience4j's threshold on a window small enough for a
 *   backend serving a few requests per second to react within seconds.
 */
export const DEFAULT_BREAKER_CONFIG: Readonly<BreakerConfig> = Object.freeze({
  windowType: "count",
  windowSize: 20,
  minimumCalls: 10,
  failureRateThresholdPct: 50,
  slowCallRateThresholdPct: 100,
  slowCallDurationMs: 20_000,
  waitInOpenMs: 10_000,
  permittedCallsInHalfOpen: 3,
  maxWaitInHalfOpenMs: DEFAULT_MAX_WAIT_IN_HALF_OPEN_MS,
});

export interface OutcomeCounts {
  calls: number;
  failures: number;
  slowCalls: number;
}

/** HALF_OPEN's trial calls: admitted (`started`) and finished (the counts). */
export interface HalfOpenTrials extends OutcomeCounts {
  /** Snapshot of permittedCallsInHalfOpen when HALF_OPEN was entered. */
  permitted: number;
  started: number;
}

export interface BreakerState {
  name: BreakerStateName;
  /** When the current state was entered (epoch ms). */
  enteredAt: number;
  /** CLOSED's outcomes; empty in every other state. */
  window: SlidingWindow;
  /** OPEN only: when HALF_OPEN may begin. Fixed on opening, as in resilience4j. */
  openUntil: number | null;
  /** HALF_OPEN only. */
  halfOpen: HalfOpenTrials | null;
  /** OPEN only: the counts that opened it, for health and admin views. */
  openedWith: OutcomeCounts | null;
}

export type BreakerTransitionReason =
  | "failure_rate"
  | "slow_call_rate"
  | "wait_elapsed"
  | "half_open_timeout"
  | "trial_calls_passed"
  | "forced_open"
  | "forced_closed"
  | "reset";

export interface BreakerTransition {
  from: BreakerStateName;
  to: BreakerStateName;
  at: number;
  reason: BreakerTransitionReason;
  /** Present when the transition came from evaluating rates. */
  failureRatePct?: number;
  slowCallRatePct?: number;
  calls?: number;
}

export interface CallResult {
  success: boolean;
  durationMs: number;
  /** When the call was admitted (epoch ms). If given, calls admitted by an earlier state are ignored. */
  startedAt?: number;
}

export interface BreakerStep {
  state: BreakerState;
  transition?: BreakerTransition;
}

export interface BreakerDecision extends BreakerStep {
  allowed: boolean;
}

export interface BreakerRecordResult extends BreakerStep {
  /** Whether the outcome counted (false: forced state, OPEN, or a call from an earlier state). */
  recorded: boolean;
}

export interface BreakerSummary extends OutcomeCounts {
  state: BreakerStateName;
  since: number;
  /** CLOSED/forced: the window now; HALF_OPEN: the trial calls; OPEN: what opened it. */
  failureRatePct: number;
  slowCallRatePct: number;
  /** Too few calls for the rates to be evaluated yet. */
  belowMinimumCalls: boolean;
  openUntil: number | null;
  halfOpen: { permitted: number; started: number; completed: number } | null;
}

/**
 * CLOSED with an empty window. `now` becomes enteredAt: outcomes whose startedAt is earlier are
 * ignored, so pass a time no later than the first call's start (the default 0 always is).
 */
export function initialBreakerState(config: BreakerConfig, now = 0): BreakerState {
  const s = settings(config);
  return closedState(now, createWindow(s.windowType, s.windowSize));
}

/** Whether a call may go ahead now. In HALF_OPEN an allowed call takes one of the trial permits. */
export function allowRequest(state: BreakerState, now: number, config: BreakerConfig): BreakerDecision {
  switch (state.name) {
    case "closed":
    case "forced_closed":
      return { allowed: true, state };
    case "forced_open":
      return { allowed: false, state };
    case "open": {
      if (now < (state.openUntil ?? 0)) return { allowed: false, state };
      const half = halfOpenState(now, settings(config));
      const admitted = { ...half, halfOpen: { ...half.halfOpen, started: 1 } };
      return { allowed: true, ...move(state, admitted, now, "wait_elapsed") };
    }
    case "half_open": {
      const timedOut = halfOpenTimeout(state, now, config);
      if (timedOut) return { allowed: false, ...timedOut };
      const trials = state.halfOpen ?? emptyTrials(settings(config).permittedCallsInHalfOpen);
      if (trials.started >= trials.permitted) return { allowed: false, state };
      return { allowed: true, state: { ...state, halfOpen: { ...trials, started: trials.started + 1 } } };
    }
  }
}

/**
 * Gives back a HALF_OPEN permit taken by allowRequest for a call that was then not made (e.g. the
 * request went to another backend). Without it the permit stays taken until maxWaitInHalfOpenMs.
 */
export function releasePermission(state: BreakerState): BreakerState {
  if (state.name !== "half_open" || !state.halfOpen || state.halfOpen.started <= 0) return state;
  return { ...state, halfOpen: { ...state.halfOpen, started: state.halfOpen.started - 1 } };
}

/** Counts a finished call and applies the transition it causes, if any. */
export function recordOutcome(
  state: BreakerState,
  result: CallResult,
  now: number,
  config: BreakerConfig,
): BreakerRecordResult {
  if (state.name === "half_open") {
    const timedOut = halfOpenTimeout(state, now, config);
    if (timedOut) return { recorded: false, ...timedOut };
  }
  if (state.name !== "closed" && state.name !== "half_open") return { recorded: false, state };
  if (result.startedAt !== undefined && result.startedAt < state.enteredAt) return { recorded: false, state };

  const s = settings(config);
  const outcome = { success: result.success, slow: result.durationMs > s.slowCallDurationMs };

  if (state.name === "closed") {
    const current = windowMatches(state.window, s.windowType, s.windowSize)
      ? state.window
      : createWindow(s.windowType, s.windowSize);
    const window = recordInWindow(current, outcome, now);
    const stats = windowAggregate(window, now);
    const closed = { ...state, window };
    if (stats.calls < s.minimumCalls) return { recorded: true, state: closed };
    const reason = exceeded(stats, s);
    if (!reason) return { recorded: true, state: closed };
    return { recorded: true, ...move(state, openState(now, s, stats), now, reason, stats) };
  }

  const before = state.halfOpen ?? emptyTrials(s.permittedCallsInHalfOpen);
  const trials: HalfOpenTrials = {
    ...before,
    calls: before.calls + 1,
    failures: before.failures + (outcome.success ? 0 : 1),
    slowCalls: before.slowCalls + (outcome.slow ? 1 : 0),
  };
  // resilience4j judges HALF_OPEN with a count window of `permitted` calls and the usual minimum.
  if (trials.calls < Math.min(s.minimumCallsHalfOpen, trials.permitted)) {
    return { recorded: true, state: { ...state, halfOpen: trials } };
  }
  const stats = aggregate(trials.calls, trials.failures, trials.slowCalls);
  const reason = exceeded(stats, s);
  const next = reason ? openState(now, s, stats) : closedState(now, createWindow(s.windowType, s.windowSize));
  return { recorded: true, ...move(state, next, now, reason ?? "trial_calls_passed", stats) };
}

/** Time-driven transitions, for Durable Object alarms: OPEN → HALF_OPEN, HALF_OPEN timeout → OPEN. */
export function tick(state: BreakerState, now: number, config: BreakerConfig): BreakerStep {
  if (state.name === "open" && now >= (state.openUntil ?? 0)) {
    return move(state, halfOpenState(now, settings(config)), now, "wait_elapsed");
  }
  if (state.name === "half_open") return halfOpenTimeout(state, now, config) ?? { state };
  return { state };
}

/** When tick() will next change something (to set an alarm), or null if only calls can. */
export function nextTransitionAt(state: BreakerState, config: BreakerConfig): number | null {
  if (state.name === "open") return state.openUntil ?? state.enteredAt;
  if (state.name === "half_open") {
    const maxWait = settings(config).maxWaitInHalfOpenMs;
    return maxWait > 0 ? state.enteredAt + maxWait : null;
  }
  return null;
}

/**
 * Operator override. Forced states ignore outcomes until the next force(); "reset" returns to
 * CLOSED with an empty window. Always reports a transition, even to the same state, as an audit
 * record. The fresh window keeps the stored window's type and size (a changed config replaces it
 * on the next outcome anyway).
 */
export function force(state: BreakerState, mode: "open" | "closed" | "reset", now: number): Required<BreakerStep> {
  const window = createWindow(state.window.type, state.window.size);
  const name: BreakerStateName = mode === "open" ? "forced_open" : mode === "closed" ? "forced_closed" : "closed";
  const reason: BreakerTransitionReason =
    mode === "open" ? "forced_open" : mode === "closed" ? "forced_closed" : "reset";
  const next: BreakerState = { ...closedState(now, window), name };
  return { state: next, transition: { from: state.name, to: name, at: now, reason } };
}

export function breakerSummary(state: BreakerState, now: number, config: BreakerConfig): BreakerSummary {
  const s = settings(config);
  let counts: OutcomeCounts;
  let minimum = s.minimumCalls;
  if (state.name === "open") {
    counts = state.openedWith ?? { calls: 0, failures: 0, slowCalls: 0 };
    minimum = 0;
  } else if (state.name === "half_open") {
    counts = state.halfOpen ?? emptyTrials(s.permittedCallsInHalfOpen);
    minimum = Math.min(s.minimumCallsHalfOpen, state.halfOpen?.permitted ?? s.permittedCallsInHalfOpen);
  } else {
    const current = windowMatches(state.window, s.windowType, s.windowSize);
    counts = current ? windowAggregate(state.window, now) : aggregate(0, 0, 0);
  }
  const stats = aggregate(counts.calls, counts.failures, counts.slowCalls);
  return {
    state: state.name,
    since: state.enteredAt,
    calls: stats.calls,
    failures: stats.failures,
    slowCalls: stats.slowCalls,
    failureRatePct: stats.failureRatePct,
    slowCallRatePct: stats.slowCallRatePct,
    belowMinimumCalls: stats.calls < minimum,
    openUntil: state.name === "open" ? state.openUntil : null,
    halfOpen: state.halfOpen
      ? { permitted: state.halfOpen.permitted, started: state.halfOpen.started, completed: state.halfOpen.calls }
      : null,
  };
}

// ---- helpers

type Settings = ReturnType<typeof settings>;

/**
 * The config with every value forced into a range where the state machine stays live (stored or
 * admin-edited configs can be wrong): clamping instead of throwing keeps a misconfigured breaker
 * working rather than failing every request.
 */
function settings(config: BreakerConfig) {
  const d = DEFAULT_BREAKER_CONFIG;
  const windowType: WindowType = config.windowType === "time" ? "time" : "count";
  const windowSize = effectiveWindowSize(windowType, config.windowSize);
  const minimumCalls = atLeastOne(config.minimumCalls, d.minimumCalls);
  return {
    windowType,
    windowSize,
    // resilience4j: a count window can never hold more than windowSize calls.
    minimumCalls: windowType === "count" ? Math.min(minimumCalls, windowSize) : minimumCalls,
    minimumCallsHalfOpen: minimumCalls,
    failureRateThresholdPct: positiveOr(config.failureRateThresholdPct, d.failureRateThresholdPct),
    slowCallRateThresholdPct: positiveOr(config.slowCallRateThresholdPct, d.slowCallRateThresholdPct),
    slowCallDurationMs: config.slowCallDurationMs >= 0 ? config.slowCallDurationMs : d.slowCallDurationMs,
    waitInOpenMs: nonNegativeFiniteOr(config.waitInOpenMs, d.waitInOpenMs),
    permittedCallsInHalfOpen: atLeastOne(config.permittedCallsInHalfOpen, d.permittedCallsInHalfOpen),
    maxWaitInHalfOpenMs: nonNegativeFiniteOr(
      config.maxWaitInHalfOpenMs ?? DEFAULT_MAX_WAIT_IN_HALF_OPEN_MS,
      DEFAULT_MAX_WAIT_IN_HALF_OPEN_MS,
    ),
  };
}

function exceeded(stats: { failureRatePct: number; slowCallRatePct: number }, s: Settings) {
  if (stats.failureRatePct >= s.failureRateThresholdPct) return "failure_rate" as const;
  if (stats.slowCallRatePct >= s.slowCallRateThresholdPct) return "slow_call_rate" as const;
  return null;
}

function move(
  from: BreakerState,
  to: BreakerState,
  now: number,
  reason: BreakerTransitionReason,
  stats?: { calls: number; failureRatePct: number; slowCallRatePct: number },
): Required<BreakerStep> {
  const transition: BreakerTransition = { from: from.name, to: to.name, at: now, reason };
  if (stats) {
    transition.failureRatePct = stats.failureRatePct;
    transition.slowCallRatePct = stats.slowCallRatePct;
    transition.calls = stats.calls;
  }
  return { state: to, transition };
}

/** HALF_OPEN → OPEN when no verdict came within maxWaitInHalfOpenMs; null if not timed out. */
function halfOpenTimeout(state: BreakerState, now: number, config: BreakerConfig): Required<BreakerStep> | null {
  const s = settings(config);
  if (s.maxWaitInHalfOpenMs <= 0 || now < state.enteredAt + s.maxWaitInHalfOpenMs) return null;
  const trials = state.halfOpen ?? emptyTrials(s.permittedCallsInHalfOpen);
  return move(state, openState(now, s, trials), now, "half_open_timeout");
}

function closedState(now: number, window: SlidingWindow): BreakerState {
  return { name: "closed", enteredAt: now, window, openUntil: null, halfOpen: null, openedWith: null };
}

function openState(now: number, s: Settings, counts: OutcomeCounts): BreakerState {
  return {
    name: "open",
    enteredAt: now,
    // CLOSED starts over after HALF_OPEN, so the old outcomes need not be stored meanwhile.
    window: createWindow(s.windowType, s.windowSize),
    openUntil: now + s.waitInOpenMs,
    halfOpen: null,
    openedWith: { calls: counts.calls, failures: counts.failures, slowCalls: counts.slowCalls },
  };
}

function halfOpenState(now: number, s: Settings): BreakerState & { halfOpen: HalfOpenTrials } {
  return {
    name: "half_open",
    enteredAt: now,
    window: createWindow(s.windowType, s.windowSize),
    openUntil: null,
    halfOpen: emptyTrials(s.permittedCallsInHalfOpen),
    openedWith: null,
  };
}

function emptyTrials(permitted: number): HalfOpenTrials {
  return { permitted, started: 0, calls: 0, failures: 0, slowCalls: 0 };
}

function atLeastOne(value: number, fallback: number): number {
  return Number.isFinite(value) ? Math.max(1, Math.floor(value)) : fallback;
}

function positiveOr(value: number, fallback: number): number {
  return value > 0 ? value : fallback;
}

function nonNegativeFiniteOr(value: number, fallback: number): number {
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}
