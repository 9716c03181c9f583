import { cacheBody, type CacheReport } from "../../cache";
import type { ExecutionLimits, ExecutionResult, RuntimeInfo } from "../../sandbox/types";

export interface ExecutionContextInfo {
  id: string;
  runtime: RuntimeInfo;
  limits: ExecutionLimits;
  region: string;
  cache: CacheReport;
}

const roundMs = (ms: number) => Math.round(ms * 1000) / 1000;

/** The native API's execution resource (schema: executionResponseSchema). */
export function toExecutionResponse(result: ExecutionResult, info: ExecutionContextInfo) {
  return {
    id: info.id,
    status: result.status,
    exitCode: result.exitCode,
    signal: result.signal,
    message: result.message,
    stdout: result.stdout,
    stderr: result.stderr,
    truncated: { stdout: result.stdoutTruncated, stderr: result.stderrTruncated },
    timings: {
      cpuMs: roundMs(result.cpuTimeMs),
      wallMs: roundMs(result.wallTimeMs),
      ...(result.compile ? { compileMs: roundMs(result.compile.wallTimeMs) } : {}),
    },
    memory: { peakBytes: result.memoryBytes, limitBytes: info.limits.memoryBytes },
    limits: {
      cpuTimeMs: info.limits.cpuTimeMs,
      wallTimeMs: info.limits.wallTimeMs,
      memoryBytes: info.limits.memoryBytes,
      maxOutputBytes: info.limits.maxStdoutBytes,
    },
    ...(result.compile ? { compile: { ok: result.compile.ok, stderr: result.compile.stderr } } : {}),
    runtime: { language: info.runtime.language, version: info.runtime.version, engine: info.runtime.runtime },
    region: info.region,
    cache: cacheBody(info.cache),
  };
}
