// runProgram: one execution request in, one result out. Never throws.
import { createEngineInstance, type EngineInstance } from "./engine/quickjs-instance";
import { INITIAL_MEMORY_BYTES } from "./engine/heap-governor";
import { MemoryPool } from "./engine/memory-pool";
import { Execution } from "./execution";
import { clampLimits, LIMIT_MAXIMA } from "./limits";
import { prepareProgram } from "./program";
import { QUICKJS_VERSION, resolveBuiltinLanguage } from "./runtimes";
import type { ExecutionRequest, ExecutionResult } from "./types";

/** Linear memory an instance may ever reach: the initial 16 MiB plus the largest program budget. */
const HARD_MAX_HEAP_BYTES = INITIAL_MEMORY_BYTES + LIMIT_MAXIMA.memoryBytes + 4 * 1024 * 1024;

/**
 * A fresh instance per run, created inside the request that uses it. (An instance prepared ahead of
 * time in one request and picked up by the next one leaves promises pending across request
 * contexts, which workerd does not allow: under the vitest pool the next request hung forever.)
 */
function acquireInstance(): Promise<EngineInstance> {
  return createEngineInstance(HARD_MAX_HEAP_BYTES, memoryPool.take());
}

/**
 * Recycled linear memories (see engine/memory-pool.ts). Memories are plain objects, so unlike
 * instances they can pass from one request to the next. Two are kept: executions never overlap in
 * an isolate (they are synchronous), and memories that grew more than 8 MiB past the initial 16 MiB
 * are left to the garbage collector rather than kept resident.
 */
const memoryPool = new MemoryPool(2, INITIAL_MEMORY_BYTES + 8 * 1024 * 1024);

export function failureResult(status: "internal_error", message: string, startedAt: number): ExecutionResult {
  return {
    status,
    exitCode: null,
    signal: null,
    message,
    stdout: "",
    stderr: "",
    output: "",
    stdoutTruncated: false,
    stderrTruncated: false,
    cpuTimeMs: 0,
    wallTimeMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
    memoryBytes: 0,
    nondeterministic: false,
  };
}

export function runProgram(request: ExecutionRequest): Promise<ExecutionResult> {
  return runProgramWith(request, acquireInstance, recycle);
}

function recycle(instance: EngineInstance, execution: Execution): void {
  if (!execution.engineFaulted) memoryPool.release(instance.governor.memory, execution.untouchedRange);
}

/** runProgram with the instance source injectable (tests use it to force engine faults). */
export async function runProgramWith(
  request: ExecutionRequest,
  getInstance: () => Promise<EngineInstance>,
  release: (instance: EngineInstance, execution: Execution) => void = () => {},
): Promise<ExecutionResult> {
  const startedAt = performance.now();
  const startEpochMs = Date.now();
  try {
    const language = resolveBuiltinLanguage(request.language);
    if (!language) return failureResult("internal_error", `Unsupported language: ${request.language}`, startedAt);
    if (!Array.isArray(request.files) || request.files.length === 0) {
      return failureResult("internal_error", "No files to run", startedAt);
    }
    const program = prepareProgram(language, request.files);
    const limits = clampLimits(request.limits);
    const instance = await getInstance();
    // From here on everything is synchronous: the VM never yields to other requests.
    const execution = new Execution(instance, {
      program,
      stdin: typeof request.stdin === "string" ? request.stdin : "",
      args: Array.isArray(request.args) ? request.args.map(String) : [],
      limits,
      startEpochMs,
      startedAt,
      quickjsVersion: QUICKJS_VERSION,
    });
    const result = execution.run();
    release(instance, execution);
    return result;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return failureResult("internal_error", `Internal sandbox error: ${detail}`, startedAt);
  }
}
