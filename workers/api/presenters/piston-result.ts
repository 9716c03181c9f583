import type { ExecutionResult, ExecutionStatus } from "../../sandbox/types";

// Maps a sandbox result onto Piston v2's stage object. Piston reports isolate's statuses:
// RE (non-zero exit), SG (killed by a signal — what a cgroup OOM kill looks like), TO (time),
// OL/EL (stdout/stderr too long), XX (internal). Memory exhaustion keeps Piston's SG/SIGKILL so
// existing clients understand it, and says "Memory limit exceeded" in `message`.

export type PistonStatus = "RE" | "SG" | "TO" | "OL" | "EL" | "XX";

export interface PistonStage {
  stdout: string;
  stderr: string;
  output: string;
  code: number | null;
  signal: string | null;
  message: string | null;
  status: PistonStatus | null;
  cpu_time: number;
  wall_time: number;
  memory: number;
}

const STATUS_CODES: Record<ExecutionStatus, PistonStatus | null> = {
  ok: null,
  runtime_error: "RE",
  compile_error: "RE",
  cpu_time_exceeded: "TO",
  wall_time_exceeded: "TO",
  memory_limit_exceeded: "SG",
  stdout_limit_exceeded: "OL",
  stderr_limit_exceeded: "EL",
  internal_error: "XX",
};

function pistonMessage(result: ExecutionResult): string | null {
  switch (result.status) {
    case "ok":
      return null;
    case "runtime_error":
    case "compile_error":
      return `Exited with error status ${result.exitCode ?? 1}`;
    case "cpu_time_exceeded":
      return "Time limit exceeded";
    case "wall_time_exceeded":
      return "Time limit exceeded (wall clock)";
    case "memory_limit_exceeded":
      return "Memory limit exceeded";
    case "stdout_limit_exceeded":
      return "stdout length exceeded";
    case "stderr_limit_exceeded":
      return "stderr length exceeded";
    case "internal_error":
      return result.message ?? "Internal error";
  }
}

const roundMs = (ms: number) => Math.round(ms * 1000) / 1000;

export function toPistonStage(result: ExecutionResult): PistonStage {
  return {
    stdout: result.stdout,
    stderr: result.stderr,
    output: result.output,
    code: result.exitCode,
    signal: result.signal,
    message: pistonMessage(result),
    status: STATUS_CODES[result.status],
    cpu_time: roundMs(result.cpuTimeMs),
    wall_time: roundMs(result.wallTimeMs),
    memory: result.memoryBytes,
  };
}

/** The compile stage of a compiled language (TypeScript), in the same shape. */
export function toPistonCompileStage(result: ExecutionResult): PistonStage | undefined {
  const compile = result.compile;
  if (!compile) return undefined;
  return {
    stdout: "",
    stderr: compile.stderr,
    output: compile.stderr,
    code: compile.ok ? 0 : 1,
    signal: null,
    message: compile.ok ? null : "Exited with error status 1",
    status: compile.ok ? null : "RE",
    cpu_time: roundMs(compile.wallTimeMs),
    wall_time: roundMs(compile.wallTimeMs),
    memory: 0,
  };
}

export function toPistonResponse(language: string, version: string, result: ExecutionResult) {
  const compile = toPistonCompileStage(result);
  // Like Piston: when compilation fails the run stage never starts, and `run` repeats `compile`
  // for clients that only read `run`.
  const run = compile && result.status === "compile_error" ? compile : toPistonStage(result);
  return { language, version, run, ...(compile ? { compile } : {}) };
}
