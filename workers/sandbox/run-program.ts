// runProgram: one execution request in, one result out. Never throws.
import { createEngineInstance, type EngineInstance } from "./engine/quickjs-instance";
import { INITIAL_MEMORY_BYTES } from "./engine/heap-governor";
import { Execution } from "./execution";
import { clampLimits, LIMIT_MAXIMA } from "./limits";
import { prepareProgram } from "./program";
import { QUICKJS_VERSION, resolveBuiltinLanguage } from "./runtimes";
import type { ExecutionRequest, ExecutionResult } from "./types";

/** Linear memory an instance may ever reach: the initial 16 MiB plus the largest program budget. */
const HARD_MAX_HEAP_BYTES = INITIAL_MEMORY_BYTES + LIMIT_MAXIMA.memoryBytes + 4 * 1024 * 1024;

/**
 * One instance is created ahead of time so a request does not wait for instantiation. It is only
 * used once its creation has finished (a promise begun in one request is never awaited by another).
 */
let spare: { instance: EngineInstance | null } | null = null;

function prepareSpare(): void {
  const slot: { instance: EngineInstance | null } = { instance: null };
  spare = slot;
  createEngineInstance(HARD_MAX_HEAP_BYTES).then(
    (instance) => {
      slot.instance = instance;
    },
    () => {
      if (spare === slot) spare = null;
    },
  );
}

async function acquireInstance(): Promise<EngineInstance> {
  const ready = spare?.instance;
  if (ready) {
    spare = null;
    prepareSpare();
    return ready;
  }
  const instance = await createEngineInstance(HARD_MAX_HEAP_BYTES);
  if (!spare) prepareSpare();
  return instance;
}

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

export async function runProgram(request: ExecutionRequest): Promise<ExecutionResult> {
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
    const instance = await acquireInstance();
    // From here on everything is synchronous: the VM never yields to other requests.
    const execution = new Execution(instance, {
      program,
      stdin: typeof request.stdin === "string" ? request.stdin : "",
      args: Array.isArray(request.args) ? request.args.map(String) : [],
      limits,
      startEpochMs,
      startedAt,
      compileWallMs: 0,
      quickjsVersion: QUICKJS_VERSION,
    });
    return execution.run();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return failureResult("internal_error", `Internal sandbox error: ${detail}`, startedAt);
  }
}
