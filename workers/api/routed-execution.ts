import type { Context } from "hono";
import { backgroundTasks, type CacheMode, type CachedRun } from "../cache";
import { executeProgramCached, type ProgramToRun } from "../execution/execute-program";
import { noteExecution } from "../metrics/request-record";
import { findRuntime } from "../execution/runtime-catalog";
import { firstRegion, runRouted, type Route, type RoutingHints } from "../pools/execution-router";
import type { RequestPriority } from "../pools/pool-protocol";
import { sessionCookie, sessionFromHeaders, type RequestSession } from "../pools/session";
import { topologyFor, type EffectiveTopology } from "../pools/topology-cache";
import { parseClientLocation } from "../routing/geo";
import { remoteRuntimes } from "../routing/route-plan";
import type { LogFields, LogLevel } from "../observability/logger";
import type { RuntimeInfo } from "../sandbox/types";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors";
import { requestCf } from "./request-cf";

/** Request header that pins a request to one region (the native API also takes `region` in the body). */
export const REGION_HEADER = "X-Edgebox-Region";
/** Response header naming the backend that ran the program (absent on cache hits). */
export const BACKEND_HEADER = "X-Edgebox-Backend";
/** Response header present when the request was served in a degraded way (docs/resilience.md). */
export const DEGRADED_HEADER = "X-Edgebox-Degraded";
/** Response header: how many backends were tried, when more than one was (retries). */
export const ATTEMPTS_HEADER = "X-Edgebox-Attempts";
/** Request header: `batch` work is shed before `interactive` (the default) under overload. */
export const PRIORITY_HEADER = "X-Edgebox-Priority";

function priorityFrom(value: string | undefined): RequestPriority | undefined {
  if (value === undefined) return undefined;
  const priority = value.trim().toLowerCase();
  if (priority === "batch" || priority === "interactive") return priority;
  throw new ApiError("validation_failed", `${PRIORITY_HEADER} must be "interactive" or "batch"`, [
    { path: `headers.${PRIORITY_HEADER}`, message: 'must be "interactive" or "batch"' },
  ]);
}

/**
 * What both execution APIs share between validating a request and presenting its result:
 * the routing view (topology, runtimes remote backends offer), the routing hints taken from the
 * request, and running the program behind the result cache on the backend routing picks.
 */
export class RoutedExecution {
  private constructor(
    private readonly c: Context<AppEnv>,
    readonly topology: EffectiveTopology,
    private readonly session: RequestSession | undefined,
  ) {}

  static async open(c: Context<AppEnv>): Promise<RoutedExecution> {
    const session = sessionFromHeaders(c.req.raw.headers);
    return new RoutedExecution(c, await topologyFor(c.env, Date.now()), session);
  }

  /** Built-in runtimes plus those usable remote backends report. */
  findRuntime(language: string, versionRange: string): RuntimeInfo | undefined {
    return findRuntime(language, versionRange, remoteRuntimes(this.topology.backends));
  }

  /** Validates a pinned region (header or body); undefined when the request pins none. */
  pinnedRegion(fromBody?: string): string | undefined {
    const pinned = fromBody ?? this.c.req.header(REGION_HEADER)?.trim();
    if (pinned === undefined || pinned === "") return undefined;
    if (!this.topology.regions.some((region) => region.id === pinned)) {
      const known = this.topology.regions.map((region) => region.id).join(", ");
      throw new ApiError("validation_failed", `region '${pinned}' does not exist (regions: ${known})`, [
        { path: "region", message: `region '${pinned}' does not exist` },
      ]);
    }
    return pinned;
  }

  /** Runs the program (or answers from the cache) and sets the routing response headers. */
  async run(
    program: ProgramToRun,
    options: { mode: CacheMode; tags: readonly string[]; pinnedRegionId?: string },
  ): Promise<CachedRun & { regionId: string; runtime: RuntimeInfo }> {
    const c = this.c;
    const priority = priorityFrom(c.req.header(PRIORITY_HEADER));
    const hints: RoutingHints = {
      ...(priority ? { priority } : {}),
      location: parseClientLocation(requestCf(c.req.raw)),
      ...(options.pinnedRegionId ? { pinnedRegionId: options.pinnedRegionId } : {}),
      ...(this.session ? { sessionId: this.session.id, hashKey: this.session.id } : {}),
    };
    const waitUntil = backgroundTasks(() => c.executionCtx);
    const log = (level: LogLevel, message: string, fields?: LogFields) => c.get("logger").log(level, message, fields);
    let route: Route | undefined;
    const run = await executeProgramCached(
      program,
      { env: c.env, tenantId: c.get("tenant").id, mode: options.mode, tags: options.tags, waitUntil, log },
      async () => {
        const routed = await runRouted({ env: c.env, waitUntil, log }, this.topology, program, hints);
        route = routed.route;
        return routed.result;
      },
    );
    const region = route?.region ?? firstRegion(this.topology, program, hints);
    const regionId = region?.id ?? this.topology.regions[0]?.id ?? "local";
    c.header(REGION_HEADER, regionId);
    if (route) c.header(BACKEND_HEADER, route.backendId);
    if (route?.degraded) c.header(DEGRADED_HEADER, route.degraded.replace("_", "-"));
    if (run.cache.staleIfError) {
      c.header(DEGRADED_HEADER, "stale-if-error");
      c.header("Warning", '110 - "Response is Stale"');
    }
    if (route && route.attempts > 1) c.header(ATTEMPTS_HEADER, String(route.attempts));
    if (this.session?.issueCookie) {
      const ttl = region?.affinityTtlSeconds ?? 1800;
      c.header("Set-Cookie", sessionCookie(this.session.id, ttl, new URL(c.req.url).protocol === "https:"));
    }
    const runtime = route?.runtime ?? program.runtime;
    noteExecution(c.req.raw, {
      runtime: runtime.language,
      runtimeVersion: runtime.version,
      executionStatus: run.result.status,
      ranProgram: !run.cache.status.startsWith("HIT") && run.cache.reason !== "coalesced",
      cpuMs: run.result.cpuTimeMs,
      memoryBytes: run.result.memoryBytes,
      attempts: route?.attempts ?? 0,
    });
    return { ...run, regionId, runtime };
  }
}
