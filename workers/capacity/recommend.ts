import type { Backend } from "../routing/types";

// Capacity recommendation for one region (docs/capacity.md). Pure.
//
// Little's law: the concurrency a region needs is its arrival rate times how long each request
// holds a slot. With the forecast peak rate over the horizon, the observed mean latency and a
// headroom factor:
//   requiredConcurrency = ceil(forecastPeakRps × remoteShare × meanLatencySeconds × headroom)
// compared with the region's remote capacity, the sum of its enabled piston backends'
// maxConcurrency. The builtin runtime is elastic: its executions run in the Worker invocations that
// receive them, which Cloudflare scales, so it adds nothing to currentCapacity and a region served
// only by it never needs scaling. `remoteShare` is the share of the region's requests that need a
// remote backend; when the metrics cannot tell it is 1 (every request counted against remote
// capacity: conservative for regions that also serve JavaScript/TypeScript on the builtin).

export type CapacityAction = "scale_out" | "scale_in" | "hold";

export interface RecommendationConfig {
  /** Multiplier on the computed concurrency (1.3 = 30 % spare). */
  headroom: number;
  /** Recommend scale_in when the required concurrency is below this share of current capacity. */
  scaleInBelow: number;
}

export const DEFAULT_RECOMMENDATION: Readonly<RecommendationConfig> = Object.freeze({ headroom: 1.3, scaleInBelow: 0.5 });

export interface RecommendationInput {
  forecastPeakRps: number;
  /** Mean time a request holds a slot (ms); null when no latency was observed. */
  meanLatencyMs: number | null;
  /** Share of the region's requests that need remote capacity (0..1). */
  remoteShare: number;
  /** Sum of maxConcurrency over the region's enabled remote backends. */
  currentCapacity: number;
  /** The region has an enabled builtin backend. */
  hasBuiltin: boolean;
  /** The region has at least one enabled remote backend. */
  hasRemote: boolean;
}

export interface Recommendation {
  requiredConcurrency: number | null;
  currentCapacity: number;
  action: CapacityAction;
  suggestedCapacity: number;
  reason: string;
}

/** The region's capacity from its (effective, enabled) backends. */
export function regionCapacity(backends: readonly Backend[], regionId: string): { currentCapacity: number; hasBuiltin: boolean; hasRemote: boolean } {
  const members = backends.filter((backend) => backend.regionId === regionId && backend.enabled);
  const remote = members.filter((backend) => backend.kind !== "builtin");
  return {
    currentCapacity: remote.reduce((sum, backend) => sum + backend.maxConcurrency, 0),
    hasBuiltin: members.some((backend) => backend.kind === "builtin"),
    hasRemote: remote.length > 0,
  };
}

export function requiredConcurrency(peakRps: number, meanLatencyMs: number, remoteShare: number, headroom: number): number {
  // Rounded to 1e-9 first so float noise (2.0000000001) does not add a whole slot.
  const exact = Math.max(0, peakRps) * Math.min(1, Math.max(0, remoteShare)) * (meanLatencyMs / 1000) * headroom;
  return Math.ceil(Math.round(exact * 1e9) / 1e9);
}

export function recommend(input: RecommendationInput, config: RecommendationConfig = DEFAULT_RECOMMENDATION): Recommendation {
  const { currentCapacity } = input;
  const hold = (reason: string, required: number | null = null): Recommendation => ({
    requiredConcurrency: required,
    currentCapacity,
    action: "hold",
    suggestedCapacity: currentCapacity,
    reason,
  });
  if (!input.hasRemote && input.hasBuiltin) return hold("served by the builtin runtime only, which scales with Cloudflare (elastic)");
  if (input.meanLatencyMs === null) return hold("no latency observed: concurrency cannot be derived");
  const required = requiredConcurrency(input.forecastPeakRps, input.meanLatencyMs, input.remoteShare, config.headroom);
  if (required > currentCapacity) {
    return {
      requiredConcurrency: required,
      currentCapacity,
      action: "scale_out",
      suggestedCapacity: required,
      reason: `forecast peak needs ${required} concurrent slots (with ${config.headroom}× headroom); the region has ${currentCapacity}`,
    };
  }
  if (input.hasRemote && required < config.scaleInBelow * currentCapacity) {
    // Never suggest scaling remote capacity to nothing: other languages still need a backend.
    const suggested = Math.max(1, required);
    return {
      requiredConcurrency: required,
      currentCapacity,
      action: "scale_in",
      suggestedCapacity: suggested,
      reason: `forecast peak needs ${required} of ${currentCapacity} slots (below ${Math.round(config.scaleInBelow * 100)} %)`,
    };
  }
  return hold(`forecast peak needs ${required} of ${currentCapacity} slots`, required);
}
