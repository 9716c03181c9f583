import { DurableObject } from "cloudflare:workers";
import {
  adaptiveLimitConfig,
  effectiveLimit,
  initialLimitState,
  onSample,
  type AdaptiveLimitConfig,
  type AdaptiveLimitState,
} from "../workers/routing/adaptive-limit";
import { pruneExpired, type AffinityEntry } from "../workers/routing/affinity";
import { LeaseBook, type Lease } from "../workers/routing/lease-book";
import { initialPolicyState, type PolicyState } from "../workers/routing/policies";
import { admit, type AdmissionRequest, type CandidateBackend } from "../workers/routing/pool-admission";
import { appendSample, recommendScaling, type UtilisationSample } from "../workers/routing/scaling";
import { runPoolMaintenance } from "../workers/pools/pool-maintenance";
import {
  AFFINITY_MAX_ENTRIES,
  LEASE_TTL_MS,
  MAINTENANCE_INTERVAL_MS,
  SAMPLE_INTERVAL_MS,
  SATURATED_RETRY_AFTER_MS,
  SCALING_CONFIG,
  SCALING_MAX_SAMPLES,
  type AcquireRequest,
  type AcquireResult,
  type PoolSnapshot,
  type ReleaseSample,
} from "../workers/pools/pool-protocol";

const AFFINITY_KEY_PREFIX = "affinity:";
const REGION_KEY = "region";

/**
 * One region's pool (docs/routing.md). A thin shell: it keeps the live state — leases, adaptive
 * limits, the policy's cursor, session affinity, utilisation samples — and asks the pure modules in
 * workers/routing what to do. Affinity entries are persisted (sessions outlive an eviction);
 * leases and limits are not: after a restart counts start from zero and limits from their initial
 * value, which errs towards admitting for at most one lease TTL.
 */
export class RegionPool extends DurableObject<Env> {
  private readonly leases = new LeaseBook();
  private readonly limits = new Map<string, { state: AdaptiveLimitState; config: AdaptiveLimitConfig }>();
  private readonly samples = new Map<string, UtilisationSample[]>();
  private readonly lastSampleAt = new Map<string, number>();
  private readonly rejectedSinceSample = new Map<string, number>();
  private policyState: PolicyState = initialPolicyState();
  private affinity = new Map<string, AffinityEntry>();
  private regionId: string | null = null;
  private leaseCounter = 0;
  private readonly announced = new Map<string, string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.list<AffinityEntry>({ prefix: AFFINITY_KEY_PREFIX });
      for (const [key, entry] of stored) this.affinity.set(key.slice(AFFINITY_KEY_PREFIX.length), entry);
      this.regionId = (await ctx.storage.get<string>(REGION_KEY)) ?? null;
    });
  }

  /** Leases a slot on the backend the policy (and the session's affinity) chooses, or says why not. */
  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    const now = Date.now();
    await this.remember(request.regionId);
    this.leases.sweep(now);
    for (const candidate of request.candidates) this.limitFor(candidate);

    const sessionId = request.session?.id;
    const decision = admit(stripLimits(request), {
      now,
      random: Math.random,
      policyState: this.policyState,
      inFlight: (id) => this.leases.inFlight(id),
      limit: (id) => {
        const entry = this.limits.get(id);
        return entry ? effectiveLimit(entry.state, entry.config) : 0;
      },
      affinity: sessionId === undefined ? undefined : this.affinity.get(sessionId),
    });
    this.policyState = decision.policyState;
    if (sessionId !== undefined && decision.affinity) this.storeAffinity(sessionId, decision.affinity);

    const outcome = decision.outcome;
    if (!outcome.ok) {
      for (const candidate of request.candidates) this.countRejection(candidate.id);
      this.sampleAll(request.candidates, now);
      return { ...outcome, retryAfterMs: SATURATED_RETRY_AFTER_MS };
    }
    const lease: Lease = {
      id: `${now.toString(36)}-${(this.leaseCounter++).toString(36)}`,
      backendId: outcome.backendId,
      acquiredAt: now,
      expiresAt: now + (request.leaseTtlMs ?? LEASE_TTL_MS),
    };
    this.leases.add(lease);
    this.sampleAll(request.candidates, now);
    return { ok: true, lease, affinity: outcome.affinity };
  }

  /** Gives a slot back and feeds the call's outcome to the backend's adaptive limit. */
  release(leaseId: string, sample: ReleaseSample): boolean {
    const lease = this.leases.release(leaseId);
    if (!lease) return false;
    const entry = this.limits.get(lease.backendId);
    if (entry) {
      entry.state = onSample(
        entry.state,
        { latencyMs: sample.latencyMs, outcome: sample.outcome, inFlight: this.leases.inFlight(lease.backendId) + 1 },
        entry.config,
      );
    }
    return true;
  }

  /** Live view for the admin API: in-flight, limits, recommendations, session count. */
  snapshot(): PoolSnapshot {
    const now = Date.now();
    this.leases.sweep(now);
    const backends = [...this.limits.entries()].map(([id, { state, config }]) => ({
      id,
      inFlight: this.leases.inFlight(id),
      limit: effectiveLimit(state, config),
      minLimit: config.minLimit,
      maxLimit: config.maxLimit,
      recommendation: recommendScaling(this.samples.get(id) ?? [], now, SCALING_CONFIG),
    }));
    return { regionId: this.regionId, at: now, leases: this.leases.size, sessions: this.affinity.size, backends };
  }

  /** Probes the region's remote backends and reports scaling recommendations (docs/routing.md). */
  async alarm(): Promise<void> {
    if (this.regionId === null) return;
    const snapshot = this.snapshot();
    await runPoolMaintenance(this.env, this.regionId, snapshot, this.announced);
    this.pruneAffinity(Date.now());
    await this.ctx.storage.setAlarm(Date.now() + MAINTENANCE_INTERVAL_MS);
  }

  /** Makes sure maintenance is scheduled (the cron and admin writes call this). */
  async start(regionId: string): Promise<void> {
    await this.remember(regionId);
  }

  private async remember(regionId: string): Promise<void> {
    if (this.regionId !== regionId) {
      this.regionId = regionId;
      await this.ctx.storage.put(REGION_KEY, regionId);
    }
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + MAINTENANCE_INTERVAL_MS);
    }
  }

  private limitFor(candidate: AcquireRequest["candidates"][number]) {
    const config = adaptiveLimitConfig(candidate);
    const existing = this.limits.get(candidate.id);
    if (existing && existing.config.minLimit === config.minLimit && existing.config.maxLimit === config.maxLimit) return existing;
    // New backend, or an admin changed its bounds: keep the learned limit, clamped to the new range.
    const state = existing
      ? { limit: effectiveLimit(existing.state, config) }
      : initialLimitState(config);
    const entry = { state, config };
    this.limits.set(candidate.id, entry);
    return entry;
  }

  private countRejection(backendId: string) {
    this.rejectedSinceSample.set(backendId, (this.rejectedSinceSample.get(backendId) ?? 0) + 1);
  }

  /** At most one utilisation sample per backend per SAMPLE_INTERVAL_MS feeds the scaling advice. */
  private sampleAll(candidates: readonly CandidateBackend[], now: number) {
    for (const { id } of candidates) {
      if (now - (this.lastSampleAt.get(id) ?? 0) < SAMPLE_INTERVAL_MS) continue;
      const entry = this.limits.get(id);
      if (!entry) continue;
      this.lastSampleAt.set(id, now);
      const sample: UtilisationSample = {
        at: now,
        inFlight: this.leases.inFlight(id),
        limit: effectiveLimit(entry.state, entry.config),
        rejected: this.rejectedSinceSample.get(id) ?? 0,
      };
      this.rejectedSinceSample.delete(id);
      this.samples.set(id, appendSample(this.samples.get(id) ?? [], sample, now, SCALING_CONFIG.windowMs, SCALING_MAX_SAMPLES));
    }
  }

  private storeAffinity(sessionId: string, entry: AffinityEntry) {
    this.affinity.set(sessionId, entry);
    // Not awaited: the output gate holds the response until the write is durable.
    void this.ctx.storage.put(AFFINITY_KEY_PREFIX + sessionId, entry);
    // Pruning sorts every entry: do it once the map is 10 % over, not on every new session.
    if (this.affinity.size > AFFINITY_MAX_ENTRIES * 1.1) this.pruneAffinity(Date.now());
  }

  private pruneAffinity(now: number) {
    const { entries, removed } = pruneExpired(this.affinity, now, AFFINITY_MAX_ENTRIES);
    this.affinity = entries;
    const keys = removed.map((id) => AFFINITY_KEY_PREFIX + id);
    // storage.delete takes at most 128 keys at a time.
    for (let i = 0; i < keys.length; i += 128) void this.ctx.storage.delete(keys.slice(i, i + 128));
  }
}

function stripLimits(request: AcquireRequest): AdmissionRequest {
  return {
    policy: request.policy,
    candidates: request.candidates.map(({ id, weight }) => ({ id, weight })),
    existingBackendIds: request.existingBackendIds,
    hashKey: request.hashKey,
    session: request.session,
    avoid: request.avoid,
  };
}
