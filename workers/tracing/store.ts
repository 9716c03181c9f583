import type { SpanRecord } from "./span";

// Recent traces for local viewing (GET /v1/traces/:traceId), kept by TraceStore Durable Objects
// (durable-objects/trace-store.ts). A trace lives in one of TRACE_STORE_SHARDS objects chosen by
// the last hex digit of its id (the random part of a W3C trace id), so writers and the reader find
// it without an index and no single object takes every request's writes.

export const TRACE_STORE_SHARDS = 16;
/** Each shard keeps at most this many traces (the most recently written) ... */
export const MAX_TRACES_PER_SHARD = 1_000;
/** ... for at most this long after their last span arrived. */
export const MAX_TRACE_AGE_MS = 60 * 60_000;
/** Spans kept per trace; later ones are dropped (and counted). */
export const MAX_SPANS_PER_TRACE = 2_000;

export type TraceStoreEnv = Pick<Env, "TRACE_STORE">;

export function traceShard(traceId: string): string {
  const digit = parseInt(traceId.slice(-1), 16);
  return `traces-${(Number.isNaN(digit) ? 0 : digit) % TRACE_STORE_SHARDS}`;
}

function shardStub(env: TraceStoreEnv, shard: string) {
  return env.TRACE_STORE.get(env.TRACE_STORE.idFromName(shard));
}

/** Appends spans to their traces: one call per shard involved (one for a single trace). */
export async function storeSpans(env: TraceStoreEnv, spans: readonly SpanRecord[]): Promise<void> {
  const byShard = new Map<string, SpanRecord[]>();
  for (const span of spans) {
    const shard = traceShard(span.traceId);
    const list = byShard.get(shard);
    if (list) list.push(span);
    else byShard.set(shard, [span]);
  }
  await Promise.all([...byShard].map(([shard, list]) => shardStub(env, shard).append(list)));
}

/** A stored trace's spans sorted by start time, or null when the trace is unknown (or expired). */
export async function readTrace(env: TraceStoreEnv, traceId: string): Promise<SpanRecord[] | null> {
  return shardStub(env, traceShard(traceId)).read(traceId);
}
