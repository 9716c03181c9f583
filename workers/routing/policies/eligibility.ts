// Who may be chosen, and who is less loaded. Every policy goes through these two rules so none of
// them can hand out a saturated or zero-weight member.

import type { PoolMember } from "../types";

/** Below its limit. Written so that NaN in either number means "no room", the safe answer. */
export function hasRoom(member: PoolMember): boolean {
  return member.inFlight < member.limit;
}

/** May take this request: has room and a positive, finite weight (weight 0 drains a member). */
export function isEligible(member: PoolMember): boolean {
  return member.weight > 0 && Number.isFinite(member.weight) && hasRoom(member);
}

/**
 * Sign of load(a) - load(b), where load = (inFlight + 1) / weight: the load a member would carry if
 * it took this request, relative to its share. Cross-multiplied so equal loads compare as exactly
 * equal for integer counts (3/3 vs 1/1), which the random tie-breaks rely on.
 */
export function compareLoad(a: PoolMember, b: PoolMember): number {
  return Math.sign((a.inFlight + 1) * b.weight - (b.inFlight + 1) * a.weight);
}
