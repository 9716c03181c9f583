import { openDatabase } from "../db/client";
import { queuedDepth } from "../jobs/job-store";
import { cacheHitsAndLookups, type MinuteRollup } from "../metrics/rollup";
import { breakerStub } from "../pools/start-region-pools";
import { topologyFor } from "../pools/topology-cache";
import type { BackendHealthDetails } from "../resilience/breaker-protocol";
import { buildHealthReport } from "../api/health-report";
import type { AlertRollup, GaugeReadings, MetricSnapshot } from "./metrics";
import { isGauge, type AlertMetric, type AlertRule } from "./types";

// Where metric values come from, behind one interface so the evaluator and the metric arithmetic
// stay pure and are tested with plain data: the per-minute rollups (workers/metrics), the job
// queues' depth (workers/jobs) and the health report (breakers, region status) as GET /v1/health
// builds it.

export interface AlertSources {
  /** Per-minute rollups of [from, to). */
  rollups(range: { from: number; to: number }): Promise<AlertRollup[]>;
  queueDepth(lane: "interactive" | "batch"): Promise<number>;
  /** Remote backends whose breaker is open (or forced open), and regions in critical health. */
  health(now: number): Promise<{ openBreakers: number; criticalRegions: number }>;
}

/** Log hook: a failing source makes its metrics "no data", never the evaluation fail. */
export type SourceLog = (message: string, fields: Record<string, unknown>) => void;

const MINUTE_MS = 60_000;
/** A breaker that does not answer within this long counts as not known (as GET /v1/health does). */
const BREAKER_QUERY_TIMEOUT_MS = 2_000;

export function toAlertRollup(rollup: MinuteRollup): AlertRollup {
  const { hits, lookups } = cacheHitsAndLookups(rollup.cache);
  return {
    at: rollup.minute,
    requests: rollup.requests,
    errors: rollup.errors,
    latency: rollup.latencyMs.sketch,
    cacheHits: hits,
    cacheLookups: lookups,
  };
}

async function attempt<T>(what: string, log: SourceLog, read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    log("alert metric source failed", { source: what, error: error instanceof Error ? error.message : String(error) });
    return null;
  }
}

/**
 * Reads what the enabled rules need, once per evaluation: rollups over the longest window in use,
 * each queue depth only if a rule watches it, the health report only if a rule watches breakers or
 * regions. Sources that fail are null (no data) for the rules that read them.
 */
export async function takeSnapshot(sources: AlertSources, rules: readonly AlertRule[], now: number, log: SourceLog): Promise<MetricSnapshot> {
  const enabled = rules.filter((rule) => rule.enabled);
  const uses = (metric: AlertMetric) => enabled.some((rule) => rule.metric === metric);
  const longest = Math.max(0, ...enabled.filter((rule) => !isGauge(rule.metric)).map((rule) => rule.windowMinutes));
  const to = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const [rollups, interactive, batch, health] = await Promise.all([
    longest > 0 ? attempt("rollups", log, () => sources.rollups({ from: to - longest * MINUTE_MS, to })) : Promise.resolve([]),
    uses("queue_depth_interactive") ? attempt("queue_depth_interactive", log, () => sources.queueDepth("interactive")) : Promise.resolve(null),
    uses("queue_depth_batch") ? attempt("queue_depth_batch", log, () => sources.queueDepth("batch")) : Promise.resolve(null),
    uses("open_breakers") || uses("critical_regions") ? attempt("health", log, () => sources.health(now)) : Promise.resolve(null),
  ]);
  const gauges: GaugeReadings = {
    openBreakers: health?.openBreakers ?? null,
    criticalRegions: health?.criticalRegions ?? null,
    queueDepthInteractive: interactive,
    queueDepthBatch: batch,
  };
  return { now, rollups, gauges };
}

async function breakerDetails(env: Pick<Env, "BACKEND_BREAKER">, backendId: string): Promise<BackendHealthDetails | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, BREAKER_QUERY_TIMEOUT_MS, undefined);
  });
  try {
    return await Promise.race([breakerStub(env, backendId).details() as Promise<BackendHealthDetails>, timeout]);
  } catch {
    return undefined;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** The health report as GET /v1/health builds it, reduced to the two gauges alerting watches. */
export async function readHealthGauges(env: Pick<Env, "DB" | "BACKEND_BREAKER">, now: number): Promise<{ openBreakers: number; criticalRegions: number }> {
  const topology = await topologyFor(env, now);
  const remote = topology.backends.filter((backend) => backend.kind === "piston");
  const details = new Map(await Promise.all(remote.map(async (backend) => [backend.id, await breakerDetails(env, backend.id)] as const)));
  const report = buildHealthReport(topology.regions, topology.backends, (id) => details.get(id));
  const backends = report.regions.flatMap((region) => region.backends);
  return {
    openBreakers: backends.filter((backend) => backend.breaker === "open" || backend.breaker === "forced_open").length,
    criticalRegions: report.regions.filter((region) => region.status === "critical").length,
  };
}

export type ReadRollups = (env: Env, range: { from: number; to: number }) => Promise<MinuteRollup[]>;

/** The live sources, over the Worker's bindings. */
export function liveAlertSources(env: Env, readRollups: ReadRollups): AlertSources {
  return {
    rollups: async (range) => (await readRollups(env, range)).map(toAlertRollup),
    queueDepth: (lane) => queuedDepth(openDatabase(env.DB), lane),
    health: (now) => readHealthGauges(env, now),
  };
}
