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

export interface AcquireRequest extends Omit<AdmissionRequest, "candidates"> {
  regionId: string;
  candidates: Array<{ id: string; weight: number; minConcurrency: number; maxConcurrency: number }>;
  leaseTtlMs?: number;
}

export type AcquireResult =
  | { ok: true; lease: Lease; affinity: "none" | "used" | "pinned" | "fallback" }
  | { ok: false; reason: "saturated" | "session_backend_unavailable"; backendId?: string; retryAfterMs: number };

/** How a leased call went, for the backend's adaptive concurrency limit. */
export interface ReleaseSample {
  latencyMs: number;
  /** dropped = overloaded, timed out or unreachable; ignore = the outcome says nothing about load. */
  outcome: "success" | "dropped" | "ignore";
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
    recommendation: ScalingRecommendation;
  }>;
}
