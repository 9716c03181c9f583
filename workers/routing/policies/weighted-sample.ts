// One weighted draw: index i with probability weights[i] / Σ weights.

import type { Random } from "../types";

/** Weights must be positive; returns -1 only for an empty list. */
export function weightedIndex(weights: readonly number[], random: Random): number {
  if (weights.length === 0) return -1;
  let total = 0;
  for (const weight of weights) total += weight;
  let remaining = random() * total;
  for (let i = 0; i < weights.length; i++) {
    remaining -= weights[i];
    if (remaining < 0) return i;
  }
  // Only reached through float rounding (or a Random returning 1): the draw belongs to the last slot.
  return weights.length - 1;
}
