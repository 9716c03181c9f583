import { rankRegions } from "./geo";
import type { Backend, BackendRuntime, ClientLocation, Region } from "./types";

/** What a request needs from a backend: one exact runtime. */
export interface RuntimeWanted {
  language: string;
  version: string;
}

/** The runtimes a backend can run: builtin runs the built-in ones, a piston backend what it reported. */
export function backendRuntimes(backend: Backend, builtinRuntimes: readonly BackendRuntime[]): BackendRuntime[] {
  const offered = backend.kind === "builtin" ? [...builtinRuntimes] : backend.runtimes;
  if (backend.languages.length === 0) return offered;
  const allowed = new Set(backend.languages);
  return offered.filter((runtime) => allowed.has(runtime.language));
}

export function backendServes(backend: Backend, wanted: RuntimeWanted, builtinRuntimes: readonly BackendRuntime[]): boolean {
  return backendRuntimes(backend, builtinRuntimes).some(
    (runtime) => runtime.language === wanted.language && runtime.version === wanted.version,
  );
}

/** A backend may take traffic unless it is disabled or its last check found it unreachable. */
export function backendUsable(backend: Backend): boolean {
  return backend.enabled && backend.healthy !== false;
}

export interface RegionPlan {
  region: Region;
  /** Usable backends in the region that serve the runtime (never empty). */
  candidates: Backend[];
}

/**
 * The regions a request may run in, best first: the pinned region alone, or every region ranked by
 * distance from the client (then country, continent, default) — the order is the failover order.
 * Regions with no usable backend for the runtime are left out.
 */
export function planRoute(input: {
  regions: Region[];
  backends: Backend[];
  wanted: RuntimeWanted;
  location: ClientLocation;
  pinnedRegionId?: string;
  builtinRuntimes: readonly BackendRuntime[];
}): RegionPlan[] {
  const ranked = input.pinnedRegionId
    ? input.regions.filter((region) => region.id === input.pinnedRegionId)
    : rankRegions(input.regions, input.location);
  const plans: RegionPlan[] = [];
  for (const region of ranked) {
    const candidates = input.backends.filter(
      (backend) =>
        backend.regionId === region.id && backendUsable(backend) && backendServes(backend, input.wanted, input.builtinRuntimes),
    );
    if (candidates.length > 0) plans.push({ region, candidates });
  }
  return plans;
}

/** Runtimes offered by usable remote backends (deduplicated), for the runtime listings and lookups. */
export function remoteRuntimes(backends: Backend[]): BackendRuntime[] {
  const seen = new Map<string, BackendRuntime>();
  for (const backend of backends) {
    if (backend.kind !== "piston" || !backendUsable(backend)) continue;
    for (const runtime of backendRuntimes(backend, [])) {
      const key = `${runtime.language}@${runtime.version}`;
      const known = seen.get(key);
      if (!known) seen.set(key, { ...runtime, aliases: [...runtime.aliases] });
      else for (const alias of runtime.aliases) if (!known.aliases.includes(alias)) known.aliases.push(alias);
    }
  }
  return [...seen.values()];
}
