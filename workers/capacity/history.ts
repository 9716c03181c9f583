import { and, desc, gte, lt } from "drizzle-orm";
import type { Database } from "../db/client";
import { capacityHours } from "../db/schema";
import { HOUR_MS, floorTo, foldHours, type TrafficSample } from "./series";

// The hourly traffic history capacity forecasting reads (capacity_hours). The metrics store keeps
// per-minute rollups for 48 hours; the cron folds every complete hour into one row here so the
// forecast can see two weeks.

/** Hours are kept this long (more than the 14 days the forecast reads). */
export const HISTORY_RETENTION_MS = 35 * 24 * HOUR_MS;
/** How far back the per-minute rollups reach (the metrics store's retention, 48 h), in whole hours. */
export const ROLLUP_REACH_HOURS = 47;
/** Hours folded per cron run at most, so catching up after a pause reads a bounded amount. */
export const MAX_HOURS_PER_RUN = 6;

export type ReadSamples = (range: { from: number; to: number }) => Promise<TrafficSample[]>;

export async function loadHistory(db: Database, range: { from: number; to: number }): Promise<TrafficSample[]> {
  const rows = await db
    .select()
    .from(capacityHours)
    .where(and(gte(capacityHours.hour, range.from), lt(capacityHours.hour, range.to)))
    .orderBy(capacityHours.hour);
  return rows.map((row) => ({ at: row.hour, requests: row.requests, latencyMsSum: row.latencyMsSum, regionRequests: row.regionRequests }));
}

/**
 * Folds the complete hours not recorded yet (at most MAX_HOURS_PER_RUN, oldest first, none older
 * than the rollups reach) into capacity_hours, and prunes old rows. Rewriting an hour is harmless
 * (upsert of the same totals). Returns the hours written.
 */
export async function recordHistory(db: Database, readSamples: ReadSamples, now: number): Promise<number[]> {
  const currentHour = floorTo(now, HOUR_MS);
  const latest = await db.select({ hour: capacityHours.hour }).from(capacityHours).orderBy(desc(capacityHours.hour)).limit(1);
  const oldest = currentHour - ROLLUP_REACH_HOURS * HOUR_MS;
  const start = Math.max(oldest, latest[0] ? latest[0].hour + HOUR_MS : oldest);
  const end = Math.min(currentHour, start + MAX_HOURS_PER_RUN * HOUR_MS);
  if (start >= end) return [];
  const hours = foldHours(await readSamples({ from: start, to: end }), { from: start, to: end });
  const writes = hours.map((hour) => {
    const values = { requests: hour.requests, latencyMsSum: hour.latencyMsSum, regionRequests: { ...hour.regionRequests }, recordedAt: now };
    return db
      .insert(capacityHours)
      .values({ hour: hour.at, ...values })
      .onConflictDoUpdate({ target: capacityHours.hour, set: values });
  });
  const [first, ...rest] = writes;
  if (first) await db.batch([first, ...rest]);
  await db.delete(capacityHours).where(lt(capacityHours.hour, now - HISTORY_RETENTION_MS));
  return hours.map((hour) => hour.at);
}

/**
 * What the forecast reads: the recorded hours, then the per-minute rollups for what is not
 * recorded yet (normally the last hour or two; after a pause of the cron, up to the rollups'
 * reach). Periods never overlap. Reading rollups is the heavier part (each minute carries a
 * latency sketch), so the recorded history is used wherever it exists.
 */
export async function gatherSamples(db: Database, readSamples: ReadSamples, range: { from: number; now: number }): Promise<TrafficSample[]> {
  const currentHour = floorTo(range.now, HOUR_MS);
  const latest = await db
    .select({ hour: capacityHours.hour })
    .from(capacityHours)
    .where(lt(capacityHours.hour, currentHour))
    .orderBy(desc(capacityHours.hour))
    .limit(1);
  const reach = currentHour - ROLLUP_REACH_HOURS * HOUR_MS;
  const rollupsFrom = Math.max(range.from, reach, latest[0] ? latest[0].hour + HOUR_MS : reach);
  const [history, recent] = await Promise.all([
    range.from < rollupsFrom ? loadHistory(db, { from: range.from, to: rollupsFrom }) : Promise.resolve([]),
    readSamples({ from: rollupsFrom, to: range.now }),
  ]);
  return [...history, ...recent];
}
