import type { Context } from "hono";
import { matchedRoutes } from "hono/route";
import { requestCf } from "../api/request-cf";
import type { CacheOutcome, RequestRecord } from "./rollup";

// Turning a finished request into a RequestRecord: the route template (bounded, never the raw
// path), the response's routing and cache headers, and what the execution handlers noted about the
// program that ran.

/** What an execution handler knows that response headers do not carry. */
export interface ExecutionNote {
  runtime: string;
  runtimeVersion: string;
  executionStatus: string;
  /** False when the result came from the cache (no program ran). */
  ranProgram: boolean;
  cpuMs: number;
  memoryBytes: number;
  attempts: number;
}

const notes = new WeakMap<Request, ExecutionNote>();

/** Called by the execution handlers once a result is known (workers/api/routed-execution.ts). */
export function noteExecution(request: Request, note: ExecutionNote): void {
  notes.set(request, note);
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * "METHOD /route/:template" of the handler that answered: the last matched route that is not a
 * wildcard middleware. "unmatched" when no route matched (404s): the raw path would make the route
 * dimension unbounded. Unknown methods are "OTHER".
 */
export function routeLabel(c: Context): string {
  let path: string | undefined;
  try {
    const routes = matchedRoutes(c);
    for (let i = routes.length - 1; i >= 0; i--) {
      if (!routes[i].path.endsWith("*")) {
        path = routes[i].path;
        break;
      }
    }
  } catch {
    path = undefined;
  }
  if (path === undefined) return "unmatched";
  const method = c.req.method.toUpperCase();
  return `${METHODS.has(method) ? method : "OTHER"} ${path}`;
}

/** X-Cache → cache outcome (null without the header). */
export function cacheOutcome(header: string | null): CacheOutcome | null {
  switch (header?.trim().toUpperCase()) {
    case "HIT-L1":
      return "L1";
    case "HIT-L2":
      return "L2";
    case "HIT-L3":
      return "L3";
    case "MISS":
      return "miss";
    case "BYPASS":
      return "bypass";
    default:
      return null;
  }
}

function byteLength(header: string | null | undefined): number {
  const n = Number(header);
  return header && Number.isFinite(n) && n > 0 ? n : 0;
}

/** The record of a finished request (called after the response is final). */
export function requestRecord(c: Context, startedAt: number, now: number, tenant: string | null): RequestRecord {
  const response = c.res;
  const note = notes.get(c.req.raw);
  const colo = requestCf(c.req.raw)?.colo;
  return {
    at: now,
    route: routeLabel(c),
    status: response.status,
    latencyMs: Math.max(0, now - startedAt),
    tenant,
    region: response.headers.get("X-Edgebox-Region"),
    backend: response.headers.get("X-Edgebox-Backend"),
    runtime: note?.runtime ?? null,
    runtimeVersion: note?.runtimeVersion ?? null,
    cache: cacheOutcome(response.headers.get("X-Cache")),
    executionStatus: note?.executionStatus ?? null,
    ranProgram: note?.ranProgram ?? false,
    cpuMs: note?.ranProgram ? note.cpuMs : 0,
    memoryBytes: note?.ranProgram ? note.memoryBytes : 0,
    requestBytes: byteLength(c.req.header("content-length")),
    responseBytes: byteLength(response.headers.get("content-length")),
    attempts: note?.attempts ?? 0,
    colo: typeof colo === "string" ? colo : null,
  };
}
