import { ApiError } from "../api/errors";
import { BackendError, executeOnPiston } from "../backends/piston-remote";
import { executeProgram, programRequest, type ProgramToRun } from "../execution/execute-program";
import type { LogFields, LogLevel } from "../observability/logger";
import { backoffDelayMs } from "../resilience/backoff";
import { DEFAULT_RETRY_POLICY, MIN_USEFUL_TRY_MS, nextRetry, tryTimeoutMs } from "../resilience/retry-policy";
import { planRoute, type RegionPlan } from "../routing/route-plan";
import type { Backend, ClientLocation, Region } from "../routing/types";
import { BUILTIN_RUNTIMES } from "../sandbox";
import { traceAcquire, traceRemoteCall, traceRouting, traceSandbox } from "../tracing/execution";
import type { ExecutionResult, RuntimeInfo } from "../sandbox/types";
import { poolStub } from "./pool-client";
import type { AcquireRequest, AcquireResult, ReleaseSample, RequestPriority } from "./pool-protocol";
import type { EffectiveTopology } from "./topology-cache";

/** When every region is saturated, wait and try again this many times (full-jitter backoff). */
const SATURATION_WAIT_ROUNDS = 3;
const SATURATION_BACKOFF = { baseDelayMs: 100, maxDelayMs: 400 };
const SATURATION_MIN_WAIT_MS = 20;
/** A remote call may take the program's wall budget plus this much for compile, queueing and transfer. */
const REMOTE_OVERHEAD_MS = 10_000;

export interface RoutingHints {
  location: ClientLocation;
  /** Run only in this region (X-Edgebox-Region request header or the body's `region`). */
  pinnedRegionId?: string;
  sessionId?: string;
  /** Key for consistent hashing, e.g. the session id. */
  hashKey?: string;
  priority?: RequestPriority;
}

export interface RouterDeps {
  env: Pick<Env, "REGION_POOL">;
  waitUntil: (promise: Promise<unknown>) => void;
  log?: (level: LogLevel, message: string, fields?: LogFields) => void;
  /** Remote calls go through this (default: global fetch). */
  fetcher?: typeof fetch;
}

/** Where a request ran. */
export interface Route {
  region: Region;
  backendId: string;
  /** What session affinity did for this request, when the region's pool decided. */
  affinity?: "none" | "used" | "pinned" | "fallback";
  /** Attempts it took (1 = no retry). */
  attempts: number;
  /** Set when the request was served in a degraded way (docs/resilience.md). */
  degraded?: "builtin_fallback";
  /** The runtime that actually ran it (differs from the requested one after a builtin fallback). */
  runtime: RuntimeInfo;
}

/** The region a request would run in, without running it (cache hits report it too). */
export function firstRegion(topology: EffectiveTopology, program: ProgramToRun, hints: RoutingHints): Region | undefined {
  return plan(topology, program, hints)[0]?.region;
}

function plan(topology: EffectiveTopology, program: ProgramToRun, hints: RoutingHints): RegionPlan[] {
  return planRoute({
    regions: topology.regions,
    backends: topology.backends,
    wanted: { language: program.runtime.language, version: program.runtime.version },
    location: hints.location,
    pinnedRegionId: hints.pinnedRegionId,
    builtinRuntimes: BUILTIN_RUNTIMES,
  });
}

function unavailable(message: string, retryAfterSeconds: number): ApiError {
  return new ApiError("service_unavailable", message, [], { "Retry-After": String(Math.max(1, retryAfterSeconds)) });
}

function runOn(backend: Backend, program: ProgramToRun, timeoutMs: number, fetcher: typeof fetch | undefined): Promise<ExecutionResult> {
  // Tracing (docs/tracing.md): a sandbox span, or a client span whose traceparent goes to the backend.
  if (backend.kind === "builtin") return traceSandbox(program, () => executeProgram(program));
  return traceRemoteCall(backend, program, (traceHeaders) => executeOnPiston(
    backend.url!,
    programRequest(program),
    { timeoutMs, ...(fetcher ? { fetcher } : {}), headers: traceHeaders },
  ));
}

/** How a failed call counts for the backend (see ReleaseSample). */
function releaseOutcome(error: unknown): ReleaseSample["outcome"] {
  if (!(error instanceof BackendError)) return "ignore";
  if (error.kind === "overloaded") return "overloaded";
  if (error.kind === "http" && error.status !== null && error.status >= 400 && error.status < 500) return "ignore";
  return "failure";
}

/** The built-in runtime that can stand in for a remote JavaScript/TypeScript runtime. */
function builtinStandIn(program: ProgramToRun): RuntimeInfo | undefined {
  const language = program.runtime.language;
  return BUILTIN_RUNTIMES.find((runtime) => runtime.language === language || runtime.aliases.includes(language));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a program in the best region that can take it (docs/routing.md, docs/resilience.md).
 *
 * Regions are tried in failover order. A region whose only candidates are built-in runs the program
 * here, in this invocation, without asking its pool: built-in capacity is the Worker itself.
 * Otherwise the region's pool Durable Object picks a usable backend and leases a slot (the one DO
 * round trip on the hot path); the slot and the call's outcome go back after the response.
 *
 * Failed attempts are retried — only retryable failures, on a different backend, with exponential
 * backoff and full jitter, within the retry budget the pool enforces and an overall deadline that
 * includes every retry. That is safe because an execution has no side effects outside its sandbox.
 * When no remote backend can run a JavaScript/TypeScript program, the built-in runtime does.
 */
export function runRouted(
  deps: RouterDeps,
  topology: EffectiveTopology,
  program: ProgramToRun,
  hints: RoutingHints,
): Promise<{ result: ExecutionResult; route: Route }> {
  return traceRouting(program, () => routeAndRun(deps, topology, program, hints)); // tracing: the execution.route span
}

async function routeAndRun(
  deps: RouterDeps,
  topology: EffectiveTopology,
  program: ProgramToRun,
  hints: RoutingHints,
): Promise<{ result: ExecutionResult; route: Route }> {
  const startedAt = Date.now();
  const deadlineAt = startedAt + program.limits.wallTimeMs + REMOTE_OVERHEAD_MS;
  const perTryTimeoutMs = program.limits.wallTimeMs + REMOTE_OVERHEAD_MS;
  const plans = plan(topology, program, hints);
  const failed: string[] = [];
  let attempts = 0;
  let lastError: BackendError | undefined;
  let retryAfterMs = 1_000;
  let shed = false;
  let outOfRetries = false;

  for (let round = 0; ; round++) {
    let saturated = false;
    regions: for (const [planIndex, { region, candidates }] of plans.entries()) {
      if (candidates.every((backend) => backend.kind === "builtin")) {
        return { result: await traceSandbox(program, () => executeProgram(program)), route: { region, backendId: candidates[0].id, attempts: attempts + 1, runtime: program.runtime } };
      }
      const pool = poolStub(deps.env, region);
      // Retries count against the budget of the region whose backend failed: a request failing over
      // to the next region is a first attempt there (its pool did not see the failure).
      let failedHere = 0;
      // Panic mode (balancing across unhealthy members) only where there is nowhere else to go.
      const lastResort = planIndex === plans.length - 1 && !builtinStandIn(program);
      for (;;) {
        const remaining = candidates.filter((backend) => !failed.includes(backend.id));
        if (remaining.length === 0) continue regions;
        const isRetry = failedHere > 0;
        // Tracing (docs/tracing.md): a client span for the lease; the pool records its own server span.
        const request = acquireRequest(topology, region, remaining, hints, { isRetry, lastResort });
        const acquired = await traceAcquire(region, { isRetry, priority: hints.priority, candidates: remaining.length }, (traceparent) =>
          pool.acquire(request, traceparent) as Promise<AcquireResult>,
        );
        if (!acquired.ok) {
          retryAfterMs = Math.max(retryAfterMs, acquired.retryAfterMs);
          if (acquired.reason === "session_backend_unavailable") {
            throw unavailable(
              `this session's backend '${acquired.backendId}' is unavailable and region '${region.id}' does not fail sessions over`,
              Math.ceil(acquired.retryAfterMs / 1000),
            );
          }
          if (acquired.reason === "retry_budget") {
            outOfRetries = true;
            break regions;
          }
          if (acquired.reason === "shed") shed = true;
          if (acquired.reason === "saturated") saturated = true;
          continue regions; // saturated, shed or nothing usable here: the next region
        }

        attempts += 1;
        const backend = candidates.find((candidate) => candidate.id === acquired.lease.backendId)!;
        const callStartedAt = Date.now();
        try {
          const timeoutMs = tryTimeoutMs(callStartedAt, deadlineAt, perTryTimeoutMs);
          const result = await runOn(backend, program, timeoutMs, deps.fetcher);
          deps.waitUntil(pool.release(acquired.lease.id, { latencyMs: Date.now() - callStartedAt, outcome: "success" }));
          return {
            result,
            route: { region, backendId: backend.id, affinity: acquired.affinity, attempts, runtime: program.runtime },
          };
        } catch (error) {
          deps.waitUntil(pool.release(acquired.lease.id, { latencyMs: Date.now() - callStartedAt, outcome: releaseOutcome(error) }));
          if (!(error instanceof BackendError)) throw error;
          deps.log?.("warn", "remote backend call failed", {
            backend: backend.id,
            region: region.id,
            kind: error.kind,
            status: error.status,
            attempt: attempts,
          });
          if (!error.retryable) {
            if (error.kind === "http" && error.status !== null && error.status >= 400 && error.status < 500) {
              throw new ApiError("validation_failed", error.message);
            }
            throw new ApiError("bad_gateway", `backend '${backend.id}' gave an invalid answer`);
          }
          lastError = error;
          failed.push(backend.id);
          failedHere += 1;
          // The retry goes to another backend, so this one's Retry-After does not apply to it.
          const decision = nextRetry(
            { attempt: attempts, error: { retryable: true, retryAfterMs: null }, now: Date.now(), deadlineAt, perTryTimeoutMs, budgetAllows: true },
            DEFAULT_RETRY_POLICY,
            Math.random,
          );
          if (!decision.retry) break regions;
          await sleep(decision.delayMs);
        }
      }
    }
    // Every region momentarily full (say, just after a failover, while the receiving backends'
    // adaptive limits grow): a short wait beats a 503. A few times, within the deadline.
    if (!saturated || lastError || outOfRetries || round >= SATURATION_WAIT_ROUNDS) break;
    const waitMs = Math.ceil(backoffDelayMs(round + 1, SATURATION_BACKOFF, Math.random)) + SATURATION_MIN_WAIT_MS;
    if (Date.now() + waitMs + MIN_USEFUL_TRY_MS > deadlineAt) break;
    await sleep(waitMs);
  }

  const fallback = await runBuiltinFallback(deps, topology, program, hints, plans, attempts);
  if (fallback) return fallback;
  throw noRouteError(program, hints, plans, { failed, lastError, shed, outOfRetries, retryAfterMs });
}

/** What a region's pool is asked for one lease. */
function acquireRequest(
  topology: EffectiveTopology,
  region: Region,
  remaining: readonly Backend[],
  hints: RoutingHints,
  flags: { isRetry: boolean; lastResort: boolean },
): AcquireRequest {
  return {
    regionId: region.id,
    locationHint: region.locationHint,
    policy: region.policy,
    candidates: remaining.map(({ id, weight, minConcurrency, maxConcurrency, kind, url }) => ({ id, weight, minConcurrency, maxConcurrency, kind, url })),
    existingBackendIds: topology.backends.filter((backend) => backend.regionId === region.id).map((backend) => backend.id),
    ...(hints.hashKey ? { hashKey: hints.hashKey } : {}),
    ...(hints.sessionId ? { session: { id: hints.sessionId, mode: region.sessionFailover, ttlMs: region.affinityTtlSeconds * 1000 } } : {}),
    ...(flags.isRetry ? { isRetry: true } : {}),
    ...(flags.lastResort ? { allowPanic: true } : {}),
    ...(hints.priority ? { priority: hints.priority } : {}),
  };
}

/**
 * When no remote backend could run a JavaScript/TypeScript program: the built-in runtime runs it
 * here, marked degraded. Undefined for other languages (or with no region to name).
 */
async function runBuiltinFallback(
  deps: RouterDeps,
  topology: EffectiveTopology,
  program: ProgramToRun,
  hints: RoutingHints,
  plans: readonly RegionPlan[],
  attempts: number,
): Promise<{ result: ExecutionResult; route: Route } | undefined> {
  const fallback = builtinStandIn(program);
  // Every region has the built-in runtime, so the fallback honours a pinned region too.
  const region = hints.pinnedRegionId
    ? topology.regions.find((candidate) => candidate.id === hints.pinnedRegionId)
    : (plans[0]?.region ?? topology.regions[0]);
  if (!fallback || !region) return undefined;
  deps.log?.("warn", "no remote backend could run the program; the built-in runtime served it", {
    language: program.runtime.language,
    version: program.runtime.version,
  });
  // Never cached: the cache key names the requested runtime, which did not run it.
  const result = { ...(await traceSandbox({ ...program, runtime: fallback }, () => executeProgram({ ...program, runtime: fallback }))), nondeterministic: true };
  return {
    result,
    route: { region, backendId: `builtin-${region.id}`, attempts: attempts + 1, degraded: "builtin_fallback", runtime: fallback },
  };
}

/** Why nothing ran: shed batch work (429), or no capacity / every backend failed (503). */
function noRouteError(
  program: ProgramToRun,
  hints: RoutingHints,
  plans: readonly RegionPlan[],
  outcome: { failed: readonly string[]; lastError: BackendError | undefined; shed: boolean; outOfRetries: boolean; retryAfterMs: number },
): ApiError {
  const what = `${program.runtime.language}-${program.runtime.version}`;
  const where = hints.pinnedRegionId ? ` in region '${hints.pinnedRegionId}'` : "";
  const retryAfterSeconds = Math.ceil(outcome.retryAfterMs / 1000);
  if (outcome.shed && !outcome.lastError) {
    return new ApiError("rate_limited", `batch work for ${what} is being shed while capacity is short; interactive requests are still served`, [], {
      "Retry-After": String(Math.max(1, retryAfterSeconds)),
    });
  }
  if (plans.length === 0) return unavailable(`no healthy backend can run ${what}${where} right now`, 5);
  if (outcome.lastError) {
    const why = outcome.outOfRetries ? "; retries are paused while many requests are failing" : "";
    return unavailable(`every backend tried for ${what}${where} failed (${outcome.failed.join(", ")})${why}; try again shortly`, retryAfterSeconds);
  }
  return unavailable(`every region that can run ${what}${where} is at capacity or unavailable; try again shortly`, retryAfterSeconds);
}
