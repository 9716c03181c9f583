import type { Lease } from "../routing/lease-book";
import type { AdmissionRequest } from "../routing/pool-admission";
import type { ScalingConfig, ScalingRecommendation } from "../routing/scaling";

// What the Worker and a region's pool Durable Object say to each other, and the pool's timing
// constants (docs/routing.md).

/** A lease outlives any execution it covers (the longest wall budget is 20 s, plus transfer). */
export const LEASE_TTL_MS = 60_000;
/** How long a client is told to wait when a region's pool has no free slot. */
export const SATURATED_RETRY_AFTER_MS = 1_000;
/** Health probes of remote backends and scaling advice run this often while a pool is in use. */
export const MAINTENANCE_INTERVAL_MS = 10_000;
/** Utilisation is sampled at most this often per backend (bounds the work per acquire). */
export const SAMPLE_INTERVAL_MS = 1_000;
/** Sessions a pool remembers; beyond it the soonest-expiring are forgotten. */
export const AFFINITY_MAX_ENTRIES = 50_000;
/** Scale-out/in advice looks at the last five minutes; a short spike does not count as sustained. */
export const SCALING_CONFIG: ScalingConfig = {
  windowMs: 5 * 60_000,
  highWaterRatio: 0.8,
  lowWaterRatio: 0.2,
  minSamples: 10,
};
export const SCALING_MAX_SAMPLES = 600;

/** Interactive requests keep this share of every backend's slots: batch work is shed first. */
export const INTERACTIVE_RESERVE_RATIO = 0.2;

export type RequestPriority = "interactive" | "batch";

export interface AcquireCandidate {
  id: string;
  weight: number;
  minConcurrency: number;
  maxConcurrency: number;
  kind: "builtin" | "piston";
  url: string | null;
}

export interface AcquireRequest extends Omit<AdmissionRequest, "candidates"> {
  regionId: string;
  locationHint: string | null;
  candidates: AcquireCandidate[];
  leaseTtlMs?: number;
  /** A retry of an attempt that failed in this region: admitted only within the retry budget. */
  isRetry?: boolean;
  /**
   * The request has nowhere else to go: below the panic threshold the pool may balance across
   * unhealthy members (Envoy's panic mode). Otherwise a pool without a healthy member refuses with
   * "unavailable", so the request moves on to the next region.
   */
  allowPanic?: boolean;
  priority?: RequestPriority;
}

export type AcquireRefusal =
  /** Every usable candidate is at its limit. */
  | "saturated"
  /** Batch work shed: interactive requests would still be admitted. */
  | "shed"
  /** No candidate is usable: breakers open, ejected, or failing probes. */
  | "unavailable"
  /** The session's backend is unavailable and the region's failover mode is `none`. */
  | "session_backend_unavailable"
  /** Retries already take their share of the region's requests. */
  | "retry_budget";

export type AcquireResult =
  | { ok: true; lease: Lease; affinity: "none" | "used" | "pinned" | "fallback"; panic: boolean }
  | { ok: false; reason: AcquireRefusal; backendId?: string; retryAfterMs: number };

/**
 * How a leased call went. success / failure (the backend's fault: unreachable, timeout, 5xx,
 * garbage) feed the breaker, outlier ejection, passive health and the adaptive limit; overloaded
 * (429) only shrinks the adaptive limit; ignore (the client's fault, e.g. a 4xx) changes nothing.
 */
export interface ReleaseSample {
  latencyMs: number;
  outcome: "success" | "failure" | "overloaded" | "ignore";
}

export interface PoolSnapshot {
  regionId: string | null;
  at: number;
  leases: number;
  sessions: number;
  backends: Array<{
    id: string;
    inFlight: number;
    limit: number;
    minLimit: number;
    maxLimit: number;
    /** The breaker state the pool enforces; null until the backend's breaker has reported. */
    breaker: string | null;
    /** Set while the backend is ejected as an outlier. */
    ejectedUntil: number | null;
    recommendation: ScalingRecommendation;
  }>;
}
