// Consistent hashing: a key (e.g. a session id) maps to the same member as long as the member set
// does, and adding or removing a member only moves the keys on that member's arcs (about 1/n of
// them). Each member is placed on a 32-bit circle as many virtual nodes, in proportion to its
// weight, so shares follow weights and the arcs are small enough to spread evenly.

import { hash32 } from "../hash";
import { hasRoom as memberHasRoom } from "./eligibility";
import type { PoolMember } from "../types";

/** Roughly ±10 % spread in members' shares at weight 1 (it shrinks as 1/√(virtual nodes)). */
export const DEFAULT_VIRTUAL_NODES_PER_UNIT_WEIGHT = 100;
/**
 * Above this many points in total every member's count is scaled down to fit, to bound memory and
 * build time. A ring at the cap no longer guarantees that unchanged members keep their keys when the
 * member set changes, since the scale depends on the set.
 */
export const MAX_RING_POINTS = 100_000;
/** Rings kept per isolate; pools rebuild their ring per request, but their member sets rarely change. */
export const RING_CACHE_ENTRIES = 16;

export interface HashRing {
  /** Positions on the circle [0, 2^32), ascending. */
  readonly points: readonly number[];
  /** owners[i] is the member id at points[i]. */
  readonly owners: readonly string[];
  /** Distinct member ids on the ring (weight > 0), sorted; lets a walk stop once all were tried. */
  readonly memberIds: readonly string[];
}

const ringCache = new Map<string, HashRing>();

/**
 * The ring for these members, each with max(1, round(weight × virtualNodesPerUnitWeight)) points.
 * Members with weight <= 0 (or non-finite) are left out; for a repeated id the first entry counts.
 * Independent of input order. Memoised by member set, so the returned ring is shared and frozen.
 */
export function buildHashRing(
  members: ReadonlyArray<{ id: string; weight: number }>,
  virtualNodesPerUnitWeight: number = DEFAULT_VIRTUAL_NODES_PER_UNIT_WEIGHT,
): HashRing {
  if (!(virtualNodesPerUnitWeight > 0 && Number.isFinite(virtualNodesPerUnitWeight))) {
    throw new RangeError(`virtualNodesPerUnitWeight must be a positive number, got ${virtualNodesPerUnitWeight}`);
  }
  const weights = new Map<string, number>();
  for (const { id, weight } of members) {
    if (!weights.has(id) && weight > 0 && Number.isFinite(weight)) weights.set(id, weight);
  }
  const memberIds = [...weights.keys()].sort();
  // JSON keeps ids containing separators unambiguous.
  const signature = JSON.stringify([virtualNodesPerUnitWeight, ...memberIds.map((id) => [id, weights.get(id)])]);
  const cached = ringCache.get(signature);
  if (cached !== undefined) {
    // Re-insert so the Map's insertion order doubles as least-recently-used order.
    ringCache.delete(signature);
    ringCache.set(signature, cached);
    return cached;
  }
  const ring = createRing(memberIds, weights, virtualNodesPerUnitWeight);
  if (ringCache.size >= RING_CACHE_ENTRIES) ringCache.delete(ringCache.keys().next().value!);
  ringCache.set(signature, ring);
  return ring;
}

function createRing(memberIds: string[], weights: Map<string, number>, perUnitWeight: number): HashRing {
  let wanted = 0;
  for (const id of memberIds) wanted += Math.max(1, Math.round(weights.get(id)! * perUnitWeight));
  const scale = Math.min(1, MAX_RING_POINTS / wanted);
  const nodes: Array<{ point: number; owner: string }> = [];
  for (const id of memberIds) {
    const count = Math.max(1, Math.round(weights.get(id)! * perUnitWeight * scale));
    // "#" before a plain integer cannot be confused across ids: the text after the last "#" is the
    // index, everything before it the id.
    for (let i = 0; i < count; i++) nodes.push({ point: hash32(`${id}#${i}`), owner: id });
  }
  // Owner breaks point collisions so the ring does not depend on iteration order.
  nodes.sort((a, b) => a.point - b.point || (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
  return Object.freeze({
    points: Object.freeze(nodes.map((node) => node.point)),
    owners: Object.freeze(nodes.map((node) => node.owner)),
    memberIds: Object.freeze(memberIds),
  });
}

/** Index of the first point >= hash, or points.length when hash is past the last point. */
function firstPointAtOrAfter(points: readonly number[], hash: number): number {
  let low = 0;
  let high = points.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (points[mid] < hash) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The member owning the key's position, or, if it has no room, the next member clockwise that does
 * (so a saturated member's keys spread over its neighbours instead of all landing on one). hasRoom is
 * asked at most once per member. Undefined for an empty ring or when nobody has room.
 */
export function pickConsistentHash(ring: HashRing, key: string, hasRoom: (id: string) => boolean): string | undefined {
  const count = ring.points.length;
  if (count === 0) return undefined;
  const start = firstPointAtOrAfter(ring.points, hash32(key)) % count;
  const refused = new Set<string>();
  for (let step = 0; step < count && refused.size < ring.memberIds.length; step++) {
    const owner = ring.owners[(start + step) % count];
    if (refused.has(owner)) continue;
    if (hasRoom(owner)) return owner;
    refused.add(owner);
  }
  return undefined;
}

/** hasRoom for pickConsistentHash from live pool members: unknown ids have no room. */
export function roomCheckFor(members: readonly PoolMember[]): (id: string) => boolean {
  const byId = new Map<string, PoolMember>();
  for (const member of members) if (!byId.has(member.id)) byId.set(member.id, member);
  return (id) => {
    const member = byId.get(id);
    return member !== undefined && memberHasRoom(member);
  };
}
