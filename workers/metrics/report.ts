// What GET /v1/metrics and GET /metrics answer, built from rollups and live state. Pure.
import type { LiveState } from "./live";
import { BREAKER_STATES } from "./live";
import type { MetricFamily } from "./prometheus";
import {
  CACHE_OUTCOMES,
  LATENCY_BUCKETS_MS,
  STATUS_CLASSES,
  cacheHitsAndLookups,
  type Counters,
  type MinuteRollup,
  type TotalsAggregate,
} from "./rollup";
import { emptySketch, mergeSketch, sketchQuantiles } from "./sketch";

/** The most minutes GET /v1/metrics covers (the rollup store keeps 48 hours). */
export const MAX_WINDOW_MINUTES = 48 * 60;
export const DEFAULT_WINDOW_MINUTES = 15;
/** Window of the Prometheus latency summary's quantiles. */
export const PROMETHEUS_QUANTILE_WINDOW_MINUTES = 5;

export interface MetricsReport {
  window: { from: string; to: string; minutes: number };
  requests: { total: number; rps: number; errorRate: number };
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  cache: {
    hitRatio: number | null;
    byLevel: { L1: { hits: number }; L2: { hits: number }; L3: { hits: number }; miss: { count: number }; bypass: { count: number } };
  };
  queues: { interactive: { depth: number | null }; batch: { depth: number | null } };
  regions: Array<{
    id: string;
    status: string;
    inFlight: number;
    backends: Array<{ id: string; inFlight: number; limit: number; breaker: string; probe: string }>;
  }>;
  series: Array<{
    minute: string;
    requests: number;
    errors: number;
    p50: number | null;
    p95: number | null;
    p99: number | null;
    cacheHits: number;
    cacheLookups: number;
  }>;
}

function round(value: number | null, digits = 3): number | null {
  if (value === null || !Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * The window [from, to) and its minutes: the last `minutes` minutes including the current, partial
 * one, so `from` is a minute boundary and `to` is now.
 */
export function metricsWindow(now: number, minutes: number): { from: number; to: number } {
  const currentMinute = now - (now % 60_000);
  return { from: currentMinute - (minutes - 1) * 60_000, to: now };
}

/** GET /v1/metrics: `rollups` are the window's minutes (dense, ascending). */
export function buildMetricsReport(rollups: MinuteRollup[], live: LiveState, window: { from: number; to: number; minutes: number }): MetricsReport {
  const sketch = emptySketch();
  let total = 0;
  let errors = 0;
  const cache = { L1: 0, L2: 0, L3: 0, miss: 0, bypass: 0 };
  for (const minute of rollups) {
    total += minute.requests;
    errors += minute.errors;
    mergeSketch(sketch, minute.latencyMs.sketch);
    for (const level of CACHE_OUTCOMES) cache[level] += minute.cache[level];
  }
  const [p50, p95, p99] = sketchQuantiles(sketch, [0.5, 0.95, 0.99]);
  const { hits, lookups } = cacheHitsAndLookups(cache);
  const seconds = Math.max(1, (window.to - window.from) / 1000);
  return {
    window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString(), minutes: window.minutes },
    requests: { total, rps: round(total / seconds) ?? 0, errorRate: total > 0 ? (round(errors / total, 6) ?? 0) : 0 },
    latencyMs: { p50: round(p50), p95: round(p95), p99: round(p99) },
    cache: {
      hitRatio: lookups > 0 ? round(hits / lookups, 6) : null,
      byLevel: { L1: { hits: cache.L1 }, L2: { hits: cache.L2 }, L3: { hits: cache.L3 }, miss: { count: cache.miss }, bypass: { count: cache.bypass } },
    },
    queues: live.queues,
    regions: live.regions.map((region) => ({
      id: region.id,
      status: region.status,
      inFlight: region.inFlight,
      backends: region.backends.map(({ id, inFlight, limit, breaker, probe }) => ({ id, inFlight, limit, breaker, probe })),
    })),
    series: rollups.map((minute) => {
      const perMinute = cacheHitsAndLookups(minute.cache);
      return {
        minute: new Date(minute.minute).toISOString(),
        requests: minute.requests,
        errors: minute.errors,
        p50: round(minute.latencyMs.p50),
        p95: round(minute.latencyMs.p95),
        p99: round(minute.latencyMs.p99),
        cacheHits: perMinute.hits,
        cacheLookups: perMinute.lookups,
      };
    }),
  };
}

function sortedEntries<T>(record: Record<string, T>): Array<[string, T]> {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function histogramSeries(counters: Counters) {
  let cumulative = 0;
  const buckets = LATENCY_BUCKETS_MS.map((bound, i) => {
    cumulative += counters.latencyBuckets[i] ?? 0;
    return { le: bound / 1000, count: cumulative };
  });
  return { buckets, sum: counters.latencyMsSum / 1000, count: counters.requests };
}

/**
 * GET /metrics: counters (cumulative since the rollup store began) from `totals`, the latency
 * summary's quantiles from the last PROMETHEUS_QUANTILE_WINDOW_MINUTES of `recent` rollups, gauges
 * from the live state.
 */
export function buildPrometheusFamilies(totals: TotalsAggregate, recent: MinuteRollup[], live: LiveState): MetricFamily[] {
  const routes = sortedEntries(totals.dims.route);
  const sketch = emptySketch();
  for (const minute of recent) mergeSketch(sketch, minute.latencyMs.sketch);
  const quantiles = [0.5, 0.9, 0.95, 0.99];
  const values = sketchQuantiles(sketch, quantiles);
  const backends = live.regions.flatMap((region) => region.backends.map((backend) => ({ region: region.id, ...backend })));

  return [
    {
      name: "edgebox_requests_total",
      help: "Requests answered, by route template and HTTP status class.",
      type: "counter",
      samples: routes.flatMap(([route, counters]) =>
        STATUS_CLASSES.filter((c) => counters.status[c] > 0).map((c) => ({ labels: { route, status_class: c }, value: counters.status[c] })),
      ),
    },
    {
      name: "edgebox_request_errors_total",
      help: "Errors by route: 5xx answers and executions that ended internal_error (not program failures, not 4xx).",
      type: "counter",
      samples: routes.map(([route, counters]) => ({ labels: { route }, value: counters.errors })),
    },
    {
      name: "edgebox_request_duration_seconds",
      help: "Request latency as the Worker measures it, by route template.",
      type: "histogram",
      series: routes.map(([route, counters]) => ({ labels: { route }, ...histogramSeries(counters) })),
    },
    {
      name: "edgebox_request_latency_seconds",
      help: `Request latency over all routes: quantiles over the last ${PROMETHEUS_QUANTILE_WINDOW_MINUTES} minutes (within 1%), sum and count since the store began.`,
      type: "summary",
      series: [
        {
          quantiles: quantiles.map((quantile, i) => ({ quantile, value: values[i] === null ? null : values[i]! / 1000 })),
          sum: totals.total.latencyMsSum / 1000,
          count: totals.total.requests,
        },
      ],
    },
    {
      name: "edgebox_cache_requests_total",
      help: "Execution requests by result-cache outcome: hits per level (L1 colo, L2 KV, L3 D1), misses, bypasses.",
      type: "counter",
      samples: CACHE_OUTCOMES.map((level) => ({ labels: { level }, value: totals.total.cache[level] })),
    },
    {
      name: "edgebox_region_requests_total",
      help: "Execution requests by region (X-Edgebox-Region).",
      type: "counter",
      samples: sortedEntries(totals.dims.region).map(([region, counters]) => ({ labels: { region }, value: counters.requests })),
    },
    {
      name: "edgebox_executions_total",
      help: "Programs run (cache hits run none), by runtime language.",
      type: "counter",
      samples: sortedEntries(totals.dims.runtime).map(([runtime, counters]) => ({ labels: { runtime }, value: counters.executions })),
    },
    {
      name: "edgebox_execution_cpu_seconds_total",
      help: "CPU time of the programs run, by runtime language.",
      type: "counter",
      samples: sortedEntries(totals.dims.runtime).map(([runtime, counters]) => ({ labels: { runtime }, value: counters.cpuMsSum / 1000 })),
    },
    {
      name: "edgebox_request_bytes_total",
      help: "Request body bytes (Content-Length).",
      type: "counter",
      samples: [{ value: totals.total.requestBytes }],
    },
    {
      name: "edgebox_response_bytes_total",
      help: "Response body bytes, where the length was known.",
      type: "counter",
      samples: [{ value: totals.total.responseBytes }],
    },
    {
      name: "edgebox_queue_depth",
      help: "Async jobs queued and not yet started, by lane (absent when the database did not answer in time).",
      type: "gauge",
      samples: (["interactive", "batch"] as const)
        .filter((lane) => live.queues[lane].depth !== null)
        .map((lane) => ({ labels: { lane }, value: live.queues[lane].depth! })),
    },
    {
      name: "edgebox_region_in_flight",
      help: "Executions in flight on a region's remote backends (leases held by its pool).",
      type: "gauge",
      samples: live.regions.map((region) => ({ labels: { region: region.id }, value: region.inFlight })),
    },
    {
      name: "edgebox_backend_in_flight",
      help: "Executions in flight on a backend (builtin runs are not leased and report 0).",
      type: "gauge",
      samples: backends.map((backend) => ({ labels: { region: backend.region, backend: backend.id }, value: backend.inFlight })),
    },
    {
      name: "edgebox_backend_concurrency_limit",
      help: "A backend's current adaptive concurrency limit in its region's pool.",
      type: "gauge",
      samples: backends.map((backend) => ({ labels: { region: backend.region, backend: backend.id }, value: backend.limit })),
    },
    {
      name: "edgebox_backend_breaker_state",
      help: "Circuit breaker state of a backend, one-hot: 1 for the current state, 0 for the others.",
      type: "gauge",
      samples: backends.flatMap((backend) =>
        BREAKER_STATES.map((state) => ({ labels: { region: backend.region, backend: backend.id, state }, value: backend.breaker === state ? 1 : 0 })),
      ),
    },
  ];
}
