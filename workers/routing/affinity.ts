// Session affinity: which backend a session's next request goes to, and what the region's pool
// Durable Object stores afterwards. The semantics follow Cloudflare Load Balancing's session
// affinity with zero-downtime failover (see SessionFailover in ./types). Pure: the Durable Object
// loads the entry, calls decideAffinity, picks a backend when told to, calls recordAffinity with
// what actually served, and stores the result.
import type { SessionFailover } from "./types";

export interface AffinityEntry {
  /** Where the session's requests go now (differs from home only during a temporary failover). */
  backendId: string;
  /** Where the session belongs; temporary failover returns here once it recovers. */
  homeBackendId: string;
  /** Epoch ms after which the entry is void; every served request slides it to now + TTL. */
  expiresAt: number;
}

export type AffinityDecision =
  /** Valid entry whose backend can take the request: send it there. */
  | { kind: "use"; backendId: string }
  /** No valid entry: pick by the pool's policy, then pin the session to the pick. */
  | { kind: "choose" }
  /** The pinned backend cannot take the request: pick by policy, excluding `avoid`. */
  | { kind: "fallback"; avoid: string }
  /** Failover mode none: answer 503 + Retry-After; the entry stays as it is. */
  | { kind: "reject"; backendId: string };

export interface DecideAffinityInput {
  entry: AffinityEntry | undefined;
  now: number;
  mode: SessionFailover;
  /** Whether the backend can take a request right now. A backend that no longer exists must be false. */
  isAvailable: (backendId: string) => boolean;
  /**
   * Whether the backend still exists in the pool. Optional; without it a deleted backend is only
   * "unavailable", which in mode none would reject the session until its entry expires.
   */
  exists?: (backendId: string) => boolean;
}

/**
 * Default cap on stored entries per region. An entry is ~100 bytes, so 10,000 stay around 1 MB of
 * Durable Object memory and one storage list() away, well inside its 128 MB; sessions past the cap
 * lose affinity (oldest first), they are not refused.
 */
export const AFFINITY_MAX_ENTRIES = 10_000;

/** An entry is valid strictly before expiresAt (the same boundary pruneExpired uses). */
export function isExpired(entry: AffinityEntry, now: number): boolean {
  return !(now < entry.expiresAt);
}

export function decideAffinity(input: DecideAffinityInput): AffinityDecision {
  const { entry, now, mode, isAvailable, exists } = input;
  if (entry === undefined || isExpired(entry, now)) return { kind: "choose" };

  switch (mode) {
    case "none":
      // A deleted backend will never recover; rejecting would trap the session until expiry.
      if (exists !== undefined && !exists(entry.backendId)) return { kind: "choose" };
      if (isAvailable(entry.backendId)) return { kind: "use", backendId: entry.backendId };
      return { kind: "reject", backendId: entry.backendId };

    case "temporary":
      // Home first: a session on a temporary fallback goes back as soon as home recovers.
      if (isAvailable(entry.homeBackendId)) return { kind: "use", backendId: entry.homeBackendId };
      if (entry.backendId !== entry.homeBackendId && isAvailable(entry.backendId)) {
        return { kind: "use", backendId: entry.backendId };
      }
      // Both home and the current fallback (if any) are down. `avoid` names the backend the session
      // was last on; home is unavailable too, so the pool's own availability filter skips it.
      return { kind: "fallback", avoid: entry.backendId };

    case "sticky":
      // The session belongs wherever it was last moved to (backendId === homeBackendId after any
      // sticky write; an entry left over from temporary mode also stays where it is now).
      if (isAvailable(entry.backendId)) return { kind: "use", backendId: entry.backendId };
      return { kind: "fallback", avoid: entry.backendId };
  }
}

export interface RecordAffinityInput {
  entry: AffinityEntry | undefined;
  decision: AffinityDecision;
  /** The backend that actually served the request (ignored for "reject"). */
  chosenBackendId: string;
  mode: SessionFailover;
  now: number;
  ttlMs: number;
}

/** The entry to store after a request was served (or rejected). */
export function recordAffinity(input: RecordAffinityInput): AffinityEntry {
  const { entry, decision, chosenBackendId, mode, now, ttlMs } = input;
  const expiresAt = now + ttlMs;

  if (decision.kind === "reject") {
    // Untouched, TTL included: a session pinned to a backend that stays down expires on its own
    // instead of being kept alive by its own failed requests.
    return entry ?? { backendId: decision.backendId, homeBackendId: decision.backendId, expiresAt };
  }
  // "choose" starts afresh (an expired entry's home means nothing any more).
  if (decision.kind === "choose" || entry === undefined) {
    return { backendId: chosenBackendId, homeBackendId: chosenBackendId, expiresAt };
  }
  // "use" or "fallback". Only temporary keeps a home apart from the current backend; serving from
  // home (chosen === home) collapses the two again, which is the "return home" step.
  if (mode === "temporary") {
    return { backendId: chosenBackendId, homeBackendId: entry.homeBackendId, expiresAt };
  }
  // sticky moves the session to whatever served it; none never falls back, so this is its "use".
  return { backendId: chosenBackendId, homeBackendId: chosenBackendId, expiresAt };
}

export interface PruneResult {
  /** The entries to keep (a new Map; the input is not modified). */
  entries: Map<string, AffinityEntry>;
  /** Keys that were dropped, for deleting them from Durable Object storage. */
  removed: string[];
}

/**
 * Drops expired entries and, above maxEntries, the soonest-expiring ones. With a sliding TTL the
 * soonest to expire is the least recently used session (for a uniform TTL), so this is LRU.
 */
export function pruneExpired(entries: Map<string, AffinityEntry>, now: number, maxEntries: number): PruneResult {
  const removed: string[] = [];
  const live: Array<[string, AffinityEntry]> = [];
  for (const [key, entry] of entries) {
    if (isExpired(entry, now)) removed.push(key);
    else live.push([key, entry]);
  }
  const cap = Math.max(0, Math.floor(maxEntries));
  if (live.length > cap) {
    // Latest expiry first; key order breaks ties so the result does not depend on insertion order.
    live.sort(([ka, a], [kb, b]) => b.expiresAt - a.expiresAt || (ka < kb ? -1 : ka > kb ? 1 : 0));
    for (const [key] of live.splice(cap)) removed.push(key);
  }
  return { entries: new Map(live), removed };
}
