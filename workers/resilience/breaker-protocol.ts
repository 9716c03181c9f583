import { DEFAULT_BREAKER_CONFIG, type BreakerConfig, type BreakerSummary, type BreakerTransition } from "./breaker";
import { DEFAULT_EJECTION_CONFIG, type EjectionConfig } from "./outlier-ejection";
import { DEFAULT_PROBE_CONFIG, type ProbeConfig, type ProbeState } from "./probe-state";
import type { BackendHealthView } from "./health-view";

// What the Worker, a region's pool and a backend's BackendBreaker Durable Object say to each other
// (docs/resilience.md), and the service's resilience settings in one place.

export const BREAKER_CONFIG: Readonly<BreakerConfig> = DEFAULT_BREAKER_CONFIG;
/** Probes every 5 s: a recovered backend is back after two passing probes, ~10 s. */
export const PROBE_CONFIG: Readonly<ProbeConfig> = Object.freeze({ ...DEFAULT_PROBE_CONFIG, intervalMs: 5_000 });
/** Ejections start at 10 s: with retries masking the failures, a shorter first ejection recovers sooner. */
export const EJECTION_CONFIG: Readonly<EjectionConfig> = Object.freeze({ ...DEFAULT_EJECTION_CONFIG, baseEjectionMs: 10_000 });
/** A pool reports outcomes to a backend's breaker when it has this many, or the oldest is this old. */
export const OUTCOME_BATCH_SIZE = 20;
export const OUTCOME_BATCH_MAX_AGE_MS = 1_000;
/** Transitions a breaker keeps for the health view and the admin API. */
export const MAX_HEALTH_EVENTS = 50;

/** Where a backend is and how to probe it; the pool and admin writes tell its breaker. */
export interface BreakerTarget {
  backendId: string;
  regionId: string;
  locationHint: string | null;
  kind: "builtin" | "piston";
  url: string | null;
}

/** One finished call, as the pool reports it. */
export interface ReportedOutcome {
  success: boolean;
  durationMs: number;
  startedAt: number;
  /** The failure indicts the backend (no connection, timeout, 5xx, garbage), not the client. */
  backendFault: boolean;
}

export interface HealthEvent {
  at: number;
  kind: "breaker" | "probe";
  from: string;
  to: string;
  reason: string;
}

/** The full picture for GET /v1/health and the admin API. */
export interface BackendHealthDetails {
  view: BackendHealthView;
  breaker: BreakerSummary;
  probe: ProbeState;
  events: HealthEvent[];
}

export function breakerEvent(transition: BreakerTransition): HealthEvent {
  return { at: transition.at, kind: "breaker", from: transition.from, to: transition.to, reason: transition.reason };
}
