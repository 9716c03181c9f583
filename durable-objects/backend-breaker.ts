import { DurableObject } from "cloudflare:workers";
import { probePiston } from "../workers/backends/piston-remote";
import { openDatabase } from "../workers/db/client";
import { recordBackendCheck } from "../workers/db/topology";
import { createLogger } from "../workers/observability/logger";
import { poolStub } from "../workers/pools/pool-client";
import {
  breakerSummary,
  force,
  initialBreakerState,
  nextTransitionAt,
  recordOutcome,
  tick,
  type BreakerState,
  type BreakerTransition,
} from "../workers/resilience/breaker";
import {
  BREAKER_CONFIG,
  breakerEvent,
  MAX_HEALTH_EVENTS,
  PROBE_CONFIG,
  type BackendHealthDetails,
  type BreakerTarget,
  type HealthEvent,
  type ReportedOutcome,
} from "../workers/resilience/breaker-protocol";
import type { BackendHealthView } from "../workers/resilience/health-view";
import type { BackendRuntime } from "../workers/routing/types";
import { initialProbeState, recordPassive, recordProbe, type ProbeState } from "../workers/resilience/probe-state";

const log = createLogger({ component: "backend-breaker" });

/**
 * One remote backend's health (docs/resilience.md): its circuit breaker, its active probes and the
 * transitions between states. A thin shell: the state machines are pure (workers/resilience); this
 * stores them, runs probes on its alarm, and tells the backend's region pool whenever the view
 * changes. The pool enforces the view on the hot path, so requests never wait on this object.
 */
export class BackendBreaker extends DurableObject<Env> {
  private target: BreakerTarget | null = null;
  private breaker: BreakerState = initialBreakerState(BREAKER_CONFIG);
  private probe: ProbeState = initialProbeState();
  private events: HealthEvent[] = [];
  private version = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.get<{
        target: BreakerTarget | null;
        breaker: BreakerState;
        probe: ProbeState;
        events: HealthEvent[];
        version: number;
      }>("state");
      if (stored) Object.assign(this, stored);
    });
  }

  /** Tells the breaker what it guards; starts the probe schedule. Idempotent. */
  async configure(target: BreakerTarget): Promise<BackendHealthView> {
    const changed = JSON.stringify(target) !== JSON.stringify(this.target);
    this.target = target;
    if (changed) await this.save();
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
    return this.view();
  }

  /** Outcomes of live calls, in a batch from the pool; returns the view after them. */
  async report(outcomes: ReportedOutcome[]): Promise<BackendHealthView> {
    const now = Date.now();
    const before = this.viewKey();
    const probeBefore = this.probe.status;
    for (const outcome of outcomes) {
      const step = recordOutcome(this.breaker, outcome, now, BREAKER_CONFIG);
      this.breaker = step.state;
      if (step.transition) this.onBreakerTransition(step.transition);
      if (outcome.success || outcome.backendFault) {
        const passive = recordPassive(this.probe, outcome.success, now, PROBE_CONFIG);
        this.probe = passive.state;
        if (passive.changed) this.onProbeChange(passive.changed, "live traffic");
      }
    }
    await this.afterChange(before, { pushToPool: false });
    // Live traffic found it down: store that at once, so every isolate's routing view (≤ 5 s old)
    // stops choosing its region for it without waiting for the next probe.
    if (this.probe.status === "unhealthy" && probeBefore !== "unhealthy" && this.target) await this.storeHealth(this.target.backendId);
    return this.view();
  }

  private async storeHealth(backendId: string, runtimes?: BackendRuntime[]) {
    try {
      await recordBackendCheck(openDatabase(this.env.DB), backendId, {
        healthy: this.probe.status !== "unhealthy",
        ...(runtimes ? { runtimes } : {}),
        at: Date.now(),
      });
    } catch (error) {
      log.log("warn", "could not store a backend's health", { backend: backendId, error: String(error) });
    }
  }

  view(): BackendHealthView {
    return {
      backendId: this.target?.backendId ?? "",
      breaker: this.breaker.name,
      openUntil: this.breaker.openUntil,
      halfOpenPermits: this.breaker.halfOpen?.permitted ?? BREAKER_CONFIG.permittedCallsInHalfOpen,
      probe: this.probe.status,
      version: this.version,
    };
  }

  details(): BackendHealthDetails {
    return { view: this.view(), breaker: breakerSummary(this.breaker, Date.now(), BREAKER_CONFIG), probe: this.probe, events: this.events };
  }

  /** Operator override: force the breaker open or closed, or reset it to a fresh CLOSED. */
  async force(mode: "open" | "closed" | "reset"): Promise<BackendHealthDetails> {
    const before = this.viewKey();
    const step = force(this.breaker, mode, Date.now());
    this.breaker = step.state;
    this.onBreakerTransition(step.transition);
    await this.afterChange(before, { pushToPool: true, always: true });
    return this.details();
  }

  /** Time-driven breaker transitions (OPEN → HALF_OPEN) and active probes. */
  async alarm(): Promise<void> {
    const now = Date.now();
    const before = this.viewKey();
    const step = tick(this.breaker, now, BREAKER_CONFIG);
    this.breaker = step.state;
    if (step.transition) this.onBreakerTransition(step.transition);
    // Alarms are set for the next probe (or breaker transition, where an extra probe costs nothing).
    if (this.target?.kind === "piston" && this.target.url) {
      await this.runProbe(this.target.backendId, this.target.url);
    }
    await this.afterChange(before, { pushToPool: true });
    const next = [this.nextProbeAt(), nextTransitionAt(this.breaker, BREAKER_CONFIG)].filter((at): at is number => at !== null);
    if (next.length > 0) await this.ctx.storage.setAlarm(Math.max(Date.now() + 100, Math.min(...next)));
  }

  private async runProbe(backendId: string, url: string) {
    const probe = await probePiston(url, { timeoutMs: PROBE_CONFIG.timeoutMs });
    const result = recordProbe(
      this.probe,
      { ok: probe.healthy, latencyMs: probe.latencyMs, ...(probe.error ? { error: probe.error.message } : {}) },
      Date.now(),
      PROBE_CONFIG,
    );
    this.probe = result.state;
    if (result.changed) this.onProbeChange(result.changed, probe.error?.message ?? "probe passed");
    // The stored copy feeds every isolate's routing view and the runtime lists (≤ 5 s later).
    await this.storeHealth(backendId, probe.healthy ? probe.runtimes : undefined);
  }

  private nextProbeAt(): number | null {
    if (this.target?.kind !== "piston") return null;
    return (this.probe.lastProbeAt ?? 0) + PROBE_CONFIG.intervalMs;
  }

  private onBreakerTransition(transition: BreakerTransition) {
    this.record(breakerEvent(transition));
  }

  private onProbeChange(changed: { from: string; to: string }, reason: string) {
    this.record({ at: Date.now(), kind: "probe", from: changed.from, to: changed.to, reason });
  }

  private record(event: HealthEvent) {
    this.events = [...this.events, event].slice(-MAX_HEALTH_EVENTS);
    // Transitions are events: JSON log lines now, alert rules later.
    log.log(event.to === "open" || event.to === "unhealthy" ? "warn" : "info", `${event.kind} ${event.from} -> ${event.to}`, {
      backend: this.target?.backendId ?? null,
      region: this.target?.regionId ?? null,
      reason: event.reason,
    });
  }

  private viewKey(): string {
    return `${this.breaker.name}|${this.breaker.openUntil}|${this.probe.status}`;
  }

  private async afterChange(before: string, options: { pushToPool: boolean; always?: boolean }) {
    const changed = options.always || this.viewKey() !== before;
    if (changed) this.version += 1;
    await this.save();
    if (changed && options.pushToPool && this.target) {
      try {
        await poolStub(this.env, { id: this.target.regionId, locationHint: this.target.locationHint }).updateHealth(this.view());
      } catch (error) {
        // The pool also learns the view from its next report; a lost push only delays it.
        log.log("warn", "could not push a health change to the pool", { backend: this.target.backendId, error: String(error) });
      }
    }
  }

  private save() {
    return this.ctx.storage.put("state", {
      target: this.target,
      breaker: this.breaker,
      probe: this.probe,
      events: this.events,
      version: this.version,
    });
  }
}
