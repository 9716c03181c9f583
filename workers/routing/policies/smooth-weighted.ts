// Smooth weighted round robin, nginx's algorithm (ngx_http_upstream_get_peer): every round each
// member's current weight grows by its weight, the largest is chosen and pays back the round's total.
// Over Σw rounds with integer weights each member is chosen exactly w times, interleaved rather than
// in bursts (5,1,1 gives a a b a c a a, not a a a a a b c).

import type { PoolMember } from "../types";
import { isEligible } from "./eligibility";

export interface SmoothWeightedPick {
  memberId: string;
  currentWeights: Record<string, number>;
}

/**
 * Only eligible members take part in a round; a saturated member keeps its current weight for when it
 * has room again. Entries for ids no longer among the members (or at weight 0) are dropped. Ties go
 * to the earlier member in the caller's order. The input record is not modified.
 */
export function pickSmoothWeighted(
  members: PoolMember[],
  currentWeights: Record<string, number>,
): SmoothWeightedPick | undefined {
  const next: Record<string, number> = {};
  let total = 0;
  let best: PoolMember | undefined;
  for (const member of members) {
    if (!(member.weight > 0 && Number.isFinite(member.weight))) continue;
    const previous = Object.hasOwn(currentWeights, member.id) ? currentWeights[member.id] : 0;
    // Garbage from storage restarts that member rather than poisoning every comparison.
    next[member.id] = Number.isFinite(previous) ? previous : 0;
    if (!isEligible(member)) continue;
    next[member.id] += member.weight;
    total += member.weight;
    if (best === undefined || next[member.id] > next[best.id]) best = member;
  }
  if (best === undefined) return undefined;
  next[best.id] -= total;
  return { memberId: best.id, currentWeights: next };
}
