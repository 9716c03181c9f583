// runProgram: one execution request in, one result out. Never throws.
import { EnginePool, type Engine } from "./engine/engine-pool";
import { INITIAL_MEMORY_BYTES } from "./engine/heap-governor";
import { Execution, SNAPSHOT_SETUP } from "./execution";
import { clampLimits, LIMIT_MAXIMA } from "./limits";
import { prepareProgram } from "./program";
import { QUICKJS_VERSION, resolveBuiltinLanguage } from "./runtimes";
import type { ExecutionRequest, ExecutionResult } from "./types";

/** Linear memory an instance may ever reach: the initial 16 MiB plus the largest program budget. */
const HARD_MAX_HEAP_BYTES = INITIAL_MEMORY_BYTES + LIMIT_MAXIMA.memoryBytes + 4 * 1024 * 1024;

/**
 * Engines for this isolate (engine/engine-pool.ts): instances restored to the engine snapshot (a
 * runtime and context with the prelude evaluated). Two are kept: executions never overlap in an
 * isolate (everything after acquisition is synchronous), and instances whose memory grew more than
 * 8 MiB past the initial 16 MiB are left to the garbage collector rather than kept resident.
 */
const engines = new EnginePool({
  maxPooled: 2,
  maxPoolableBytes: INITIAL_MEMORY_BYTES + 8 * 1024 * 1024,
  hardMaxHeapBytes: HARD_MAX_HEAP_BYTES,
  setup: SNAPSHOT_SETUP,
});

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
  return runProgramWith(request, () => engines.acquire(), (engine, execution) =>
    engines.release(engine, execution.engineFaulted, execution.untouchedRanges),
  );
}

/** runProgram with the engine source injectable (tests use it to force engine faults). */
export async function runProgramWith(
  request: ExecutionRequest,
  getEngine: () => Promise<Engine>,
  release: (engine: Engine, execution: Execution) => void = () => {},
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
    const engine = await getEngine();
    // From here on everything is synchronous: the VM never yields to other requests.
    const execution = new Execution(engine, {
      program,
      stdin: typeof request.stdin === "string" ? request.stdin : "",
      args: Array.isArray(request.args) ? request.args.map(String) : [],
      limits,
      startEpochMs,
      startedAt,
      quickjsVersion: QUICKJS_VERSION,
    });
    const result = execution.run();
    release(engine, execution);
    return result;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return failureResult("internal_error", `Internal sandbox error: ${detail}`, startedAt);
  }
}
