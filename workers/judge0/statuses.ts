import type { ExecutionResult } from "../sandbox/types";

// Judge0's status table and how an edgebox ExecutionResult maps onto it (docs/judge0.md). Pure.

export interface Judge0Status {
  id: number;
  description: string;
}

/** Exactly Judge0 CE's table (app/enumerations/status.rb): ids, order and wording. */
export const JUDGE0_STATUSES: readonly Judge0Status[] = [
  { id: 1, description: "In Queue" },
  { id: 2, description: "Processing" },
  { id: 3, description: "Accepted" },
  { id: 4, description: "Wrong Answer" },
  { id: 5, description: "Time Limit Exceeded" },
  { id: 6, description: "Compilation Error" },
  { id: 7, description: "Runtime Error (SIGSEGV)" },
  { id: 8, description: "Runtime Error (SIGXFSZ)" },
  { id: 9, description: "Runtime Error (SIGFPE)" },
  { id: 10, description: "Runtime Error (SIGABRT)" },
  { id: 11, description: "Runtime Error (NZEC)" },
  { id: 12, description: "Runtime Error (Other)" },
  { id: 13, description: "Internal Error" },
  { id: 14, description: "Exec Format Error" },
];

export const STATUS = {
  inQueue: 1,
  processing: 2,
  accepted: 3,
  wrongAnswer: 4,
  timeLimitExceeded: 5,
  compilationError: 6,
  sigsegv: 7,
  sigxfsz: 8,
  sigfpe: 9,
  sigabrt: 10,
  nzec: 11,
  other: 12,
  internalError: 13,
  execFormatError: 14,
} as const;

export function judge0Status(id: number): Judge0Status {
  const status = JUDGE0_STATUSES.find((candidate) => candidate.id === id);
  if (!status) throw new Error(`unknown Judge0 status ${id}`);
  return { ...status };
}

/** Linux signal numbers, for `exit_signal` (Judge0 reports the number isolate saw). */
const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGXCPU: 24,
  SIGXFSZ: 25,
};
export const SIGKILL = 9;
export const SIGXFSZ = 25;

export function signalNumber(signal: string | null): number | null {
  if (signal === null) return null;
  const name = signal.trim().toUpperCase();
  const known = SIGNAL_NUMBERS[name] ?? SIGNAL_NUMBERS[`SIG${name}`];
  if (known !== undefined) return known;
  const numeric = Number(name);
  return Number.isInteger(numeric) && numeric > 0 ? numeric : null;
}

/** Judge0's Status.find_runtime_error_by_status_code: a program killed by signal `n`. */
export function runtimeErrorBySignal(signal: number): number {
  switch (signal) {
    case 11:
      return STATUS.sigsegv;
    case 25:
      return STATUS.sigxfsz;
    case 8:
      return STATUS.sigfpe;
    case 6:
      return STATUS.sigabrt;
    default:
      return STATUS.other;
  }
}

/**
 * Judge0's comparison of `expected_output` with `stdout` (IsolateJob#strip): every line loses its
 * trailing whitespace, then the whole text does. Ruby's rstrip removes ASCII whitespace and NUL only.
 */
export function normalizeOutput(text: string): string {
  const rstrip = (line: string) => line.replace(/[ \t\n\v\f\r\0]+$/, "");
  return rstrip(text.split("\n").map(rstrip).join("\n"));
}

export function outputMatches(expected: string, stdout: string): boolean {
  return normalizeOutput(expected) === normalizeOutput(stdout);
}

/** What a finished execution looks like in Judge0's terms. */
export interface Judge0Outcome {
  status: Judge0Status;
  stdout: string | null;
  stderr: string | null;
  compileOutput: string | null;
  message: string | null;
  /** Seconds, as Judge0 prints them ("0.012"); null when the program never ran. */
  time: string | null;
  wallTime: string | null;
  /** Kilobytes. */
  memory: number | null;
  exitCode: number | null;
  exitSignal: number | null;
}

export interface OutcomeOptions {
  /** Compared with stdout when the program exits normally (Accepted / Wrong Answer). */
  expectedOutput?: string;
  /** stdout carries both streams interleaved, stderr is empty (Judge0's redirect_stderr_to_stdout). */
  redirectStderrToStdout?: boolean;
  /** max_file_size in KB, for the message of an output-limit kill. */
  maxFileSizeKb?: number;
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);
const orNull = (text: string | undefined | null) => (text ? text : null);

/**
 * Maps a sandbox (or remote backend) result onto Judge0's fields. Messages follow isolate's
 * wording, which is what Judge0 puts in `message`; a memory kill keeps Judge0's status (12, what
 * an OOM-killed process gets there) and says "Memory limit exceeded" in `message`.
 */
export function judge0Outcome(result: ExecutionResult, options: OutcomeOptions = {}): Judge0Outcome {
  const redirect = options.redirectStderrToStdout === true;
  const stdout = orNull(redirect ? result.output : result.stdout);
  const stderr = redirect ? null : orNull(result.stderr);
  const compileOutput = orNull(result.compile?.stderr);
  const ran = {
    stdout,
    stderr,
    compileOutput,
    time: seconds(result.cpuTimeMs),
    wallTime: seconds(result.wallTimeMs),
    memory: Math.round(Math.max(0, result.memoryBytes) / 1024),
  };
  const killedBy = signalNumber(result.signal);

  switch (result.status) {
    case "ok": {
      const expected = options.expectedOutput;
      const accepted = expected === undefined || outputMatches(expected, stdout ?? "");
      return {
        ...ran,
        status: judge0Status(accepted ? STATUS.accepted : STATUS.wrongAnswer),
        message: null,
        exitCode: result.exitCode ?? 0,
        exitSignal: null,
      };
    }
    case "runtime_error": {
      if (killedBy !== null) {
        return {
          ...ran,
          status: judge0Status(runtimeErrorBySignal(killedBy)),
          message: `Caught fatal signal ${killedBy}`,
          exitCode: result.exitCode,
          exitSignal: killedBy,
        };
      }
      const code = result.exitCode ?? 1;
      return { ...ran, status: judge0Status(STATUS.nzec), message: `Exited with error status ${code}`, exitCode: code, exitSignal: null };
    }
    case "compile_error":
      // Judge0 stops at a failed compilation: only compile_output is set.
      return {
        status: judge0Status(STATUS.compilationError),
        stdout: null,
        stderr: null,
        compileOutput: orNull(result.compile?.stderr ?? result.stderr) ?? orNull(result.message),
        message: null,
        time: null,
        wallTime: null,
        memory: null,
        exitCode: null,
        exitSignal: null,
      };
    case "cpu_time_exceeded":
    case "wall_time_exceeded":
      return {
        ...ran,
        status: judge0Status(STATUS.timeLimitExceeded),
        message: result.status === "cpu_time_exceeded" ? "Time limit exceeded" : "Time limit exceeded (wall clock)",
        exitCode: null,
        exitSignal: killedBy ?? SIGKILL,
      };
    case "memory_limit_exceeded":
      return {
        ...ran,
        status: judge0Status(STATUS.other),
        message: "Memory limit exceeded",
        exitCode: null,
        exitSignal: killedBy ?? SIGKILL,
      };
    case "stdout_limit_exceeded":
    case "stderr_limit_exceeded": {
      // In Judge0 the program's streams are files limited by max_file_size: writing past it is
      // SIGXFSZ, status 8. That is exactly what an output cap is here.
      const stream = result.status === "stdout_limit_exceeded" ? "stdout" : "stderr";
      const limit = options.maxFileSizeKb === undefined ? "" : ` of ${options.maxFileSizeKb} KB`;
      return {
        ...ran,
        status: judge0Status(STATUS.sigxfsz),
        message: `File size limit exceeded: ${stream} is over max_file_size${limit}`,
        exitCode: null,
        exitSignal: SIGXFSZ,
      };
    }
    case "internal_error":
      return {
        ...ran,
        status: judge0Status(STATUS.internalError),
        message: result.message ?? "Internal error",
        exitCode: result.exitCode,
        exitSignal: killedBy,
      };
  }
}
