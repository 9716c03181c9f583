// Public surface of the built-in sandbox runtime.
import type { ExecutionRequest, ExecutionResult } from "./types";

export { LIMIT_DEFAULTS, LIMIT_MAXIMA } from "./limits";
export { BUILTIN_RUNTIMES, resolveBuiltinLanguage, QUICKJS_VERSION } from "./runtimes";
export type { BuiltinLanguage } from "./runtimes";

/** Placeholder until the engine lands: reports an internal error for every request. */
export async function runProgram(_req: ExecutionRequest): Promise<ExecutionResult> {
  return {
    status: "internal_error", exitCode: null, signal: null, message: "sandbox runtime not ready",
    stdout: "", stderr: "", output: "", stdoutTruncated: false, stderrTruncated: false,
    cpuTimeMs: 0, wallTimeMs: 0, memoryBytes: 0, nondeterministic: false,
  };
}
