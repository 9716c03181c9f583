// Least connections, weight-aware: the member whose load would be lowest after taking this request.
// Exact when inFlight is fresh (the pool's own lease counts); see power-of-two.ts when it is not.

import type { PoolMember, Random } from "../types";
import { compareLoad, isEligible } from "./eligibility";

/** Minimises (inFlight + 1) / weight over eligible members; ties broken uniformly at random. */
export function pickLeastConnections(members: PoolMember[], random: Random): string | undefined {
  let best: PoolMember | undefined;
  let tied = 0;
  for (const member of members) {
    if (!isEligible(member)) continue;
    const order = best === undefined ? -1 : compareLoad(member, best);
    if (order < 0) {
      best = member;
      tied = 1;
    } else if (order === 0) {
      // Reservoir sampling: the k-th tied member replaces the choice with probability 1/k.
      tied++;
      if (random() * tied < 1) best = member;
    }
  }
  return best?.id;
}
