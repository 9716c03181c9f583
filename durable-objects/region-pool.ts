import { DurableObject } from "cloudflare:workers";
import { createLogger } from "../workers/observability/logger";
import { runPoolMaintenance } from "../workers/pools/pool-maintenance";
import {
  AFFINITY_MAX_ENTRIES,
  INTERACTIVE_RESERVE_RATIO,
  LEASE_TTL_MS,
  MAINTENANCE_INTERVAL_MS,
  SAMPLE_INTERVAL_MS,
  SATURATED_RETRY_AFTER_MS,
  SCALING_CONFIG,
  SCALING_MAX_SAMPLES,
  type AcquireCandidate,
  type AcquireRequest,
  type AcquireResult,
  type PoolSnapshot,
  type ReleaseSample,
} from "../workers/pools/pool-protocol";
import { adaptiveLimitConfig, effectiveLimit, initialLimitState, onSample, type AdaptiveLimitConfig, type AdaptiveLimitState } from "../workers/routing/adaptive-limit";
import { pruneExpired, type AffinityEntry } from "../workers/routing/affinity";
import { LeaseBook, type Lease } from "../workers/routing/lease-book";
import { initialPolicyState, type PolicyState } from "../workers/routing/policies";
import { admit, type AdmissionRequest } from "../workers/routing/pool-admission";
import { appendSample, recommendScaling, type UtilisationSample } from "../workers/routing/scaling";
import { EJECTION_CONFIG, OUTCOME_BATCH_MAX_AGE_MS, OUTCOME_BATCH_SIZE, type ReportedOutcome } from "../workers/resilience/breaker-protocol";
import { usableBackends, type BackendHealthView } from "../workers/resilience/health-view";
import { initialHostEjectionState, isEjected, recordHostOutcome, type HostEjectionState } from "../workers/resilience/outlier-ejection";
import { canRetry } from "../workers/resilience/retry-budget";
import { traceDurableObjectCall } from "../workers/tracing/durable-object";
import { acquireAttributes } from "../workers/tracing/execution";

const AFFINITY_KEY_PREFIX = "affinity:";
const REGION_KEY = "region";
const log = createLogger({ component: "region-pool" });

interface LeaseInfo {
  retry: boolean;
  halfOpenTrial: boolean;
}

/**
 * One region's pool (docs/routing.md, docs/resilience.md): the single place requests to the
 * region's backends are admitted. A thin shell: it keeps the live state — leases, adaptive limits,
 * the policy's cursor, session affinity, outlier ejections, each backend's breaker view — and asks
 * the pure modules in workers/routing and workers/resilience what to do. Outcomes go to each
 * backend's BackendBreaker in batches, off the hot path; its answers (and its pushes, on alarms and
 * operator overrides) keep the breaker view here fresh.
 *
 * Affinity entries are persisted (sessions outlive an eviction); the rest is not: after a restart
 * counts start from zero and limits from their initial value, and breaker views are relearnt from
 * the next report or push.
 */
export class RegionPool extends DurableObject<Env> {
  private readonly leases = new LeaseBook();
  private readonly leaseInfo = new Map<string, LeaseInfo>();
  private readonly limits = new Map<string, { state: AdaptiveLimitState; config: AdaptiveLimitConfig }>();
  private readonly samples = new Map<string, UtilisationSample[]>();
  private readonly lastSampleAt = new Map<string, number>();
  private readonly rejectedSinceSample = new Map<string, number>();
  private readonly health = new Map<string, { view: BackendHealthView; trialsStarted: number }>();
  private readonly ejections = new Map<string, HostEjectionState>();
  private readonly pending = new Map<string, { since: number; outcomes: ReportedOutcome[] }>();
  private readonly configured = new Set<string>();
  private readonly announced = new Map<string, string>();
  private policyState: PolicyState = initialPolicyState();
  private affinity = new Map<string, AffinityEntry>();
  private regionId: string | null = null;
  private locationHint: string | null = null;
  private alarmArmed = false;
  private leaseCounter = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.list<AffinityEntry>({ prefix: AFFINITY_KEY_PREFIX });
      for (const [key, entry] of stored) this.affinity.set(key.slice(AFFINITY_KEY_PREFIX.length), entry);
      this.regionId = (await ctx.storage.get<string>(REGION_KEY)) ?? null;
    });
  }

  /**
   * Leases a slot on the backend the policy (and the session's affinity) chooses, or says why not.
   * Tracing (docs/tracing.md): with the caller's traceparent, the call is a server span of its trace.
   */
  async acquire(request: AcquireRequest, traceparent?: string): Promise<AcquireResult> {
    const attributes = { "rpc.system": "cloudflare.durable_objects", "rpc.service": "RegionPool", "rpc.method": "acquire", "edgebox.region": request.regionId };
    return traceDurableObjectCall(this.env, this.ctx, "RegionPool.acquire", traceparent, attributes, () => this.acquireSlot(request), acquireAttributes);
  }

  private async acquireSlot(request: AcquireRequest): Promise<AcquireResult> {
    const now = Date.now();
    await this.remember(request.regionId);
    this.locationHint = request.locationHint;
    for (const expired of this.leases.sweep(now)) this.leaseInfo.delete(expired.id);
    for (const candidate of request.candidates) {
      this.limitFor(candidate);
      this.configureBreaker(candidate);
    }
    const refuse = (reason: Exclude<AcquireResult, { ok: true }>["reason"], backendId?: string): AcquireResult => {
      for (const candidate of request.candidates) this.countRejection(candidate.id);
      this.sampleAll(request.candidates, now);
      return { ok: false, reason, retryAfterMs: SATURATED_RETRY_AFTER_MS, ...(backendId ? { backendId } : {}) };
    };

    if (request.isRetry) {
      const activeRetries = [...this.leaseInfo.values()].filter((info) => info.retry).length;
      if (!canRetry({ activeRequests: this.leases.size + 1, activeRetries })) return refuse("retry_budget");
    }

    const usable = usableBackends({
      candidates: request.candidates.map((candidate) => candidate.id),
      now,
      view: (id) => this.health.get(id)?.view,
      trialsStarted: (id) => this.health.get(id)?.trialsStarted ?? 0,
      ejection: (id) => this.ejections.get(id),
      config: EJECTION_CONFIG,
      allowPanic: request.allowPanic === true,
    });
    if (usable.ids.length === 0) return refuse("unavailable");
    const allowed = new Set(usable.ids);
    const admission: AdmissionRequest = {
      policy: request.policy,
      candidates: request.candidates.filter((candidate) => allowed.has(candidate.id)).map(({ id, weight }) => ({ id, weight })),
      existingBackendIds: request.existingBackendIds,
      hashKey: request.hashKey,
      session: request.session,
      avoid: request.avoid,
    };
    const sessionId = request.session?.id;
    const decide = (reserveForInteractive: boolean) =>
      admit(admission, {
        now,
        random: Math.random,
        policyState: this.policyState,
        inFlight: (id) => this.leases.inFlight(id),
        limit: (id) => {
          const limit = this.currentLimit(id);
          // Batch work may use only what interactive requests leave (docs/resilience.md).
          return reserveForInteractive ? Math.max(1, Math.floor(limit * (1 - INTERACTIVE_RESERVE_RATIO))) : limit;
        },
        affinity: sessionId === undefined ? undefined : this.affinity.get(sessionId),
      });
    const batch = request.priority === "batch";
    const decision = decide(batch);
    if (!decision.outcome.ok) {
      if (decision.outcome.reason === "session_backend_unavailable") return refuse("session_backend_unavailable", decision.outcome.backendId);
      return refuse(batch && decide(false).outcome.ok ? "shed" : "saturated");
    }
    this.policyState = decision.policyState;
    if (sessionId !== undefined && decision.affinity) this.storeAffinity(sessionId, decision.affinity);

    const backendId = decision.outcome.backendId;
    const health = this.health.get(backendId);
    const halfOpenTrial = health?.view.breaker === "half_open";
    if (health && halfOpenTrial) health.trialsStarted += 1;
    const lease: Lease = {
      id: `${now.toString(36)}-${(this.leaseCounter++).toString(36)}`,
      backendId,
      acquiredAt: now,
      expiresAt: now + (request.leaseTtlMs ?? LEASE_TTL_MS),
    };
    this.leases.add(lease);
    this.leaseInfo.set(lease.id, { retry: request.isRetry === true, halfOpenTrial });
    this.sampleAll(request.candidates, now);
    return { ok: true, lease, affinity: decision.outcome.affinity, panic: usable.panic };
  }

  /** Gives a slot back and feeds the call's outcome to the adaptive limit, ejection and breaker. */
  async release(leaseId: string, sample: ReleaseSample): Promise<boolean> {
    const now = Date.now();
    const lease = this.leases.release(leaseId);
    const info = this.leaseInfo.get(leaseId);
    this.leaseInfo.delete(leaseId);
    if (!lease) return false;
    const limit = this.limits.get(lease.backendId);
    if (limit) {
      const outcome = sample.outcome === "success" ? "success" : sample.outcome === "ignore" ? "ignore" : "dropped";
      limit.state = onSample(
        limit.state,
        { latencyMs: sample.latencyMs, outcome, inFlight: this.leases.inFlight(lease.backendId) + 1 },
        limit.config,
      );
    }
    if (sample.outcome !== "success" && sample.outcome !== "failure") return true;
    const success = sample.outcome === "success";

    const ejectedNow = [...this.ejections.values()].filter((host) => isEjected(host, now)).length;
    const ejection = recordHostOutcome(
      this.ejections.get(lease.backendId) ?? initialHostEjectionState(),
      success,
      now,
      EJECTION_CONFIG,
      { size: Math.max(this.limits.size, 1), ejectedNow },
    );
    this.ejections.set(lease.backendId, ejection.state);
    if (ejection.ejected) {
      log.log("warn", "backend ejected as an outlier", { region: this.regionId, backend: lease.backendId, ejectionMs: ejection.ejectionMs });
    }

    if (!this.configured.has(lease.backendId)) return true;
    const batch = this.pending.get(lease.backendId) ?? { since: now, outcomes: [] };
    batch.outcomes.push({ success, durationMs: sample.latencyMs, startedAt: lease.acquiredAt, backendFault: !success });
    this.pending.set(lease.backendId, batch);
    const due =
      info?.halfOpenTrial || batch.outcomes.length >= OUTCOME_BATCH_SIZE || now - batch.since >= OUTCOME_BATCH_MAX_AGE_MS;
    if (due) await this.flush(lease.backendId);
    return true;
  }

  /** A backend's breaker reports a new view (alarm transitions, probe results, operator overrides). */
  updateHealth(view: BackendHealthView): void {
    const known = this.health.get(view.backendId);
    if (known && known.view.version > view.version) return;
    if (known && known.view.version === view.version) return;
    this.health.set(view.backendId, { view, trialsStarted: 0 });
  }

  /** Live view for the admin API and GET /v1/health. */
  snapshot(): PoolSnapshot {
    const now = Date.now();
    for (const expired of this.leases.sweep(now)) this.leaseInfo.delete(expired.id);
    const backends = [...this.limits.keys()].map((id) => {
      const { config } = this.limits.get(id)!;
      const ejection = this.ejections.get(id);
      return {
        id,
        inFlight: this.leases.inFlight(id),
        limit: this.currentLimit(id),
        minLimit: config.minLimit,
        maxLimit: config.maxLimit,
        breaker: this.health.get(id)?.view.breaker ?? null,
        ejectedUntil: ejection && isEjected(ejection, now) ? ejection.ejectedUntil : null,
        recommendation: recommendScaling(this.samples.get(id) ?? [], now, SCALING_CONFIG),
      };
    });
    return { regionId: this.regionId, at: now, leases: this.leases.size, sessions: this.affinity.size, backends };
  }

  /** Flushes outcome batches and reports scaling recommendations (docs/routing.md). */
  async alarm(): Promise<void> {
    this.alarmArmed = false;
    if (this.regionId === null) return;
    await Promise.all([...this.pending.keys()].map((id) => this.flush(id)));
    await runPoolMaintenance(this.env, this.regionId, this.snapshot(), this.announced);
    this.pruneAffinity(Date.now());
    await this.armAlarm();
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
    if (!this.alarmArmed) await this.armAlarm();
  }

  private async armAlarm() {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + MAINTENANCE_INTERVAL_MS);
    this.alarmArmed = true;
  }

  private breakerFor(backendId: string) {
    return this.env.BACKEND_BREAKER.get(this.env.BACKEND_BREAKER.idFromName(backendId));
  }

  /** The first time the pool sees a remote backend, its breaker learns what to guard and starts probing. */
  private configureBreaker(candidate: AcquireCandidate) {
    if (candidate.kind !== "piston" || this.configured.has(candidate.id) || this.regionId === null) return;
    this.configured.add(candidate.id);
    const target = {
      backendId: candidate.id,
      regionId: this.regionId,
      locationHint: this.locationHint,
      kind: candidate.kind,
      url: candidate.url,
    };
    this.ctx.waitUntil(
      this.breakerFor(candidate.id)
        .configure(target)
        .then((view) => this.updateHealth(view))
        .catch(() => this.configured.delete(candidate.id)),
    );
  }

  private async flush(backendId: string) {
    const batch = this.pending.get(backendId);
    if (!batch || batch.outcomes.length === 0) return;
    this.pending.delete(backendId);
    try {
      this.updateHealth(await this.breakerFor(backendId).report(batch.outcomes));
    } catch (error) {
      log.log("warn", "could not report outcomes to a breaker", { backend: backendId, error: String(error) });
    }
  }

  private currentLimit(id: string): number {
    const entry = this.limits.get(id);
    return entry ? effectiveLimit(entry.state, entry.config) : 0;
  }

  private limitFor(candidate: AcquireCandidate) {
    const config = adaptiveLimitConfig(candidate);
    const existing = this.limits.get(candidate.id);
    if (existing && existing.config.minLimit === config.minLimit && existing.config.maxLimit === config.maxLimit) return existing;
    // New backend, or an admin changed its bounds: keep the learned limit, clamped to the new range.
    const entry = { state: existing ? { limit: effectiveLimit(existing.state, config) } : initialLimitState(config), config };
    this.limits.set(candidate.id, entry);
    return entry;
  }

  private countRejection(backendId: string) {
    this.rejectedSinceSample.set(backendId, (this.rejectedSinceSample.get(backendId) ?? 0) + 1);
  }

  /** At most one utilisation sample per backend per SAMPLE_INTERVAL_MS feeds the scaling advice. */
  private sampleAll(candidates: readonly AcquireCandidate[], now: number) {
    for (const { id } of candidates) {
      if (now - (this.lastSampleAt.get(id) ?? 0) < SAMPLE_INTERVAL_MS || !this.limits.has(id)) continue;
      this.lastSampleAt.set(id, now);
      const sample: UtilisationSample = {
        at: now,
        inFlight: this.leases.inFlight(id),
        limit: this.currentLimit(id),
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
