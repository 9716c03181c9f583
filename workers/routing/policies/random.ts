// Weighted random: stateless and herd-free, for when nothing better is known about the members.

import type { PoolMember, Random } from "../types";
import { isEligible } from "./eligibility";
import { weightedIndex } from "./weighted-sample";

/** An eligible member with probability weight / Σ eligible weights. One draw from random. */
export function pickRandom(members: PoolMember[], random: Random): string | undefined {
  const eligible = members.filter(isEligible);
  const index = weightedIndex(eligible.map((member) => member.weight), random);
  return eligible[index]?.id;
}
