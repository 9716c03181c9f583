import { DurableObject } from "cloudflare:workers";
import { isSpanId, isTraceId, type SpanRecord } from "../workers/tracing/span";
import { MAX_SPANS_PER_TRACE, MAX_TRACES_PER_SHARD, MAX_TRACE_AGE_MS } from "../workers/tracing/store";

const SPAN_KINDS = new Set(["internal", "server", "client", "producer", "consumer"]);

function isSpanRecord(value: unknown): value is SpanRecord {
  if (typeof value !== "object" || value === null) return false;
  const span = value as Partial<SpanRecord>;
  return (
    isTraceId(span.traceId) &&
    isSpanId(span.spanId) &&
    (span.parentSpanId === null || isSpanId(span.parentSpanId)) &&
    typeof span.name === "string" &&
    SPAN_KINDS.has(span.kind as string) &&
    Number.isFinite(span.startTime) &&
    Number.isFinite(span.endTime)
  );
}

/**
 * By start time; spans that started in the same millisecond (clocks in Workers advance only on
 * I/O) parent first, then the longer one first.
 */
export function sortByStart(spans: SpanRecord[]): SpanRecord[] {
  const parentOf = new Map(spans.map((span) => [span.spanId, span.parentSpanId]));
  const depth = (span: SpanRecord) => {
    let n = 0;
    for (let parent = span.parentSpanId; parent && parentOf.has(parent) && n < spans.length; parent = parentOf.get(parent) ?? null) n += 1;
    return n;
  };
  const depths = new Map(spans.map((span) => [span.spanId, depth(span)]));
  return [...spans].sort(
    (a, b) => a.startTime - b.startTime || depths.get(a.spanId)! - depths.get(b.spanId)! || b.endTime - a.endTime || a.spanId.localeCompare(b.spanId),
  );
}

/**
 * Recent traces for local viewing (docs/tracing.md): one shard of the store, addressed by name
 * (`traces-<n>`, workers/tracing/store.ts). Spans arrive in batches — one call per request, queue
 * batch or Durable Object call that produced them — and are kept in SQLite:
 *
 *   traces(trace_id PK, first_seen, last_seen, span_count, dropped)   -- last_seen indexed
 *   spans(trace_id, span_id, start_time, record JSON)   PK (trace_id, span_id)
 *
 * Bounded: a trace is forgotten MAX_TRACE_AGE_MS after its last span arrived, the shard keeps its
 * MAX_TRACES_PER_SHARD most recently written traces, and a trace keeps MAX_SPANS_PER_TRACE spans.
 * An alarm removes expired traces when no writes come to do it.
 */
export class TraceStore extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS traces (
      trace_id TEXT PRIMARY KEY,
      first_seen INTEGER NOT NULL,
      last_seen INTEGER NOT NULL,
      span_count INTEGER NOT NULL,
      dropped INTEGER NOT NULL DEFAULT 0
    )`);
    this.sql.exec("CREATE INDEX IF NOT EXISTS traces_last_seen ON traces (last_seen)");
    this.sql.exec(`CREATE TABLE IF NOT EXISTS spans (
      trace_id TEXT NOT NULL,
      span_id TEXT NOT NULL,
      start_time REAL NOT NULL,
      record TEXT NOT NULL,
      PRIMARY KEY (trace_id, span_id)
    )`);
  }

  /** Stores a batch of finished spans (any number of traces); returns how many were new. */
  async append(spans: SpanRecord[]): Promise<number> {
    const now = Date.now();
    let stored = 0;
    const byTrace = new Map<string, SpanRecord[]>();
    for (const span of Array.isArray(spans) ? spans : []) {
      if (!isSpanRecord(span)) continue;
      const list = byTrace.get(span.traceId);
      if (list) list.push(span);
      else byTrace.set(span.traceId, [span]);
    }
    for (const [traceId, list] of byTrace) {
      const existing = this.sql.exec<{ span_count: number }>("SELECT span_count FROM traces WHERE trace_id = ?", traceId).toArray()[0];
      let count = existing?.span_count ?? 0;
      let dropped = 0;
      for (const span of list) {
        if (count >= MAX_SPANS_PER_TRACE) {
          dropped += 1;
          continue;
        }
        const cursor = this.sql.exec(
          "INSERT OR IGNORE INTO spans (trace_id, span_id, start_time, record) VALUES (?, ?, ?, ?)",
          traceId,
          span.spanId,
          span.startTime,
          JSON.stringify(span),
        );
        if (cursor.rowsWritten > 0) count += 1;
      }
      stored += count - (existing?.span_count ?? 0);
      this.sql.exec(
        `INSERT INTO traces (trace_id, first_seen, last_seen, span_count, dropped) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (trace_id) DO UPDATE SET last_seen = excluded.last_seen, span_count = excluded.span_count, dropped = dropped + excluded.dropped`,
        traceId,
        now,
        now,
        count,
        dropped,
      );
    }
    this.prune(now);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + MAX_TRACE_AGE_MS);
    return stored;
  }

  /** The trace's spans sorted by start time, or null when it is unknown or expired. */
  async read(traceId: string): Promise<SpanRecord[] | null> {
    const trace = this.sql.exec<{ last_seen: number }>("SELECT last_seen FROM traces WHERE trace_id = ?", traceId).toArray()[0];
    if (!trace || trace.last_seen < Date.now() - MAX_TRACE_AGE_MS) return null;
    const spans = this.sql
      .exec<{ record: string }>("SELECT record FROM spans WHERE trace_id = ?", traceId)
      .toArray()
      .map((row) => JSON.parse(row.record) as SpanRecord);
    return sortByStart(spans);
  }

  async alarm(): Promise<void> {
    const now = Date.now();
    this.prune(now);
    const oldest = this.sql.exec<{ last_seen: number | null }>("SELECT MIN(last_seen) AS last_seen FROM traces").one().last_seen;
    if (oldest !== null) await this.ctx.storage.setAlarm(oldest + MAX_TRACE_AGE_MS + 1);
  }

  /** Forgets expired traces, then all but the MAX_TRACES_PER_SHARD most recently written. */
  private prune(now: number): void {
    const expired = now - MAX_TRACE_AGE_MS;
    this.sql.exec("DELETE FROM spans WHERE trace_id IN (SELECT trace_id FROM traces WHERE last_seen < ?)", expired);
    this.sql.exec("DELETE FROM traces WHERE last_seen < ?", expired);
    const total = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM traces").one().n;
    if (total <= MAX_TRACES_PER_SHARD) return;
    const excess = "SELECT trace_id FROM traces ORDER BY last_seen DESC, trace_id LIMIT -1 OFFSET ?";
    this.sql.exec(`DELETE FROM spans WHERE trace_id IN (${excess})`, MAX_TRACES_PER_SHARD);
    this.sql.exec(`DELETE FROM traces WHERE trace_id IN (${excess})`, MAX_TRACES_PER_SHARD);
  }
}
