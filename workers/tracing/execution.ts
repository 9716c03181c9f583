import { ApiError } from "../api/errors";
import { BackendError } from "../backends/piston-remote";
import type { ProgramToRun } from "../execution/execute-program";
import type { AcquireResult } from "../pools/pool-protocol";
import type { Backend, Region } from "../routing/types";
import type { ExecutionResult } from "../sandbox/types";
import type { Span } from "./span";
import { inSpan, startSpan } from "./tracer";

// Spans of the execution path (docs/tracing.md), used by workers/pools/execution-router.ts:
//   execution.route          internal  the whole routing decision, retries included
//   RegionPool.acquire       client    the lease request to the region's pool Durable Object
//   POST /api/v2/execute     client    one call to a remote Piston backend (traceparent sent)
//   sandbox.execute          internal  a run in the built-in QuickJS sandbox, in this invocation
// Program source, stdin and output never become attributes.

function runtimeAttributes(program: ProgramToRun) {
  return {
    "edgebox.runtime.language": program.runtime.language,
    "edgebox.runtime.version": program.runtime.version,
  };
}

function resultAttributes(result: ExecutionResult, span: Span): void {
  span.setAttributes({
    "edgebox.execution.status": result.status,
    "edgebox.execution.exit_code": result.exitCode,
    "edgebox.execution.cpu_ms": result.cpuTimeMs,
    "edgebox.execution.wall_ms": result.wallTimeMs,
    "edgebox.execution.memory_bytes": result.memoryBytes,
  });
}

/** The routing of one execution (regions, pools, attempts, fallback). */
export function traceRouting<T extends { route: { region: Region; backendId: string; attempts: number; degraded?: string } }>(
  program: ProgramToRun,
  route: () => Promise<T>,
): Promise<T> {
  return inSpan(
    "execution.route",
    {
      kind: "internal",
      attributes: runtimeAttributes(program),
      onResult: ({ route: done }, span) =>
        span.setAttributes({
          "edgebox.region": done.region.id,
          "edgebox.backend": done.backendId,
          "edgebox.attempts": done.attempts,
          "edgebox.degraded": done.degraded,
        }),
      onError: (error, span) => {
        if (error instanceof ApiError) span.setAttribute("error.type", error.code);
      },
    },
    route,
  );
}

/** A run in the built-in sandbox. */
export function traceSandbox(program: ProgramToRun, run: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
  return inSpan(
    "sandbox.execute",
    { kind: "internal", attributes: { ...runtimeAttributes(program), "edgebox.runtime.engine": program.runtime.runtime }, onResult: resultAttributes },
    run,
  );
}

/** Where a backend URL points, without credentials, query or fragment. */
function executeUrl(base: string): URL | null {
  try {
    const url = new URL(base);
    url.username = "";
    url.password = "";
    url.search = "";
    url.hash = "";
    url.pathname = url.pathname.replace(/\/+$/, "") + "/api/v2/execute";
    return url;
  } catch {
    return null;
  }
}

/** One call to a remote Piston backend; `call` gets the headers that carry the trace context. */
export function traceRemoteCall<T extends ExecutionResult>(backend: Backend, program: ProgramToRun, call: (headers: Record<string, string>) => Promise<T>): Promise<T> {
  const url = executeUrl(backend.url ?? "");
  return inSpan(
    "POST /api/v2/execute",
    {
      kind: "client",
      attributes: {
        "http.request.method": "POST",
        "url.full": url?.toString(),
        "server.address": url?.hostname,
        "server.port": url ? Number(url.port || (url.protocol === "https:" ? 443 : 80)) : undefined,
        "edgebox.backend": backend.id,
        "edgebox.backend.kind": backend.kind,
        "edgebox.region": backend.regionId,
        ...runtimeAttributes(program),
      },
      onResult: (result, span) => {
        span.setAttribute("http.response.status_code", 200);
        resultAttributes(result, span);
      },
      onError: (error, span) => {
        if (!(error instanceof BackendError)) return;
        span.setAttributes({ "error.type": error.kind, "http.response.status_code": error.status ?? undefined, "edgebox.retryable": error.retryable });
      },
    },
    (span) => call(span.headers()),
  );
}

/** The lease request to a region's pool; `acquire` gets the traceparent to hand to the Durable Object. */
export async function traceAcquire(
  region: Region,
  details: { isRetry: boolean; priority?: string; candidates: number },
  acquire: (traceparent: string | undefined) => Promise<AcquireResult>,
): Promise<AcquireResult> {
  const span = startSpan("RegionPool.acquire", {
    kind: "client",
    attributes: {
      "rpc.system": "cloudflare.durable_objects",
      "rpc.service": "RegionPool",
      "rpc.method": "acquire",
      "edgebox.region": region.id,
      "edgebox.retry": details.isRetry,
      "edgebox.priority": details.priority,
      "edgebox.pool.candidates": details.candidates,
    },
  });
  try {
    const result = await acquire(span.traceparent());
    acquireAttributes(result, span);
    return result;
  } catch (error) {
    span.recordException(error);
    throw error;
  } finally {
    span.end();
  }
}

/** What the pool answered (both sides of the call record it). */
export function acquireAttributes(result: AcquireResult, span: Span): void {
  if (result.ok) {
    span.setAttributes({
      "edgebox.pool.outcome": "leased",
      "edgebox.backend": result.lease.backendId,
      "edgebox.affinity": result.affinity,
      "edgebox.pool.panic": result.panic,
    });
  } else {
    span.setAttributes({ "edgebox.pool.outcome": result.reason, "edgebox.backend": result.backendId });
  }
}
