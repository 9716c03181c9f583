import { openDatabase } from "../db/client";
import { loadTopology } from "../db/topology";
import { DEFAULT_REGION_ID, effectiveTopology, type Topology } from "../routing/effective-topology";

// Isolate-memory copy of the effective topology, so routing never reads D1 per request.

/**
 * How long an isolate trusts the topology it read. This is the propagation bound of admin changes:
 * a region or backend written at time T is used by every isolate from T + 5 s at the latest (the
 * isolate that handled the write, at once), without a deploy. One two-statement D1 batch per
 * isolate every 5 s at most.
 */
export const TOPOLOGY_REFRESH_MS = 5_000;

export type EffectiveTopology = Topology;

interface Slot {
  /** The last topology read; kept after it goes stale as the fallback for a D1 failure. */
  topology: EffectiveTopology | null;
  loadedAt: number;
  /** Bumped by forgetTopology: a load that started before a forget must not be stored. */
  generation: number;
}

// Keyed by the D1 binding the topology is read from, so every env object over the same database
// (e.g. a request's bindings with overridden vars) shares one copy and one `forgetTopology`.
const slots = new WeakMap<D1Database, Slot>();

function slotFor(db: D1Database): Slot {
  let slot = slots.get(db);
  if (!slot) {
    slot = { topology: null, loadedAt: Number.NEGATIVE_INFINITY, generation: 0 };
    slots.set(db, slot);
  }
  return slot;
}

/**
 * The effective topology (workers/routing/effective-topology.ts), at most TOPOLOGY_REFRESH_MS old.
 *
 * Concurrency: there is deliberately no single-flight. A promise created by one request and awaited
 * by another can hang in workerd, so every request that finds the copy stale loads it itself; that
 * costs at most one extra small batch per concurrent request in the instant the copy expires.
 *
 * If D1 fails and there is a copy (however old), that copy is returned: routing keeps working on the
 * last known topology through a D1 outage. With nothing cached, the built-in-only default topology
 * is returned (not kept): JavaScript and TypeScript keep running while D1 is down.
 */
export async function topologyFor(env: { DB: D1Database }, now: number): Promise<EffectiveTopology> {
  const slot = slotFor(env.DB);
  if (slot.topology && now - slot.loadedAt < TOPOLOGY_REFRESH_MS) return slot.topology;
  const generation = slot.generation;
  let topology: EffectiveTopology;
  try {
    const stored = await loadTopology(openDatabase(env.DB));
    topology = effectiveTopology(stored, { defaultRegionId: DEFAULT_REGION_ID });
  } catch {
    return slot.topology ?? effectiveTopology({ regions: [], backends: [] }, { defaultRegionId: DEFAULT_REGION_ID });
  }
  // A load that started before a forget may predate the write that caused it: use it for this
  // request, but do not keep it. Between concurrent loads, the one that started last is kept.
  if (slot.generation === generation && now >= slot.loadedAt) {
    slot.topology = topology;
    slot.loadedAt = now;
  }
  return topology;
}

/**
 * Makes this isolate's copy stale, so the next `topologyFor` reads D1 (the admin API calls this
 * after every write, so the isolate that made a change uses it at once). The copy is kept only as
 * the fallback for a failing D1.
 */
export function forgetTopology(env: { DB: D1Database }): void {
  const slot = slots.get(env.DB);
  if (!slot) return;
  slot.generation += 1;
  slot.loadedAt = Number.NEGATIVE_INFINITY;
}
