// Power of two choices. When load numbers are stale (several isolates choosing from the same
// snapshot), least connections sends everyone to the same "emptiest" member at once; sampling two
// members and taking the less loaded one keeps most of the benefit without the herd.

import type { PoolMember, Random } from "../types";
import { compareLoad, isEligible } from "./eligibility";
import { weightedIndex } from "./weighted-sample";

const weightOf = (member: PoolMember) => member.weight;

/**
 * Draws two distinct eligible members, each weighted by weight (the second from those left), and
 * returns the one with lower (inFlight + 1) / weight, the first drawn on a tie. A lone eligible
 * member is returned as is. Uses two draws from random.
 */
export function pickPowerOfTwo(members: PoolMember[], random: Random): string | undefined {
  const eligible = members.filter(isEligible);
  if (eligible.length <= 1) return eligible[0]?.id;
  const firstIndex = weightedIndex(eligible.map(weightOf), random);
  const first = eligible[firstIndex];
  const rest = eligible.filter((_, index) => index !== firstIndex);
  const second = rest[weightedIndex(rest.map(weightOf), random)];
  return compareLoad(second, first) < 0 ? second.id : first.id;
}
