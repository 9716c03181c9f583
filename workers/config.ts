import type { ExecutionLimits } from "./sandbox/types";
import { LIMIT_DEFAULTS, LIMIT_MAXIMA } from "./sandbox";

/** Service configuration, read from wrangler `[vars]` and secrets. Pure: easy to test. */
export interface ServiceConfig {
  production: boolean;
  /** Tenant that unauthenticated requests act as outside production; null disables it. */
  anonymousTenant: string | null;
  maxBodyBytes: number;
  /** Limits a request gets when it names none. */
  limitDefaults: ExecutionLimits;
  /** The most a request may ask for. Operators may lower the sandbox's hard maxima, never raise them. */
  limitMaxima: ExecutionLimits;
  adminSecret: string | null;
  sentryDsn: string | null;
  /** Which requests get an access-log line (see `accessLogged`). */
  accessLog: AccessLog;
}

/**
 * Access log: `errors` (the default) logs requests answered 4xx or 5xx, `all` every request, `off`
 * none. Successful requests are left out by default because the platform already records each one
 * (Workers Logs' invocation log; `wrangler dev` prints a line per request) and the metrics count
 * them, while a console line per request is the largest single per-request cost under
 * `wrangler dev` (docs/benchmarks.md).
 */
export type AccessLog = "all" | "errors" | "off";

export interface ConfigSource {
  ENVIRONMENT?: string;
  ANONYMOUS_TENANT?: string;
  MAX_BODY_BYTES?: string;
  ADMIN_SECRET?: string;
  SENTRY_DSN?: string;
  MAX_CPU_TIME_MS?: string;
  MAX_WALL_TIME_MS?: string;
  MAX_MEMORY_BYTES?: string;
  MAX_OUTPUT_BYTES?: string;
  ACCESS_LOG?: string;
}

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

function accessLog(value: string | undefined): AccessLog {
  const mode = value?.trim().toLowerCase();
  return mode === "all" || mode === "off" ? mode : "errors";
}

/** Whether a request answered with `status` gets an access-log line. */
export function accessLogged(mode: AccessLog, status: number): boolean {
  return mode === "all" || (mode === "errors" && status >= 400);
}

function positiveInt(value: string | undefined): number | null {
  if (value === undefined || value.trim() === "") return null;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : null;
}

function capped(override: string | undefined, hardMax: number): number {
  const n = positiveInt(override);
  return n === null ? hardMax : Math.min(n, hardMax);
}

export function readConfig(env: ConfigSource): ServiceConfig {
  const production = (env.ENVIRONMENT ?? "production") === "production";
  const outputMax = positiveInt(env.MAX_OUTPUT_BYTES);
  const limitMaxima: ExecutionLimits = {
    cpuTimeMs: capped(env.MAX_CPU_TIME_MS, LIMIT_MAXIMA.cpuTimeMs),
    wallTimeMs: capped(env.MAX_WALL_TIME_MS, LIMIT_MAXIMA.wallTimeMs),
    memoryBytes: capped(env.MAX_MEMORY_BYTES, LIMIT_MAXIMA.memoryBytes),
    stackBytes: LIMIT_MAXIMA.stackBytes,
    maxStdoutBytes: Math.min(outputMax ?? LIMIT_MAXIMA.maxStdoutBytes, LIMIT_MAXIMA.maxStdoutBytes),
    maxStderrBytes: Math.min(outputMax ?? LIMIT_MAXIMA.maxStderrBytes, LIMIT_MAXIMA.maxStderrBytes),
  };
  const limitDefaults = { ...LIMIT_DEFAULTS };
  for (const key of Object.keys(limitDefaults) as Array<keyof ExecutionLimits>) {
    limitDefaults[key] = Math.min(limitDefaults[key], limitMaxima[key]);
  }
  return {
    production,
    anonymousTenant: production ? null : env.ANONYMOUS_TENANT?.trim() || null,
    maxBodyBytes: positiveInt(env.MAX_BODY_BYTES) ?? DEFAULT_MAX_BODY_BYTES,
    limitDefaults,
    limitMaxima,
    adminSecret: env.ADMIN_SECRET || null,
    sentryDsn: env.SENTRY_DSN || null,
    accessLog: accessLog(env.ACCESS_LOG),
  };
}
