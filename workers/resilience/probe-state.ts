// Health of one backend from active probes, with the thresholds of Envoy's health checker and
// HAProxy's `rise`/`fall`: a backend changes state only after several consecutive results agree,
// so one lost probe does not eject a good backend and one lucky probe does not readmit a bad one.
//
// Passive health (the outcomes of real requests) feeds the same state, as Envoy's outlier detection
// complements its health checker:
// - a passive failure counts toward unhealthyThreshold exactly like a failed probe: real traffic
//   usually notices a dead backend before the next probe (up to intervalMs later) does;
// - a passive success never makes a backend healthy: an unhealthy backend gets little or no
//   traffic, so its few successes are a biased sample (a request that happened to work, or one that
//   was in flight before it failed). Recovery is the probes' job, under healthyThreshold. A passive
//   success does break a run of failures on a backend that is not unhealthy, since the failures were
//   then not consecutive.
// outlier-ejection.ts is the other passive mechanism (time-limited ejection after 5 failures in a
// row). Both may see the same outcomes; then 3 failures mark a backend unhealthy here until probes
// readmit it, before the ejector acts, so an integration should choose which one gates routing.
//
// "unknown" (no probe yet) counts as usable. A backend is new or this state was lost (isolate or
// Durable Object restart); refusing it until healthyThreshold probes pass would take a freshly
// added backend, or a whole region after a restart, out of service for ~20 s for no evidence. The
// first probe decides outright (success → healthy, failure → unhealthy), and passive failures
// demote it meanwhile, so the optimism costs at most a few requests.

export type ProbeStatus = "unknown" | "healthy" | "unhealthy";

export interface ProbeConfig {
  /** Time between probes of one backend. */
  intervalMs: number;
  /** A probe slower than this failed, even if it answered. */
  timeoutMs: number;
  /** Consecutive probe successes that make an unhealthy backend healthy (HAProxy `rise`). */
  healthyThreshold: number;
  /** Consecutive failures, probes or passive, that make a backend unhealthy (HAProxy `fall`). */
  unhealthyThreshold: number;
}

/** Envoy's and HAProxy's usual ballpark: a dead backend is out within ~30 s by probes alone. */
export const HEALTH_PROBE_INTERVAL_MS = 10_000;
/** Same as the admin check's PROBE_TIMEOUT_MS (workers/pools/backend-check.ts): a slower Piston is not usable. */
export const HEALTH_PROBE_TIMEOUT_MS = 5_000;
export const HEALTHY_THRESHOLD = 2;
export const UNHEALTHY_THRESHOLD = 3;

export const DEFAULT_PROBE_CONFIG: Readonly<ProbeConfig> = Object.freeze({
  intervalMs: HEALTH_PROBE_INTERVAL_MS,
  timeoutMs: HEALTH_PROBE_TIMEOUT_MS,
  healthyThreshold: HEALTHY_THRESHOLD,
  unhealthyThreshold: UNHEALTHY_THRESHOLD,
});

/** Plain, serialisable. Timestamps are ms since epoch; null until the first probe. */
export interface ProbeState {
  status: ProbeStatus;
  consecutiveSuccesses: number;
  /** Probe and passive failures together. */
  consecutiveFailures: number;
  lastProbeAt: number | null;
  lastLatencyMs: number | null;
  /** The last failed probe's error; cleared by a successful probe. Passive failures leave it alone. */
  lastError: string | null;
}

export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface ProbeTransition {
  state: ProbeState;
  /** Present only when the status changed: log it, persist it, tell the pool. */
  changed?: { from: ProbeStatus; to: ProbeStatus };
}

export function initialProbeState(): ProbeState {
  return {
    status: "unknown",
    consecutiveSuccesses: 0,
    consecutiveFailures: 0,
    lastProbeAt: null,
    lastLatencyMs: null,
    lastError: null,
  };
}

/** Routable: healthy, or not probed yet (see the file comment). The circuit breaker is separate. */
export function isUsable(state: ProbeState): boolean {
  return state.status !== "unhealthy";
}

/** Whether the backend should be probed at `now`: never probed, or intervalMs since the last probe. */
export function isProbeDue(state: ProbeState, now: number, config: ProbeConfig = DEFAULT_PROBE_CONFIG): boolean {
  return state.lastProbeAt === null || !(now - state.lastProbeAt < config.intervalMs);
}

/** Applies one active probe's result. A success slower than timeoutMs counts as a failure. */
export function recordProbe(
  state: ProbeState,
  result: ProbeResult,
  now: number,
  config: ProbeConfig = DEFAULT_PROBE_CONFIG,
): ProbeTransition {
  const slow = result.ok && result.latencyMs > config.timeoutMs;
  const ok = result.ok && !slow;
  const error = ok
    ? null
    : slow
      ? `probe took ${result.latencyMs} ms, over the ${config.timeoutMs} ms timeout`
      : (result.error ?? "probe failed");
  const probed: ProbeState = { ...state, lastProbeAt: now, lastLatencyMs: result.latencyMs, lastError: error };
  if (ok) {
    const successes = state.consecutiveSuccesses + 1;
    const next: ProbeState = { ...probed, consecutiveSuccesses: successes, consecutiveFailures: 0 };
    // From unknown the first probe decides; from unhealthy it takes healthyThreshold in a row.
    const becomesHealthy = state.status === "unknown" || successes >= threshold(config.healthyThreshold);
    return transition(state.status, becomesHealthy ? { ...next, status: "healthy" } : next);
  }
  return transition(state.status, fail(probed, config, state.status === "unknown"));
}

/**
 * Applies one real request's outcome. Pass ok = false only for failures that indict the backend
 * (no connection, timeout, 5xx, malformed answer), not for the client's errors (4xx) or programs
 * that fail. `now` is accepted for symmetry and future time-based rules; nothing stores it today.
 */
export function recordPassive(
  state: ProbeState,
  ok: boolean,
  _now: number,
  config: ProbeConfig = DEFAULT_PROBE_CONFIG,
): ProbeTransition {
  if (ok) {
    if (state.status === "unhealthy" || state.consecutiveFailures === 0) return { state };
    return { state: { ...state, consecutiveFailures: 0 } };
  }
  return transition(state.status, fail(state, config, false));
}

/** A failure: the success run ends; unhealthy once failures reach the threshold (or at once). */
function fail(state: ProbeState, config: ProbeConfig, immediately: boolean): ProbeState {
  const failures = state.consecutiveFailures + 1;
  const next: ProbeState = { ...state, consecutiveSuccesses: 0, consecutiveFailures: failures };
  return immediately || failures >= threshold(config.unhealthyThreshold) ? { ...next, status: "unhealthy" } : next;
}

function transition(from: ProbeStatus, state: ProbeState): ProbeTransition {
  return state.status === from ? { state } : { state, changed: { from, to: state.status } };
}

/** At least 1, whole: a threshold of 0 or NaN would otherwise flip on no evidence or never. */
function threshold(value: number): number {
  return Number.isFinite(value) ? Math.max(1, Math.floor(value)) : 1;
}
