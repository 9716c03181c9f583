// Passive outlier ejection per backend, after Envoy's consecutive-5xx outlier detection, plus
// Envoy's panic mode for choosing among members. Pure functions over plain JSON state; time is
// passed in as `now` (epoch ms).
//
// - N consecutive failures eject a host for baseEjectionMs × (ejections in a row), capped at
//   maxEjectionMs. A success resets the consecutive count. The ejection ends by time only.
// - The multiplier decays: each full baseEjectionMs a host spends not ejected takes one off it
//   (Envoy decrements it at every detection interval the host is healthy; there is no interval
//   timer here, so the base period stands in for it). It is computed lazily from ejectedUntil,
//   which therefore stays set (in the past) after an ejection ends.
// - maxEjectionPercent caps the share of a pool ejected at once, as current Envoy does: an
//   ejection is allowed only if the pool would then have at most that share ejected — except that
//   one host may always be ejected when none is (Envoy's always_eject_one_host, on by default
//   here: regional pools are small, and without it a one-backend region could never eject its
//   failing backend — nor fail over — whatever the percentage).
// - Panic (selectHealthy): when fewer than panicThresholdPct of the members are healthy, the few
//   healthy ones would take the whole load, so Envoy balances across all members instead.

export interface EjectionConfig {
  /** Failures in a row that eject a host. */
  consecutiveFailures: number;
  baseEjectionMs: number;
  maxEjectionMs: number;
  /** 0–100: most of the pool that may be ejected at once. */
  maxEjectionPercent: number;
  /** 0–100: below this share of healthy members, balance across all (0 disables panic). */
  panicThresholdPct: number;
  /** Allow ejecting one host when none is ejected, whatever maxEjectionPercent says. Default true. */
  alwaysEjectOneHost?: boolean;
}

export const DEFAULT_EJECTION_CONFIG: Readonly<EjectionConfig> = Object.freeze({
  consecutiveFailures: 5,
  baseEjectionMs: 30_000,
  maxEjectionMs: 300_000,
  maxEjectionPercent: 50,
  panicThresholdPct: 50,
  alwaysEjectOneHost: true,
});

export interface HostEjectionState {
  consecutiveFailures: number;
  /** End of the current or last ejection (epoch ms); null if never ejected. Past = not ejected. */
  ejectedUntil: number | null;
  /** Ejections in a row: the backoff multiplier as of the last ejection (see ejectionMultiplier). */
  timesEjected: number;
}

/** The pool the host belongs to, at `now`. */
export interface PoolEjectionCounts {
  /** Members of the pool, this host included. */
  size: number;
  /** Members ejected at `now` (isEjected). */
  ejectedNow: number;
}

export interface HostOutcomeResult {
  state: HostEjectionState;
  /** True when this outcome ejected the host. */
  ejected: boolean;
  /** Length of that ejection. */
  ejectionMs: number | null;
  /** Set when the host reached the threshold but the pool cap kept it in. */
  refused: "max_ejection_percent" | null;
}

export function initialHostEjectionState(): HostEjectionState {
  return { consecutiveFailures: 0, ejectedUntil: null, timesEjected: 0 };
}

export function isEjected(host: HostEjectionState, now: number): boolean {
  return host.ejectedUntil !== null && now < host.ejectedUntil;
}

/** The backoff multiplier at `now`: timesEjected less one per full base period since the ejection ended. */
export function ejectionMultiplier(host: HostEjectionState, now: number, config: EjectionConfig): number {
  const times = Math.max(0, Math.floor(finiteOr(host.timesEjected, 0)));
  if (host.ejectedUntil === null || now < host.ejectedUntil) return times;
  const healthyPeriods = Math.floor((now - host.ejectedUntil) / settings(config).baseEjectionMs);
  return Math.max(0, times - finiteOr(healthyPeriods, 0));
}

export function recordHostOutcome(
  host: HostEjectionState,
  success: boolean,
  now: number,
  config: EjectionConfig,
  pool: PoolEjectionCounts,
): HostOutcomeResult {
  const unchanged = { ejected: false, ejectionMs: null, refused: null };
  if (success) return { ...unchanged, state: { ...host, consecutiveFailures: 0 } };

  const s = settings(config);
  const failures = Math.max(0, Math.floor(finiteOr(host.consecutiveFailures, 0))) + 1;
  if (failures < s.consecutiveFailures) return { ...unchanged, state: { ...host, consecutiveFailures: failures } };

  // The count starts over at the threshold whatever happens next (as Envoy), so a host the cap
  // kept in is tried again after another N failures, not on every further one.
  const reset = { ...host, consecutiveFailures: 0 };
  // Already out (failures from panic routing or calls started earlier): Envoy does not extend it.
  if (isEjected(host, now)) return { ...unchanged, state: reset };

  const size = Math.max(1, Math.floor(finiteOr(pool.size, 1)));
  const ejectedNow = Math.max(0, Math.floor(finiteOr(pool.ejectedNow, 0)));
  const withinCap = ((ejectedNow + 1) * 100) / size <= s.maxEjectionPercent;
  if (!withinCap && !(s.alwaysEjectOneHost && ejectedNow === 0)) {
    return { ...unchanged, state: reset, refused: "max_ejection_percent" };
  }

  const timesEjected = Math.min(s.maxMultiplier, ejectionMultiplier(host, now, config) + 1);
  const ejectionMs = Math.min(s.maxEjectionMs, s.baseEjectionMs * timesEjected);
  return {
    state: { consecutiveFailures: 0, ejectedUntil: now + ejectionMs, timesEjected },
    ejected: true,
    ejectionMs,
    refused: null,
  };
}

/**
 * The members to balance across: the healthy ones, or all of them in panic (healthy share below
 * panicThresholdPct, strictly). `healthy` is the caller's whole verdict (health checks and
 * !isEjected). Order is kept. With panic disabled (0) and no healthy member, ids is empty.
 */
export function selectHealthy(
  members: ReadonlyArray<{ id: string; healthy: boolean }>,
  config: EjectionConfig,
): { ids: string[]; panic: boolean } {
  if (members.length === 0) return { ids: [], panic: false };
  const healthy = members.filter((member) => member.healthy).map((member) => member.id);
  const healthyPct = (healthy.length / members.length) * 100;
  if (healthyPct < settings(config).panicThresholdPct) {
    return { ids: members.map((member) => member.id), panic: true };
  }
  return { ids: healthy, panic: false };
}

// ---- helpers

/** The config forced into working ranges: clamped rather than rejected, like the breaker's. */
function settings(config: EjectionConfig) {
  const d = DEFAULT_EJECTION_CONFIG;
  const consecutiveFailures = Number.isFinite(config.consecutiveFailures)
    ? Math.max(1, Math.floor(config.consecutiveFailures))
    : d.consecutiveFailures;
  // ≥ 1 ms: the decay divides by it.
  const baseEjectionMs = Math.max(1, finiteOr(config.baseEjectionMs, d.baseEjectionMs));
  const maxEjectionMs = Math.max(baseEjectionMs, finiteOr(config.maxEjectionMs, d.maxEjectionMs));
  return {
    consecutiveFailures,
    baseEjectionMs,
    maxEjectionMs,
    // Growing the multiplier past the cap would only lengthen the decay back to 0 (Envoy stops too).
    maxMultiplier: Math.max(1, Math.ceil(maxEjectionMs / baseEjectionMs)),
    maxEjectionPercent: clampPct(config.maxEjectionPercent, d.maxEjectionPercent),
    panicThresholdPct: clampPct(config.panicThresholdPct, d.panicThresholdPct),
    alwaysEjectOneHost: config.alwaysEjectOneHost ?? true,
  };
}

function clampPct(value: number, fallback: number): number {
  return Math.min(100, Math.max(0, finiteOr(value, fallback)));
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}
