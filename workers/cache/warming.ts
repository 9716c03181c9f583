// Warming policy: which programs are hot, and what the cron does for each. Pure.
import { HOT_WINDOW_MS, windowStart } from "./stats";

/**
 * The cron refreshes an L2 copy (or re-executes an entry) that would lapse within this horizon,
 * so with any schedule up to every 15 minutes the hottest programs never drop out between runs.
 */
export const WARM_HORIZON_MS = 15 * 60 * 1000;

export interface HitCountRow {
  namespace: string;
  programKey: string;
  windowStart: number;
  windowHits: number;
  previousHits: number;
}

/** Requests in the last one-to-two windows: the current window's and the whole previous one's. */
export function hotness(row: HitCountRow, now: number): number {
  const current = windowStart(now);
  if (row.windowStart >= current) return row.windowHits + row.previousHits;
  if (row.windowStart === current - HOT_WINDOW_MS) return row.windowHits;
  return 0;
}

/** The `n` hottest programs, hottest first (ties by key, so the choice is stable); cold ones never. */
export function rankHottest(rows: readonly HitCountRow[], now: number, n: number): HitCountRow[] {
  return rows
    .map((row) => ({ row, score: hotness(row, now) }))
    .filter(({ score }) => score > 0)
    .sort((a, b) => b.score - a.score || (a.row.namespace + a.row.programKey < b.row.namespace + b.row.programKey ? -1 : 1))
    .slice(0, n)
    .map(({ row }) => row);
}

export type WarmingAction =
  /** The current entry is in L3 and KV holds it long enough. */
  | { kind: "keep" }
  /** The current entry is in L3 but KV lacks it or drops it soon: put it again from L3. */
  | { kind: "refresh-l2" }
  /** Invalidated (its key changed) or expiring: run the stored request again. */
  | { kind: "reexecute"; why: "invalidated" | "expiring" }
  | { kind: "skip"; why: "not-in-l3" | "no-request" | "runtime-gone" };

export interface WarmingFacts {
  /** The newest L3 entry of the program, if any. */
  entry: { lookupKey: string; expiresAt: number } | null;
  /** The lookup key the program has now (current generations); null when it cannot be computed. */
  currentLookupKey: string | null;
  /** When KV drops its copy of the current key (ms), or null when it has none. */
  l2Until: number | null;
  /** The runtime the entry was made with still exists. */
  runtimeAvailable: boolean;
  now: number;
}

export function planWarming(facts: WarmingFacts): WarmingAction {
  const { entry, currentLookupKey, now } = facts;
  if (!entry) return { kind: "skip", why: "not-in-l3" };
  if (currentLookupKey === null) return { kind: "skip", why: "no-request" };
  const invalidated = entry.lookupKey !== currentLookupKey;
  const expiring = entry.expiresAt < now + WARM_HORIZON_MS;
  if (invalidated || expiring) {
    if (!facts.runtimeAvailable) return { kind: "skip", why: "runtime-gone" };
    return { kind: "reexecute", why: invalidated ? "invalidated" : "expiring" };
  }
  if (facts.l2Until === null || facts.l2Until < now + WARM_HORIZON_MS) return { kind: "refresh-l2" };
  return { kind: "keep" };
}
