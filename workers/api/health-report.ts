import type { BackendHealthDetails } from "../resilience/breaker-protocol";
import { aggregateRegionHealth, overallHealth, type HealthStatus } from "../resilience/region-health";
import type { Backend, Region } from "../routing/types";

/** One backend in GET /v1/health. */
export interface BackendHealthReport {
  id: string;
  kind: Backend["kind"];
  usable: boolean;
  /** Active-probe status; builtin backends are always "healthy". */
  probe: string;
  breaker: string;
  lastProbeAt: string | null;
  latencyMs: number | null;
  lastError: string | null;
}

export interface RegionHealthReport {
  id: string;
  name: string;
  status: HealthStatus;
  usable: number;
  total: number;
  backends: BackendHealthReport[];
}

/**
 * Builds the regions part of GET /v1/health from the topology and each remote backend's breaker
 * details (undefined when its breaker could not be asked). Pure, so the aggregation is tested
 * without Durable Objects.
 */
export function buildHealthReport(
  regions: Region[],
  backends: Backend[],
  details: (backendId: string) => BackendHealthDetails | undefined,
): { status: HealthStatus; regions: RegionHealthReport[] } {
  const reports = regions.map((region) => {
    const members = backends
      .filter((backend) => backend.regionId === region.id)
      .map((backend): BackendHealthReport => {
        if (backend.kind === "builtin") {
          return { id: backend.id, kind: "builtin", usable: true, probe: "healthy", breaker: "closed", lastProbeAt: null, latencyMs: null, lastError: null };
        }
        const known = details(backend.id);
        const probe = known?.probe.status ?? (backend.healthy === false ? "unhealthy" : "unknown");
        const breaker = known?.view.breaker ?? "closed";
        const usable = probe !== "unhealthy" && breaker !== "open" && breaker !== "forced_open";
        return {
          id: backend.id,
          kind: backend.kind,
          usable,
          probe,
          breaker,
          lastProbeAt: known?.probe.lastProbeAt ? new Date(known.probe.lastProbeAt).toISOString() : null,
          latencyMs: known?.probe.lastLatencyMs ?? null,
          lastError: known?.probe.lastError ?? null,
        };
      });
    const aggregate = aggregateRegionHealth(members.map(({ id, usable }) => ({ id, usable })));
    return { id: region.id, name: region.name, status: aggregate.status, usable: aggregate.usable, total: aggregate.total, backends: members };
  });
  return { status: overallHealth(reports), regions: reports };
}
