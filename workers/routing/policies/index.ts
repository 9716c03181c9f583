// One entry point for a pool: pick a member by the region's policy. Pure: the caller loads the
// policy state (e.g. from its Durable Object), calls pickMember, and stores the state it gets back.

import type { LbPolicy, PoolMember, Random } from "../types";
import { buildHashRing, pickConsistentHash, roomCheckFor } from "./consistent-hash";
import { pickLeastConnections } from "./least-connections";
import { pickRandom } from "./random";
import { pickRoundRobin } from "./round-robin";
import { pickSmoothWeighted } from "./smooth-weighted";

export { compareLoad, hasRoom, isEligible } from "./eligibility";
export {
  buildHashRing,
  DEFAULT_VIRTUAL_NODES_PER_UNIT_WEIGHT,
  MAX_RING_POINTS,
  pickConsistentHash,
  RING_CACHE_ENTRIES,
  roomCheckFor,
  type HashRing,
} from "./consistent-hash";
export { pickLeastConnections } from "./least-connections";
export { pickPowerOfTwo } from "./power-of-two";
export { pickRandom } from "./random";
export { pickRoundRobin, type RoundRobinPick } from "./round-robin";
export { pickSmoothWeighted, type SmoothWeightedPick } from "./smooth-weighted";

/** What the stateful policies carry between picks: round robin's cursor, smooth weighted's weights. */
export type PolicyState = { cursor: number; currentWeights: Record<string, number> };

export function initialPolicyState(): PolicyState {
  return { cursor: 0, currentWeights: {} };
}

export interface PickOptions {
  /** Affinity key for consistent_hash (e.g. a session id); ignored by the other policies. */
  key?: string;
  random: Random;
}

export interface PolicyPick {
  memberId: string;
  /** The state to store; the same object as the input when the policy keeps none. */
  state: PolicyState;
}

/**
 * The member this request should go to, or undefined when no member has room (and a positive
 * weight). consistent_hash without a key (undefined or "") falls back to least connections, as does
 * an unknown policy read from storage.
 */
export function pickMember(
  policy: LbPolicy,
  members: PoolMember[],
  state: PolicyState,
  options: PickOptions,
): PolicyPick | undefined {
  switch (policy) {
    case "round_robin": {
      const pick = pickRoundRobin(members, state.cursor);
      return pick && { memberId: pick.memberId, state: { ...state, cursor: pick.cursor } };
    }
    case "weighted_round_robin": {
      const pick = pickSmoothWeighted(members, state.currentWeights);
      return pick && { memberId: pick.memberId, state: { ...state, currentWeights: pick.currentWeights } };
    }
    case "random":
      return unchanged(pickRandom(members, options.random), state);
    case "consistent_hash":
      if (options.key !== undefined && options.key !== "") {
        const ring = buildHashRing(members);
        return unchanged(pickConsistentHash(ring, options.key, roomCheckFor(members)), state);
      }
      return unchanged(pickLeastConnections(members, options.random), state);
    case "least_connections":
    default:
      return unchanged(pickLeastConnections(members, options.random), state);
  }
}

function unchanged(memberId: string | undefined, state: PolicyState): PolicyPick | undefined {
  return memberId === undefined ? undefined : { memberId, state };
}
