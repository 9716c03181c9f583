import { ApiError } from "../api/errors";
import { BackendError, executeOnPiston } from "../backends/piston-remote";
import { executeProgram, type ProgramToRun } from "../execution/execute-program";
import type { LogFields, LogLevel } from "../observability/logger";
import { planRoute, type RegionPlan } from "../routing/route-plan";
import type { Backend, ClientLocation, Region } from "../routing/types";
import { BUILTIN_RUNTIMES } from "../sandbox";
import type { ExecutionResult } from "../sandbox/types";
import { poolStub } from "./pool-client";
import type { AcquireResult } from "./pool-protocol";
import type { EffectiveTopology } from "./topology-cache";

/** Most backends one request is tried on before it fails (retry policy proper: issue 5's resilience layer). */
const MAX_ATTEMPTS = 3;
/** A remote call may take the program's wall budget plus this much for compile and transfer. */
const REMOTE_OVERHEAD_MS = 10_000;

export interface RoutingHints {
  location: ClientLocation;
  /** Run only in this region (X-Edgebox-Region request header or the body's `region`). */
  pinnedRegionId?: string;
  sessionId?: string;
  /** Key for consistent hashing, e.g. a digest of the program. */
  hashKey?: string;
}

export interface RouterDeps {
  env: Pick<Env, "REGION_POOL">;
  waitUntil: (promise: Promise<unknown>) => void;
  log?: (level: LogLevel, message: string, fields?: LogFields) => void;
  /** Remote calls go through this (tests and the benchmark inject nothing: global fetch). */
  fetcher?: typeof fetch;
}

/** Where a request ran. */
export interface Route {
  region: Region;
  backendId: string;
  /** What session affinity did for this request, when the region's pool decided. */
  affinity?: "none" | "used" | "pinned" | "fallback";
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

function noCapacity(message: string, retryAfterSeconds: number): ApiError {
  return new ApiError("service_unavailable", message, [], { "Retry-After": String(retryAfterSeconds) });
}

function runOn(backend: Backend, program: ProgramToRun, fetcher: typeof fetch | undefined): Promise<ExecutionResult> {
  if (backend.kind === "builtin") return executeProgram(program);
  return executeOnPiston(
    backend.url!,
    {
      language: program.runtime.language,
      version: program.runtime.version,
      files: program.files,
      stdin: program.stdin,
      args: program.args,
      limits: program.limits,
    },
    { timeoutMs: program.limits.wallTimeMs + REMOTE_OVERHEAD_MS, ...(fetcher ? { fetcher } : {}) },
  );
}

/**
 * Runs a program in the best region that can take it (docs/routing.md). Regions are tried in
 * failover order. A region whose only candidates are built-in runs the program here, in this
 * invocation, without asking its pool: built-in capacity is the Worker itself. Otherwise the
 * region's pool Durable Object picks the backend and leases a slot — the one DO round trip on the
 * hot path; the slot is given back after the response, off the hot path.
 */
export async function runRouted(
  deps: RouterDeps,
  topology: EffectiveTopology,
  program: ProgramToRun,
  hints: RoutingHints,
): Promise<{ result: ExecutionResult; route: Route }> {
  const plans = plan(topology, program, hints);
  if (plans.length === 0) {
    const where = hints.pinnedRegionId ? ` in region '${hints.pinnedRegionId}'` : "";
    throw noCapacity(`no healthy backend can run ${program.runtime.language}-${program.runtime.version}${where} right now`, 5);
  }

  const failed: string[] = [];
  let attempts = 0;
  let retryAfterMs = 1_000;
  for (const { region, candidates } of plans) {
    if (candidates.every((backend) => backend.kind === "builtin")) {
      return { result: await executeProgram(program), route: { region, backendId: candidates[0].id } };
    }
    const pool = poolStub(deps.env, region);
    while (attempts < MAX_ATTEMPTS) {
      const remaining = candidates.filter((backend) => !failed.includes(backend.id));
      if (remaining.length === 0) break;
      const acquired = (await pool.acquire({
        regionId: region.id,
        policy: region.policy,
        candidates: remaining.map(({ id, weight, minConcurrency, maxConcurrency }) => ({ id, weight, minConcurrency, maxConcurrency })),
        existingBackendIds: topology.backends.filter((backend) => backend.regionId === region.id).map((backend) => backend.id),
        ...(hints.hashKey ? { hashKey: hints.hashKey } : {}),
        ...(hints.sessionId
          ? { session: { id: hints.sessionId, mode: region.sessionFailover, ttlMs: region.affinityTtlSeconds * 1000 } }
          : {}),
      })) as AcquireResult;
      if (!acquired.ok) {
        retryAfterMs = Math.max(retryAfterMs, acquired.retryAfterMs);
        if (acquired.reason === "session_backend_unavailable") {
          throw noCapacity(
            `this session's backend '${acquired.backendId}' is unavailable and region '${region.id}' does not fail sessions over`,
            Math.ceil(acquired.retryAfterMs / 1000),
          );
        }
        break; // saturated: the next region
      }
      attempts += 1;
      const backend = candidates.find((candidate) => candidate.id === acquired.lease.backendId)!;
      const startedAt = Date.now();
      try {
        const result = await runOn(backend, program, deps.fetcher);
        deps.waitUntil(pool.release(acquired.lease.id, { latencyMs: Date.now() - startedAt, outcome: "success" }));
        return { result, route: { region, backendId: backend.id, affinity: acquired.affinity } };
      } catch (error) {
        const retryable = error instanceof BackendError && error.retryable;
        deps.waitUntil(
          pool.release(acquired.lease.id, { latencyMs: Date.now() - startedAt, outcome: retryable ? "dropped" : "ignore" }),
        );
        if (!(error instanceof BackendError)) throw error;
        deps.log?.("warn", "remote backend call failed", { backend: backend.id, region: region.id, kind: error.kind, status: error.status });
        if (!retryable) {
          if (error.kind === "http" && error.status !== null && error.status >= 400 && error.status < 500) {
            throw new ApiError("validation_failed", error.message);
          }
          throw new ApiError("bad_gateway", `backend '${backend.id}' gave an invalid answer`);
        }
        failed.push(backend.id);
      }
    }
    if (attempts >= MAX_ATTEMPTS) break;
  }
  throw noCapacity(
    failed.length > 0
      ? `every backend tried for ${program.runtime.language}-${program.runtime.version} failed (${failed.join(", ")}); try again shortly`
      : `every region that can run ${program.runtime.language}-${program.runtime.version} is at capacity; try again shortly`,
    Math.ceil(retryAfterMs / 1000),
  );
}
