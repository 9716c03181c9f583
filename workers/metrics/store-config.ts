// Timing of the metrics pipeline (docs/metrics.md), shared by the isolates and the MetricsRollup DO.

/** An isolate flushes its partial rollups at most this often… */
export const FLUSH_INTERVAL_MS = 10_000;
/** …or as soon as this many requests are pending, whichever comes first. */
export const FLUSH_MAX_RECORDS = 500;
/** While flushes fail, an isolate keeps at most this many minutes (the oldest are dropped). */
export const MAX_PENDING_MINUTES = 10;

/** The rollup store persists changed minutes at most this often (one batch per alarm). */
export const PERSIST_INTERVAL_MS = 30_000;
/** Minutes are kept this long. */
export const RETENTION_MS = 48 * 60 * 60 * 1000;
/** Partials stamped further in the future than this (a skewed clock) are dropped. */
export const FUTURE_SKEW_MS = 5 * 60 * 1000;

/** Name of the one MetricsRollup object. */
export const ROLLUP_OBJECT_NAME = "global";
