import { decideAffinity, recordAffinity, type AffinityEntry } from "./affinity";
import { pickMember, type PolicyState } from "./policies";
import type { LbPolicy, PoolMember, Random, SessionFailover } from "./types";

/**
 * The decision a region's pool makes for one request: which backend gets a concurrency slot, given
 * the load-balancing policy, live in-flight counts and limits, and the session's affinity. Pure:
 * the pool Durable Object supplies the state and stores what comes back.
 */

/** A backend the caller considers able to run the request (enabled, healthy, serves the runtime). */
export interface CandidateBackend {
  id: string;
  weight: number;
}

export interface AdmissionRequest {
  policy: LbPolicy;
  candidates: CandidateBackend[];
  /** Every backend id that exists in the region, healthy or not (a deleted backend frees its sessions). */
  existingBackendIds: string[];
  /** Key for consistent hashing (e.g. the program's cache key), so equal programs meet warm caches. */
  hashKey?: string;
  session?: { id: string; mode: SessionFailover; ttlMs: number };
  /** Backends this request already failed on (retries prefer a different one). */
  avoid?: string[];
}

export type AdmissionOutcome =
  | { ok: true; backendId: string; affinity: "none" | "used" | "pinned" | "fallback" }
  | { ok: false; reason: "saturated" | "session_backend_unavailable"; backendId?: string };

export interface AdmissionState {
  now: number;
  random: Random;
  policyState: PolicyState;
  /** Live leases held on a backend. */
  inFlight: (backendId: string) => number;
  /** Its effective (adaptive) concurrency limit. */
  limit: (backendId: string) => number;
  affinity: AffinityEntry | undefined;
}

export interface AdmissionDecision {
  outcome: AdmissionOutcome;
  policyState: PolicyState;
  /** The session's entry after this request; undefined when there is no session or it is unchanged. */
  affinity?: AffinityEntry;
}

export function admit(request: AdmissionRequest, state: AdmissionState): AdmissionDecision {
  const avoid = new Set(request.avoid ?? []);
  // Sorted by id: round-robin's cursor indexes this list, so it must not depend on caller order.
  const members: PoolMember[] = [...request.candidates]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .filter((candidate) => !avoid.has(candidate.id))
    .map((candidate) => ({
      id: candidate.id,
      weight: candidate.weight,
      limit: state.limit(candidate.id),
      inFlight: state.inFlight(candidate.id),
    }));
  const byId = new Map(members.map((member) => [member.id, member]));
  const hasRoom = (id: string) => {
    const member = byId.get(id);
    return member !== undefined && member.inFlight < member.limit;
  };

  const pick = (pool: PoolMember[]) =>
    pickMember(request.policy, pool, state.policyState, { key: request.hashKey, random: state.random });

  const session = request.session;
  if (!session) {
    const picked = pick(members);
    if (!picked) return { outcome: { ok: false, reason: "saturated" }, policyState: state.policyState };
    return { outcome: { ok: true, backendId: picked.memberId, affinity: "none" }, policyState: picked.state };
  }

  const existing = new Set(request.existingBackendIds);
  const decision = decideAffinity({
    entry: state.affinity,
    now: state.now,
    mode: session.mode,
    isAvailable: hasRoom,
    exists: (id) => existing.has(id),
  });
  if (decision.kind === "reject") {
    return {
      outcome: { ok: false, reason: "session_backend_unavailable", backendId: decision.backendId },
      policyState: state.policyState,
    };
  }
  let backendId: string;
  let policyState = state.policyState;
  if (decision.kind === "use") {
    backendId = decision.backendId;
  } else {
    const pool = decision.kind === "fallback" ? members.filter((member) => member.id !== decision.avoid) : members;
    const picked = pick(pool);
    if (!picked) return { outcome: { ok: false, reason: "saturated" }, policyState };
    backendId = picked.memberId;
    policyState = picked.state;
  }
  const affinity = recordAffinity({
    entry: state.affinity,
    decision,
    chosenBackendId: backendId,
    mode: session.mode,
    now: state.now,
    ttlMs: session.ttlMs,
  });
  const label = decision.kind === "use" ? "used" : decision.kind === "fallback" ? "fallback" : "pinned";
  return { outcome: { ok: true, backendId, affinity: label }, policyState, affinity };
}
