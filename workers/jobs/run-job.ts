import { executeProgramCached, type ProgramToRun } from "../execution/execute-program";
import { findRuntime } from "../execution/runtime-catalog";
import type { LogFields, LogLevel } from "../observability/logger";
import { firstRegion, runRouted, type Route } from "../pools/execution-router";
import { topologyFor } from "../pools/topology-cache";
import { remoteRuntimes } from "../routing/route-plan";
import type { Job, JobResult } from "./types";

/** A job that can never succeed (its runtime is gone, the backend rejects the request): fail it, don't retry. */
export class PermanentJobError extends Error {}

export interface RunJobDeps {
  env: Env;
  waitUntil: (promise: Promise<unknown>) => void;
  log: (level: LogLevel, message: string, fields?: LogFields) => void;
}

/**
 * Runs a job's program exactly as the synchronous APIs would: result cache first, then the regional
 * router (steering, pools, breakers, retries, builtin fallback). Batch jobs ask for batch priority,
 * so under overload the pools shed them before interactive requests.
 */
export async function runJob(deps: RunJobDeps, job: Job): Promise<JobResult> {
  const { env } = deps;
  const topology = await topologyFor(env, Date.now());
  const wanted = job.request.runtime;
  const runtime = findRuntime(wanted.language, wanted.version, remoteRuntimes(topology.backends));
  if (!runtime || runtime.language !== wanted.language || runtime.version !== wanted.version) {
    throw new PermanentJobError(`runtime ${wanted.language}-${wanted.version} is not available any more`);
  }
  const program: ProgramToRun = {
    runtime,
    files: job.request.files,
    stdin: job.request.stdin,
    args: job.request.args,
    limits: job.request.limits,
  };
  const hints = {
    location: {},
    ...(job.request.region ? { pinnedRegionId: job.request.region } : {}),
    priority: job.lane === "batch" ? ("batch" as const) : ("interactive" as const),
  };
  let route: Route | undefined;
  const run = await executeProgramCached(
    program,
    { env, tenantId: job.tenantId, mode: job.request.cache.mode, tags: job.request.cache.tags, waitUntil: deps.waitUntil, log: deps.log },
    async () => {
      const routed = await runRouted({ env, waitUntil: deps.waitUntil, log: deps.log }, topology, program, hints);
      route = routed.route;
      return routed.result;
    },
  );
  const ran = route?.runtime ?? runtime;
  return {
    execution: run.result,
    runtime: { language: ran.language, version: ran.version, engine: ran.runtime },
    region: route?.region.id ?? firstRegion(topology, program, hints)?.id ?? "local",
    backendId: route?.backendId ?? null,
    cache: run.cache,
  };
}
