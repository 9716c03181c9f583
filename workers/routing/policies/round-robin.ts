// Plain round robin: each eligible member in turn, weights ignored (beyond weight 0 draining one).

import type { PoolMember } from "../types";
import { isEligible } from "./eligibility";

export interface RoundRobinPick {
  memberId: string;
  /** Index into members to start from next time (already reduced modulo members.length). */
  cursor: number;
}

/**
 * Starting at members[cursor], the first eligible member; the cursor moves past it. Members are
 * indexed in the caller's order, so callers should pass them in a stable order (e.g. by id). Any
 * cursor is accepted: negative, fractional or huge values wrap, non-finite ones start from 0.
 */
export function pickRoundRobin(members: PoolMember[], cursor: number): RoundRobinPick | undefined {
  const count = members.length;
  if (count === 0) return undefined;
  const start = Number.isFinite(cursor) ? ((Math.floor(cursor) % count) + count) % count : 0;
  for (let step = 0; step < count; step++) {
    const index = (start + step) % count;
    if (isEligible(members[index])) return { memberId: members[index].id, cursor: (index + 1) % count };
  }
  return undefined;
}
