// How a run ended, and how that maps onto the contract's status/exitCode/signal/message. Pure.
import type { ExecutionStatus } from "./types";

/** Why the sandbox stopped a program (first reason wins). */
export type KillReason = "cpu" | "wall" | "memory" | "stdout" | "stderr";

export type Termination =
  /** The program finished or called process.exit(code); a non-zero code is a runtime error. */
  | { kind: "exit"; code: number }
  /** The sandbox killed it for a limit. */
  | { kind: "killed"; reason: KillReason }
  /** The sandbox could not run it (engine fault, bug). */
  | { kind: "internal"; detail: string };

const KILL_STATUS: Record<KillReason, ExecutionStatus> = {
  cpu: "cpu_time_exceeded",
  wall: "wall_time_exceeded",
  memory: "memory_limit_exceeded",
  stdout: "stdout_limit_exceeded",
  stderr: "stderr_limit_exceeded",
};

const KILL_MESSAGE: Record<KillReason, string> = {
  cpu: "CPU time limit exceeded",
  wall: "Wall time limit exceeded",
  memory: "Memory limit exceeded",
  stdout: "stdout length exceeded",
  stderr: "stderr length exceeded",
};

export interface TerminationFields {
  status: ExecutionStatus;
  exitCode: number | null;
  signal: string | null;
  message: string | null;
}

export function describeTermination(termination: Termination): TerminationFields {
  switch (termination.kind) {
    case "exit":
      return termination.code === 0
        ? { status: "ok", exitCode: 0, signal: null, message: null }
        : { status: "runtime_error", exitCode: termination.code, signal: null, message: `Exited with code ${termination.code}` };
    case "killed":
      return {
        status: KILL_STATUS[termination.reason],
        exitCode: null,
        signal: "SIGKILL",
        message: KILL_MESSAGE[termination.reason],
      };
    case "internal":
      return { status: "internal_error", exitCode: null, signal: null, message: `Internal sandbox error: ${termination.detail}` };
  }
}

/** Node's exit-code rule: process.exit(x) and process.exitCode coerce to an integer in 0..255. */
export function normalizeExitCode(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) return 0;
  return ((Math.trunc(n) % 256) + 256) % 256;
}
