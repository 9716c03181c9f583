import type { BreakerStateName } from "./breaker";
import { isEjected, selectHealthy, type EjectionConfig, type HostEjectionState } from "./outlier-ejection";
import type { ProbeStatus } from "./probe-state";

/**
 * What a region's pool needs to know about a backend's health to admit requests: its breaker state
 * and its active-probe status, as the backend's BackendBreaker Durable Object last reported them.
 * `version` grows with every change, so the pool can drop a view older than the one it holds.
 */
export interface BackendHealthView {
  backendId: string;
  breaker: BreakerStateName;
  /** When an open breaker starts admitting trial calls. */
  openUntil: number | null;
  /** Trial calls a half-open breaker admits. */
  halfOpenPermits: number;
  probe: ProbeStatus;
  version: number;
}

/** Does the breaker let a call through, given the trial calls the pool already admitted? */
export function breakerAdmits(view: BackendHealthView | undefined, trialsStarted: number): boolean {
  if (!view) return true;
  switch (view.breaker) {
    case "closed":
    case "forced_closed":
      return true;
    case "half_open":
      return trialsStarted < view.halfOpenPermits;
    case "open":
    case "forced_open":
      return false;
  }
}

export interface UsableInput {
  candidates: readonly string[];
  now: number;
  view: (id: string) => BackendHealthView | undefined;
  trialsStarted: (id: string) => number;
  ejection: (id: string) => HostEjectionState | undefined;
  config: EjectionConfig;
  /** Whether panic mode may apply: only when the request has no other region to go to. */
  allowPanic: boolean;
}

/**
 * The candidates a pool may send a request to: breaker admits, not ejected as an outlier, not
 * failing its probes. Below the panic threshold of healthy members, Envoy's panic mode balances
 * across all of them instead (a mostly-failed pool concentrating all load on its last members would
 * fail too) — but only when `allowPanic`: a request that can still fail over to another region is
 * better served there than by a backend known to be down. A breaker an operator forced open always
 * stays out.
 */
export function usableBackends(input: UsableInput): { ids: string[]; panic: boolean } {
  const members = input.candidates
    .filter((id) => input.view(id)?.breaker !== "forced_open")
    .map((id) => {
      const view = input.view(id);
      const ejection = input.ejection(id);
      const healthy =
        breakerAdmits(view, input.trialsStarted(id)) &&
        view?.probe !== "unhealthy" &&
        !(ejection && isEjected(ejection, input.now));
      return { id, healthy };
    });
  if (input.allowPanic) return selectHealthy(members, input.config);
  return { ids: members.filter((member) => member.healthy).map((member) => member.id), panic: false };
}
