import { DurableObject } from "cloudflare:workers";
import { createLogger } from "../workers/observability/logger";
import {
  MINUTE_MS,
  denseRollups,
  emptyMinute,
  emptyTotals,
  mergeAggregate,
  minuteOf,
  type MinuteAggregate,
  type MinuteRollup,
  type TotalsAggregate,
} from "../workers/metrics/rollup";
import { PERSIST_INTERVAL_MS, RETENTION_MS, FUTURE_SKEW_MS } from "../workers/metrics/store-config";

const log = createLogger({ component: "metrics-rollup" });
const TOTALS_KEY = "totals";

/**
 * The single rollup store (docs/metrics.md), addressed by the name "global". Isolates flush their
 * partial per-minute aggregates here (every ~10 s or 500 requests each); this object merges them
 * per minute in memory and persists minutes in batches, from an alarm at most every
 * PERSIST_INTERVAL_MS — never a write per request, nor per flush.
 *
 * Storage is the object's own SQLite (not D1): it is the only writer and the only reader, a
 * minute's read-modify-write is a local synchronous statement, and range queries need no network
 * hop. Two tables: `minutes` (one row per minute, the aggregate as JSON; 48 hours kept) and `meta`
 * (the cumulative totals Prometheus counters read).
 *
 * In memory: every minute that received data since it was last persisted (authoritative: a late
 * partial for a persisted minute first loads the stored row, then merges), and the totals. An
 * eviction loses at most the partials of the last PERSIST_INTERVAL_MS.
 */
export class MetricsRollup extends DurableObject<Env> {
  private readonly minutes = new Map<number, MinuteAggregate>();
  private readonly dirty = new Set<number>();
  private totals: TotalsAggregate = emptyTotals();
  private totalsDirty = false;
  private alarmArmed = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const sql = ctx.storage.sql;
      sql.exec("CREATE TABLE IF NOT EXISTS minutes (minute INTEGER PRIMARY KEY, data TEXT NOT NULL)");
      sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      const stored = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", TOTALS_KEY).toArray()[0];
      if (stored) this.totals = JSON.parse(stored.value) as TotalsAggregate;
      this.alarmArmed = (await ctx.storage.getAlarm()) !== null;
    });
  }

  /**
   * Merges partial minute aggregates from an isolate. Minutes older than the retention or too far
   * in the future (a skewed clock) are dropped; the answer says how many minutes were taken.
   */
  async ingest(partials: MinuteAggregate[]): Promise<{ accepted: number }> {
    const now = Date.now();
    let accepted = 0;
    for (const partial of partials) {
      const minute = minuteOf(partial.minute);
      if (minute < now - RETENTION_MS || minute > now + FUTURE_SKEW_MS) continue;
      mergeAggregate(this.minuteInMemory(minute), partial);
      this.dirty.add(minute);
      mergeAggregate(this.totals, partial);
      if (partial.total.requests > 0) this.totals.since = Math.min(this.totals.since ?? minute, minute);
      this.totalsDirty = true;
      accepted += 1;
    }
    if (accepted > 0) await this.armAlarm(now);
    return { accepted };
  }

  /** Dense per-minute rollups of [from, to) (see readRollups in workers/metrics/store.ts). */
  rollups(from: number, to: number): MinuteRollup[] {
    if (!(to > from)) return [];
    const now = Date.now();
    const start = Math.max(minuteOf(from), minuteOf(now - RETENTION_MS));
    const end = Math.min(to, now + FUTURE_SKEW_MS);
    if (!(end > start)) return [];
    return denseRollups(this.aggregates(start, end), start, end);
  }

  /** Every request counted since the store began (Prometheus counters). */
  readTotals(): TotalsAggregate {
    return this.totals;
  }

  /** Persists what changed, prunes past the retention, and frees memory of settled minutes. */
  async alarm(): Promise<void> {
    this.alarmArmed = false;
    const now = Date.now();
    this.persist(now);
    if (this.dirty.size > 0 || this.totalsDirty) await this.armAlarm(now);
  }

  /** Writes dirty minutes and the totals in one transaction; also called by tests. */
  persist(now: number): number {
    const sql = this.ctx.storage.sql;
    const written = [...this.dirty];
    this.ctx.storage.transactionSync(() => {
      for (const minute of written) {
        const aggregate = this.minutes.get(minute);
        if (aggregate) sql.exec("INSERT OR REPLACE INTO minutes (minute, data) VALUES (?, ?)", minute, JSON.stringify(aggregate));
      }
      if (this.totalsDirty) sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", TOTALS_KEY, JSON.stringify(this.totals));
      sql.exec("DELETE FROM minutes WHERE minute < ?", minuteOf(now - RETENTION_MS));
    });
    this.dirty.clear();
    this.totalsDirty = false;
    // Minutes that can still receive partials (isolates flush at least every ~10 s; failed flushes
    // are retried with the next one) stay in memory; older persisted minutes are read from storage.
    for (const minute of this.minutes.keys()) {
      if (minute + MINUTE_MS < now - 2 * PERSIST_INTERVAL_MS) this.minutes.delete(minute);
    }
    if (written.length > 0) log.log("debug", "metrics persisted", { minutes: written.length });
    return written.length;
  }

  private minuteInMemory(minute: number): MinuteAggregate {
    let aggregate = this.minutes.get(minute);
    if (aggregate) return aggregate;
    const stored = this.ctx.storage.sql.exec<{ data: string }>("SELECT data FROM minutes WHERE minute = ?", minute).toArray()[0];
    aggregate = stored ? (JSON.parse(stored.data) as MinuteAggregate) : emptyMinute(minute);
    this.minutes.set(minute, aggregate);
    return aggregate;
  }

  /** Stored minutes of [from, to), overridden by the (newer) ones in memory. */
  private aggregates(from: number, to: number): MinuteAggregate[] {
    const byMinute = new Map<number, MinuteAggregate>();
    const rows = this.ctx.storage.sql.exec<{ minute: number; data: string }>(
      "SELECT minute, data FROM minutes WHERE minute >= ? AND minute < ? ORDER BY minute",
      from,
      to,
    );
    for (const row of rows) byMinute.set(row.minute, JSON.parse(row.data) as MinuteAggregate);
    for (const [minute, aggregate] of this.minutes) if (minute >= from && minute < to) byMinute.set(minute, aggregate);
    return [...byMinute.values()];
  }

  private async armAlarm(now: number): Promise<void> {
    if (this.alarmArmed) return;
    this.alarmArmed = true;
    await this.ctx.storage.setAlarm(now + PERSIST_INTERVAL_MS);
  }
}
