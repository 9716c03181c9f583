// The cache's HTTP surface shared by both execution APIs: what the client asked for, and what the
// response says. Pure.
import type { CacheReport } from "./result-cache";

export type CacheMode = "default" | "bypass";

/**
 * `Cache-Control: no-cache` or `no-store` on the request means "do not answer from the cache":
 * the program runs and its result is not stored.
 */
export function cacheModeFromHeaders(headers: Headers): CacheMode {
  const directives = (headers.get("cache-control") ?? "").toLowerCase().split(",").map((d) => d.trim());
  return directives.includes("no-cache") || directives.includes("no-store") ? "bypass" : "default";
}

/** The `X-Cache` response header (HIT-L1, HIT-L2, HIT-L3, MISS, BYPASS). */
export const X_CACHE = "X-Cache";

/** The native body's `cache` field. */
export function cacheBody(report: CacheReport): {
  status: CacheReport["status"];
  reason?: string;
  key?: string;
  stale?: true;
  staleIfError?: true;
  storedAt?: string;
} {
  return {
    status: report.status,
    ...(report.reason ? { reason: report.reason } : {}),
    ...(report.key ? { key: report.key } : {}),
    ...(report.stale ? { stale: true as const } : {}),
    ...(report.staleIfError ? { staleIfError: true as const } : {}),
    ...(report.storedAt !== undefined ? { storedAt: new Date(report.storedAt).toISOString() } : {}),
  };
}

/** ctx.waitUntil of the request, or (no execution context, e.g. app.request in tests) fire-and-forget. */
export function backgroundTasks(executionCtx: () => { waitUntil(promise: Promise<unknown>): void }): (promise: Promise<unknown>) => void {
  try {
    const ctx = executionCtx();
    return (promise) => ctx.waitUntil(promise);
  } catch {
    return (promise) => void promise.catch(() => undefined);
  }
}
