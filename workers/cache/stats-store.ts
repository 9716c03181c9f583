import { HOT_WINDOW_MS, windowStart, type StatsBatch } from "./stats";
import type { HitCountRow } from "./warming";

/** D1 binds at most 100 parameters per statement: rows per multi-row INSERT. */
const COUNTER_ROWS_PER_STATEMENT = 25; // 4 parameters each
const DEMAND_ROWS_PER_STATEMENT = 16; // 6 parameters each

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Writes one flush of counters and hit counts as a single D1 batch (atomic). */
export async function writeStatsBatch(d1: D1Database, batch: StatsBatch, now: number): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  for (const rows of chunks(batch.counters, COUNTER_ROWS_PER_STATEMENT)) {
    statements.push(
      d1
        .prepare(
          `INSERT INTO cache_stats (tenant_id, day, metric, count) VALUES ${rows.map(() => "(?, ?, ?, ?)").join(", ")} ` +
            "ON CONFLICT (tenant_id, day, metric) DO UPDATE SET count = cache_stats.count + excluded.count",
        )
        .bind(...rows.flat()),
    );
  }
  // Hits are counted per window (the current one and the one before), so "hot" means recently hot.
  // A flush that arrives late for a window it has already left is added to the current one.
  const window = windowStart(now);
  for (const rows of chunks(batch.demand, DEMAND_ROWS_PER_STATEMENT)) {
    statements.push(
      d1
        .prepare(
          "INSERT INTO cache_hits (namespace, program_key, window_start, window_hits, previous_hits, total_hits, last_hit_at) VALUES " +
            rows.map(() => "(?, ?, ?, ?, 0, ?, ?)").join(", ") +
            " ON CONFLICT (namespace, program_key) DO UPDATE SET " +
            "window_hits = CASE WHEN excluded.window_start <= cache_hits.window_start THEN cache_hits.window_hits + excluded.window_hits ELSE excluded.window_hits END, " +
            `previous_hits = CASE WHEN excluded.window_start <= cache_hits.window_start THEN cache_hits.previous_hits WHEN excluded.window_start = cache_hits.window_start + ${HOT_WINDOW_MS} THEN cache_hits.window_hits ELSE 0 END, ` +
            "window_start = max(cache_hits.window_start, excluded.window_start), " +
            "total_hits = cache_hits.total_hits + excluded.total_hits, " +
            "last_hit_at = max(cache_hits.last_hit_at, excluded.last_hit_at)",
        )
        .bind(...rows.flatMap((d) => [d.namespace, d.programKey, window, d.hits, d.hits, d.lastHitAt])),
    );
  }
  if (statements.length > 0) await d1.batch(statements);
}

/** Summed metric counts: one tenant's, or every tenant's (admin). */
export async function readMetricTotals(d1: D1Database, tenantId: string | null): Promise<Map<string, Map<string, number>>> {
  const query =
    tenantId === null
      ? d1.prepare("SELECT tenant_id AS tenant, metric, SUM(count) AS total FROM cache_stats GROUP BY tenant_id, metric")
      : d1.prepare("SELECT tenant_id AS tenant, metric, SUM(count) AS total FROM cache_stats WHERE tenant_id = ?1 GROUP BY tenant_id, metric").bind(tenantId);
  const { results } = await query.all<{ tenant: string; metric: string; total: number }>();
  const byTenant = new Map<string, Map<string, number>>();
  for (const row of results) {
    const metrics = byTenant.get(row.tenant) ?? new Map<string, number>();
    metrics.set(row.metric, row.total);
    byTenant.set(row.tenant, metrics);
  }
  return byTenant;
}

export interface StorageTotals {
  entries: number;
  bytes: number;
}

/** Entries and bytes in L3 (the authoritative copy), per namespace; one namespace or all. */
export async function readStorageTotals(d1: D1Database, namespace: string | null): Promise<Map<string, StorageTotals>> {
  const query =
    namespace === null
      ? d1.prepare("SELECT namespace, COUNT(*) AS entries, COALESCE(SUM(size_bytes), 0) AS bytes FROM cache_entries GROUP BY namespace")
      : d1.prepare("SELECT namespace, COUNT(*) AS entries, COALESCE(SUM(size_bytes), 0) AS bytes FROM cache_entries WHERE namespace = ?1 GROUP BY namespace").bind(namespace);
  const { results } = await query.all<{ namespace: string; entries: number; bytes: number }>();
  return new Map(results.map((row) => [row.namespace, { entries: row.entries, bytes: row.bytes }]));
}

/** Programs with hits in the current or the previous window, most hits first (candidates for warming). */
export async function readHotCandidates(d1: D1Database, now: number, limit: number, namespace?: string): Promise<HitCountRow[]> {
  const since = windowStart(now) - HOT_WINDOW_MS;
  const base =
    "SELECT namespace, program_key AS programKey, window_start AS windowStart, window_hits AS windowHits, previous_hits AS previousHits " +
    "FROM cache_hits WHERE window_start >= ?1";
  const order = " ORDER BY window_hits + previous_hits DESC LIMIT ?2";
  const query =
    namespace === undefined
      ? d1.prepare(base + order).bind(since, limit)
      : d1.prepare(`${base} AND namespace = ?3${order}`).bind(since, limit, namespace);
  return (await query.all<HitCountRow>()).results;
}

/** Forgets hit counts with no hits in the last two windows; returns how many. */
export async function pruneHitCounts(d1: D1Database, now: number): Promise<number> {
  const result = await d1.prepare("DELETE FROM cache_hits WHERE window_start < ?1").bind(windowStart(now) - HOT_WINDOW_MS).run();
  return result.meta.changes ?? 0;
}
