// Result-cache policy: what may be cached, where it fits, how long each level keeps it, when it is
// fresh. Pure functions; the levels and the orchestrator only apply them.
import type { ExecutionResult, ExecutionStatus } from "../sandbox/types";
import { KV_MIN_TTL_SECONDS, type CacheConfig } from "./config";

export type CacheLevel = "l1" | "l2" | "l3";
export const CACHE_LEVELS: readonly CacheLevel[] = ["l1", "l2", "l3"];

/** What the `X-Cache` header says. */
export type CacheStatus = "HIT-L1" | "HIT-L2" | "HIT-L3" | "MISS" | "BYPASS";

export const HIT_STATUS: Record<CacheLevel, CacheStatus> = { l1: "HIT-L1", l2: "HIT-L2", l3: "HIT-L3" };

export type BypassReason =
  /** The client asked (`cache: "bypass"`, `Cache-Control: no-cache` / `no-store`). */
  | "request"
  /** The program read the clock, Math.random, crypto randomness or raced timers. */
  | "nondeterministic"
  /** The sandbox failed; the next run may well succeed. */
  | "internal_error"
  /** Wall time also counts real time under load, so the same program may finish next time. */
  | "wall_time_exceeded"
  /** Results of remote backends are cached only when the request or the backend opts in. */
  | "remote_backend"
  /** The invalidation generations could not be read, so no key can be trusted: run, do not cache. */
  | "cache_unavailable";

/**
 * Statuses that the same program, input and limits always reproduce: normal exits, and limits the
 * sandbox counts deterministically (CPU by interpreter interrupts, memory by its heap governor,
 * output by bytes). `wall_time_exceeded` is left out: the sandbox also stops a program on the real
 * clock, which depends on load. `internal_error` is a fault, not a result.
 */
export const DETERMINISTIC_STATUSES: ReadonlySet<ExecutionStatus> = new Set<ExecutionStatus>([
  "ok",
  "runtime_error",
  "compile_error",
  "cpu_time_exceeded",
  "memory_limit_exceeded",
  "stdout_limit_exceeded",
  "stderr_limit_exceeded",
]);

export type Backend = { kind: "builtin" } | { kind: "remote"; optedIn: boolean };

/** Why `result` must not be cached, or null when it may be. */
export function resultBypassReason(result: ExecutionResult, backend: Backend = { kind: "builtin" }): BypassReason | null {
  if (result.status === "internal_error") return "internal_error";
  if (result.nondeterministic) return "nondeterministic";
  if (result.status === "wall_time_exceeded") return "wall_time_exceeded";
  if (!DETERMINISTIC_STATUSES.has(result.status)) return "internal_error";
  if (backend.kind === "remote" && !backend.optedIn) return "remote_backend";
  return null;
}

// ---- size limits per level

/** Cache API objects may be far larger; results are bounded by the output caps anyway. */
export const L1_MAX_ENTRY_BYTES = 25 * 1024 * 1024;
/** KV's largest value. */
export const L2_MAX_ENTRY_BYTES = 25 * 1024 * 1024;
/** D1 rows are limited to 2,000,000 bytes; the rest of the row (keys, tags, times) fits in the margin. */
export const L3_MAX_ROW_BYTES = 1_900_000;

/** Whether an entry of these sizes fits a level. L3 stores the canonical request beside the result. */
export function fitsLevel(level: CacheLevel, sizes: { entryBytes: number; l3RowBytes: number }): boolean {
  switch (level) {
    case "l1":
      return sizes.entryBytes <= L1_MAX_ENTRY_BYTES;
    case "l2":
      return sizes.entryBytes <= L2_MAX_ENTRY_BYTES;
    case "l3":
      return sizes.l3RowBytes <= L3_MAX_ROW_BYTES;
  }
}

// ---- lifetimes

/** When an entry created now stops being fresh: its lifetime is the L3 TTL. */
export function entryExpiresAt(createdAt: number, config: CacheConfig): number {
  return createdAt + config.l3TtlSeconds * 1000;
}

/**
 * How long (s) `level` should keep a copy written now, or null to skip it: never past the entry's
 * expiry plus the stale-while-revalidate window, and for KV never under its 60 s minimum (an entry
 * that close to its end is not worth a KV write).
 */
export function levelTtlSeconds(level: Exclude<CacheLevel, "l3">, config: CacheConfig, expiresAt: number, swrMs: number, now: number): number | null {
  const remainingSeconds = Math.floor((expiresAt + swrMs - now) / 1000);
  const ttl = Math.min(level === "l1" ? config.l1TtlSeconds : config.l2TtlSeconds, remainingSeconds);
  if (level === "l2") return ttl >= KV_MIN_TTL_SECONDS ? ttl : null;
  return ttl >= 1 ? ttl : null;
}

export type Freshness = "fresh" | "stale" | "expired";

/** Fresh before expiry; then servable for the tenant's stale-while-revalidate window; then gone. */
export function freshness(expiresAt: number, now: number, swrMs: number): Freshness {
  if (now < expiresAt) return "fresh";
  if (now < expiresAt + swrMs) return "stale";
  return "expired";
}

/** Longest stale-while-revalidate a tenant may set: an entry never outlives its TTL by more. */
export const MAX_SWR_SECONDS = 86_400;

/**
 * KV takes up to ~60 s to show a write everywhere and allows about one write per second per key.
 * An isolate that wrote a key (fill or promotion) does not write it again within this interval,
 * so repeated L3 hits on a key KV does not show yet cannot turn into a burst of writes.
 */
export const KV_REWRITE_INTERVAL_MS = 60_000;

export function kvWriteAllowed(lastWriteAt: number | undefined, now: number): boolean {
  return lastWriteAt === undefined || now - lastWriteAt >= KV_REWRITE_INTERVAL_MS;
}
