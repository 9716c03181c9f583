// The vocabulary of regional routing (docs/routing.md). Everything in workers/routing is pure:
// policies take the state they need as arguments and return the new state, so Durable Objects and
// handlers only load, call and store.

/** How a region's pool picks a member. */
export type LbPolicy = "round_robin" | "weighted_round_robin" | "least_connections" | "random" | "consistent_hash";
export const LB_POLICIES: readonly LbPolicy[] = [
  "round_robin",
  "weighted_round_robin",
  "least_connections",
  "random",
  "consistent_hash",
];

/**
 * What happens to a session whose backend cannot take a request (Cloudflare Load Balancing's
 * zero-downtime failover modes):
 * - none: no failover; the request gets 503 + Retry-After and the session keeps its backend;
 * - temporary: this request goes elsewhere, the session returns to its backend once it recovers;
 * - sticky: the session moves to the backend that served the fallback and stays there.
 */
export type SessionFailover = "none" | "temporary" | "sticky";
export const SESSION_FAILOVER_MODES: readonly SessionFailover[] = ["none", "temporary", "sticky"];

export interface Region {
  /** Short slug, e.g. "eu-west". */
  id: string;
  name: string;
  latitude: number;
  longitude: number;
  /** Durable Object location hint for the region's pool ("weur", "enam", ...); null lets Cloudflare choose. */
  locationHint: string | null;
  /** ISO 3166-1 alpha-2 codes of countries this region serves when a request has no coordinates. */
  countries: string[];
  /** Continent codes as in request.cf.continent ("EU", "NA", "AS", "SA", "AF", "OC", "AN"). */
  continents: string[];
  policy: LbPolicy;
  sessionFailover: SessionFailover;
  affinityTtlSeconds: number;
  /** Where requests go when nothing else matches. At most one region is the default. */
  isDefault: boolean;
  enabled: boolean;
}

/** builtin = the QuickJS runtime inside the Worker; piston = a remote server speaking Piston v2. */
export type BackendKind = "builtin" | "piston";

/** A runtime a backend offers, as Piston's GET /api/v2/runtimes reports it. */
export interface BackendRuntime {
  language: string;
  version: string;
  aliases: string[];
  runtime?: string;
}

export interface Backend {
  id: string;
  regionId: string;
  kind: BackendKind;
  /** Base URL of a piston backend (".../api/v2" is appended); null for builtin. */
  url: string | null;
  /** Share of traffic relative to the other members of its pool (weighted policies). */
  weight: number;
  /** Most simultaneous executions; the adaptive limit moves within [minConcurrency, maxConcurrency]. */
  maxConcurrency: number;
  minConcurrency: number;
  /** Languages this backend may serve; empty means every language it reports. */
  languages: string[];
  enabled: boolean;
  /** What the backend last reported from GET /api/v2/runtimes (empty until first probed). */
  runtimes: BackendRuntime[];
  /** Reachability from the last probe or live call; null when never checked. */
  healthy: boolean | null;
  lastCheckedAt: number | null;
}

/** A candidate the pool may choose, with the live numbers policies need. */
export interface PoolMember {
  id: string;
  weight: number;
  /** Effective concurrency limit right now (adaptive, ≤ maxConcurrency). */
  limit: number;
  /** Leases currently held. A member with inFlight >= limit is saturated and never chosen. */
  inFlight: number;
}

/** Where a request comes from, from request.cf (all optional: local requests have none). */
export interface ClientLocation {
  latitude?: number;
  longitude?: number;
  country?: string;
  continent?: string;
}

/** A random source in [0, 1), injectable so policies are deterministic under test. */
export type Random = () => number;
