import type { BumpedTag, GenerationStore, TenantCacheSettings } from "./generation-store";
import { SingleFlight } from "./single-flight";
import { qualifiedTag, SHARED_NAMESPACE, type ScopedTag } from "./tags";

/**
 * How long an isolate trusts the generations (and cache settings) it read from D1. This is the
 * staleness bound of invalidation: an invalidation committed at time T stops every lookup, in every
 * isolate and colo, from reaching entries it invalidated by T + 5 s (the isolate that invalidated
 * sees it at once). 5 s keeps D1 to about one small read per tenant per isolate every 5 s while a
 * client that invalidates and re-runs waits no longer than it takes to notice.
 */
export const GENERATION_STALENESS_MS = 5_000;
/** Tenants whose view an isolate keeps; past this the oldest is dropped (and read again when needed). */
const MAX_CACHED_TENANTS = 10_000;
/** A follower of a generation load waits this long for the leader before reading D1 itself. */
const LOAD_FOLLOWER_TIMEOUT_MS = 10_000;

/** What a lookup needs to know about its tenant: namespace, SWR, and the generations of its tags. */
export interface CacheView {
  tenantId: string;
  namespace: string;
  swrMs: number;
  generation(tag: ScopedTag): number;
}

interface CachedView {
  settings: TenantCacheSettings;
  generations: Map<string, number>;
  /** Trusted until then: the read started before this minus the staleness bound. */
  validUntil: number;
}

/**
 * Isolate-memory copy of the invalidation generations, re-read from the strongly consistent store
 * after GENERATION_STALENESS_MS. Bumps made here are applied here at once.
 */
export class GenerationCache {
  private readonly views = new Map<string, CachedView>();
  /** Bumps made by this isolate recently, re-applied to views whose read may have missed them. */
  private readonly recentBumps = new Map<string, { generation: number; at: number }>();
  private readonly loads = new SingleFlight<CachedView>();

  constructor(readonly stalenessMs: number = GENERATION_STALENESS_MS) {}

  async view(store: GenerationStore, tenantId: string, now: number, waitUntil?: (promise: Promise<unknown>) => void): Promise<CacheView> {
    let cached = this.views.get(tenantId);
    if (!cached || now >= cached.validUntil) {
      const { value } = await this.loads.run(
        tenantId,
        async () => {
          const snapshot = await store.loadForTenant(tenantId);
          const loaded: CachedView = { ...snapshot, validUntil: now + this.stalenessMs };
          this.applyRecentBumps(loaded.generations, now);
          this.remember(tenantId, loaded);
          return loaded;
        },
        { waitUntil, followerTimeoutMs: LOAD_FOLLOWER_TIMEOUT_MS },
      );
      cached = value;
    }
    const { settings, generations } = cached;
    return {
      tenantId,
      namespace: settings.shared ? SHARED_NAMESPACE : tenantId,
      swrMs: settings.swrSeconds * 1000,
      generation: (tag) => generations.get(qualifiedTag(tag)) ?? 0,
    };
  }

  /** Bumps in the store, then here, so this isolate never serves what it just invalidated. */
  async bump(store: GenerationStore, targets: readonly ScopedTag[], now: number): Promise<BumpedTag[]> {
    const bumped = await store.bump(targets, now);
    for (const row of bumped) {
      const key = qualifiedTag(row);
      this.recentBumps.set(key, { generation: row.generation, at: now });
      for (const view of this.views.values()) {
        view.generations.set(key, Math.max(view.generations.get(key) ?? 0, row.generation));
      }
    }
    return bumped;
  }

  /** Forget tenant settings (after they change here), so the next lookup reads them again. */
  forgetTenant(tenantId: string): void {
    this.views.delete(tenantId);
  }

  private applyRecentBumps(generations: Map<string, number>, now: number): void {
    for (const [key, bump] of this.recentBumps) {
      // A read that started more than a staleness bound after a bump has certainly seen it.
      if (now - bump.at > 2 * this.stalenessMs) {
        this.recentBumps.delete(key);
        continue;
      }
      generations.set(key, Math.max(generations.get(key) ?? 0, bump.generation));
    }
  }

  private remember(tenantId: string, view: CachedView): void {
    this.views.delete(tenantId);
    if (this.views.size >= MAX_CACHED_TENANTS) {
      const oldest = this.views.keys().next().value;
      if (oldest !== undefined) this.views.delete(oldest);
    }
    this.views.set(tenantId, view);
  }
}
