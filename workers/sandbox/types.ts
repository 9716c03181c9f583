// The contract between the HTTP layer and every sandbox runtime (built-in QuickJS today, remote
// Piston backends later). Times are milliseconds, sizes are bytes.

export interface SourceFile {
  /** Path of the file inside the program's virtual directory, e.g. "main.js" or "lib/util.ts". */
  name: string;
  /** UTF-8 text (the API layer decodes base64/hex before it gets here). */
  content: string;
}

export interface ExecutionLimits {
  /** CPU budget. Enforced by counting interpreter interrupts, never by reading the clock. */
  cpuTimeMs: number;
  /** Wall-clock budget, including time the program spends waiting on (virtual) timers. */
  wallTimeMs: number;
  /** Heap limit of the program's runtime. */
  memoryBytes: number;
  /** Interpreter stack limit; deep recursion becomes a catchable RangeError, never a host crash. */
  stackBytes: number;
  /** Output caps; past them the output is truncated and the run is stopped. */
  maxStdoutBytes: number;
  maxStderrBytes: number;
}

export interface ExecutionRequest {
  /** Canonical language name of a built-in runtime: "javascript" or "typescript". */
  language: string;
  /** The first file is the entry point; the others can be imported/required by it. */
  files: SourceFile[];
  stdin: string;
  args: string[];
  limits: ExecutionLimits;
}

/**
 * How a run ended. `ok` and `runtime_error` are normal exits (exit code 0 / non-zero); the others
 * mean the sandbox stopped the program or could not run it.
 */
export type ExecutionStatus =
  | "ok"
  | "runtime_error"
  | "compile_error"
  | "cpu_time_exceeded"
  | "wall_time_exceeded"
  | "memory_limit_exceeded"
  | "stdout_limit_exceeded"
  | "stderr_limit_exceeded"
  | "internal_error";

/** Result of the compile stage (TypeScript type stripping / module transform). */
export interface CompileResult {
  ok: boolean;
  /** Diagnostics, formatted like a compiler's ("main.ts:3:7: Unexpected token"). */
  stderr: string;
  wallTimeMs: number;
}

export interface ExecutionResult {
  status: ExecutionStatus;
  /** Process exit code; null when the sandbox killed the program (limits) or never started it. */
  exitCode: number | null;
  /** "SIGKILL" when the sandbox killed the program for a limit, else null. */
  signal: string | null;
  /** Human-readable reason for any status other than ok, e.g. "Memory limit exceeded". */
  message: string | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in the order they were written. */
  output: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  cpuTimeMs: number;
  wallTimeMs: number;
  /** Peak heap use of the program's runtime. */
  memoryBytes: number;
  /** Present for languages with a compile stage (TypeScript). */
  compile?: CompileResult;
  /**
   * True when the program observed something nondeterministic (clock, Math.random, crypto
   * randomness, timer ordering races); such results must not be cached.
   */
  nondeterministic: boolean;
}

/** A runtime the service can run, as listed by GET /api/v2/runtimes and GET /v1/runtimes. */
export interface RuntimeInfo {
  language: string;
  version: string;
  aliases: string[];
  /** Engine that runs it, e.g. "quickjs". */
  runtime: string;
}
