// Health of a region, and of the service, from its backends' usability, for /health, dashboards
// and alerting. Counts backends, not weights or runtimes: it answers "how much of this region is
// down", not "can it run Python" (routing answers that per request).

export type HealthStatus = "healthy" | "degraded" | "critical";

export interface RegionHealthConfig {
  /** Below this share (%) of usable backends the region is degraded; 100 = any backend down. */
  degradedBelowPct: number;
  /** Below this share (%) it is critical: it has lost most of its capacity. */
  criticalBelowPct: number;
}

export const DEGRADED_BELOW_PCT = 100;
export const CRITICAL_BELOW_PCT = 50;
export const DEFAULT_REGION_HEALTH: Readonly<RegionHealthConfig> = Object.freeze({
  degradedBelowPct: DEGRADED_BELOW_PCT,
  criticalBelowPct: CRITICAL_BELOW_PCT,
});

export interface BackendUsability {
  id: string;
  /** Healthy or not yet probed, and its circuit breaker not open. Builtin backends: always true. */
  usable: boolean;
}

export interface RegionHealth {
  status: HealthStatus;
  usable: number;
  total: number;
}

/**
 * Pass every enabled backend of the region, builtin entries included (`builtin-<region>` is
 * implicit in routing, so add it here too): a builtin-only region is then 1/1 usable and healthy.
 * No backends at all → critical: such a region can run nothing. No usable backend → critical
 * whatever the thresholds say. 1 usable of 2 is exactly 50 %, so degraded with the defaults.
 */
export function aggregateRegionHealth(
  backends: ReadonlyArray<BackendUsability>,
  config: RegionHealthConfig = DEFAULT_REGION_HEALTH,
): RegionHealth {
  const total = backends.length;
  const usable = backends.filter((backend) => backend.usable).length;
  if (usable === 0) return { status: "critical", usable, total };
  const usablePct = (usable / total) * 100;
  const status: HealthStatus =
    usablePct < config.criticalBelowPct ? "critical" : usablePct < config.degradedBelowPct ? "degraded" : "healthy";
  return { status, usable, total };
}

/**
 * The service as a whole: critical only if every region is (traffic fails over between regions, so
 * one critical region still leaves the service serving), degraded if any region is not healthy.
 * An empty list is critical: nothing can serve. Routing always has at least the synthetic `local`
 * region, so pass that when no regions are stored.
 */
export function overallHealth(regions: ReadonlyArray<Pick<RegionHealth, "status">>): HealthStatus {
  if (regions.every((region) => region.status === "critical")) return "critical";
  return regions.every((region) => region.status === "healthy") ? "healthy" : "degraded";
}
