import { z } from "zod";
import type { BackendRuntime } from "../routing/types";
import type { CompileResult, ExecutionLimits, ExecutionResult, ExecutionStatus, SourceFile } from "../sandbox/types";

// Client for a remote server speaking Piston v2 (POST /api/v2/execute, GET /api/v2/runtimes).
// Runs inside the Worker. Every failure to get a usable answer is a BackendError whose `kind` and
// `retryable` tell the router what to do with it; a program that fails is not an error, it is an
// ExecutionResult with a status, exactly as for the built-in sandbox.
//
// The mapping from Piston's stage back to ExecutionResult is the inverse of
// workers/api/presenters/piston-result.ts, so a result that went through our own Piston API comes
// back with the status it had (test/backends/piston-remote.test.ts checks the round trip).

export type BackendErrorKind = "connect" | "timeout" | "http" | "protocol" | "overloaded";

/**
 * Why a backend gave no usable answer.
 * - connect: the request never got a response (refused, reset, DNS); retryable.
 * - timeout: no complete answer within `timeoutMs`; retryable.
 * - overloaded: HTTP 429; retryable, preferably elsewhere or after `retryAfterMs`.
 * - http: any other non-200. Retryable for 502/503/504 (the backend or its proxy is unavailable);
 *   not for 4xx, which are the client's fault: `message` is then the backend's own message
 *   ("python-9 runtime is unknown") so the caller can pass it on; not for 500 either, which
 *   Piston answers for requests it cannot handle, so the same request would fail again.
 * - protocol: a 200 whose body is not a Piston answer; not retryable (the backend is wrong, not busy).
 */
export class BackendError extends Error {
  readonly kind: BackendErrorKind;
  /** HTTP status of the backend's answer; null when there was none. */
  readonly status: number | null;
  readonly retryable: boolean;
  /** From a Retry-After header on 429/503, in milliseconds; null when absent. */
  readonly retryAfterMs: number | null;

  constructor(
    kind: BackendErrorKind,
    message: string,
    options: { status?: number | null; retryable: boolean; retryAfterMs?: number | null; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BackendError";
    this.kind = kind;
    this.status = options.status ?? null;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

export interface PistonProgram {
  /** Language or alias as the backend knows it. */
  language: string;
  /** Version or semver range ("*" for any), as Piston accepts it. */
  version: string;
  files: SourceFile[];
  stdin: string;
  args: string[];
  limits: ExecutionLimits;
}

export interface PistonRequestOptions {
  /**
   * Budget for the whole exchange (connecting, the remote run, reading the answer). For executions
   * give it the program's wall time (twice, if the language compiles) plus network slack.
   */
  timeoutMs: number;
  /** Defaults to the global fetch; tests and service bindings pass their own. */
  fetcher?: typeof fetch;
  /** Extra request headers, e.g. an Authorization header for a protected backend. */
  headers?: Record<string, string>;
  /** Cancels the call (e.g. the losing leg of a hedged request); its reason is rethrown as is. */
  signal?: AbortSignal;
}

/** What a backend resolved the requested language/version to. */
export interface RemoteRuntime {
  language: string;
  version: string;
}

/** An ExecutionResult plus the runtime that ran it (the Piston presenter needs the resolved version). */
export interface RemoteExecutionResult extends ExecutionResult {
  runtime: RemoteRuntime;
}

// ---------------------------------------------------------------------------------------------
// Piston's wire format. Lenient where Piston versions differ: before isolate (v3.1) stages had
// no message/status/cpu_time/wall_time/memory, and a failed compile may come without `run`.

const stageSchema = z.object({
  stdout: z.string().default(""),
  stderr: z.string().default(""),
  output: z.string().optional(),
  code: z.number().nullable().optional(),
  signal: z.string().nullable().optional(),
  message: z.string().nullable().optional(),
  status: z.string().nullable().optional(),
  cpu_time: z.number().nullable().optional(),
  wall_time: z.number().nullable().optional(),
  memory: z.number().nullable().optional(),
});
type PistonStageIn = z.output<typeof stageSchema>;

const executeResponseSchema = z
  .object({
    language: z.string(),
    version: z.string(),
    run: stageSchema.nullable().optional(),
    compile: stageSchema.nullable().optional(),
  })
  .refine((body) => body.run || body.compile, "neither run nor compile stage");

const runtimesSchema = z.array(
  z.object({
    language: z.string(),
    version: z.string(),
    aliases: z.array(z.string()),
    runtime: z.string().optional(),
  }),
);

// ---------------------------------------------------------------------------------------------

export function pistonUrl(baseUrl: string, path: "/api/v2/execute" | "/api/v2/runtimes"): string {
  // Throws a TypeError for a malformed base URL: configuration, not the backend's fault.
  const url = new URL(baseUrl);
  url.pathname = url.pathname.replace(/\/+$/, "") + path;
  return url.toString();
}

/**
 * The request body Piston expects. Our one set of limits applies to both stages; a limit of 0 is
 * left out, so the backend's own default applies (Piston reads a missing or falsy limit that way).
 */
export function toPistonRequest(program: PistonProgram) {
  const { limits } = program;
  const limit = (name: string, value: number) => (value > 0 ? { [name]: value } : {});
  return {
    language: program.language,
    version: program.version,
    files: program.files.map((file) => ({ name: file.name, content: file.content })),
    stdin: program.stdin,
    args: program.args,
    ...limit("compile_timeout", limits.wallTimeMs),
    ...limit("run_timeout", limits.wallTimeMs),
    ...limit("compile_cpu_time", limits.cpuTimeMs),
    ...limit("run_cpu_time", limits.cpuTimeMs),
    ...limit("compile_memory_limit", limits.memoryBytes),
    ...limit("run_memory_limit", limits.memoryBytes),
  };
}

export async function executeOnPiston(
  baseUrl: string,
  program: PistonProgram,
  options: PistonRequestOptions,
): Promise<RemoteExecutionResult> {
  const url = pistonUrl(baseUrl, "/api/v2/execute");
  const body = await exchange(url, options, maxResponseBytes(program.limits), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(toPistonRequest(program)),
  });
  const parsed = executeResponseSchema.safeParse(body);
  if (!parsed.success) throw protocolError(url, `not a Piston execute response (${firstIssue(parsed.error)})`);
  return fromPistonResponse(parsed.data, program.limits);
}

export async function fetchPistonRuntimes(
  baseUrl: string,
  options: PistonRequestOptions,
): Promise<BackendRuntime[]> {
  const url = pistonUrl(baseUrl, "/api/v2/runtimes");
  const body = await exchange(url, options, 4 * 1024 * 1024, { method: "GET", headers: { accept: "application/json" } });
  const parsed = runtimesSchema.safeParse(body);
  if (!parsed.success) throw protocolError(url, `not a Piston runtimes list (${firstIssue(parsed.error)})`);
  return parsed.data.map((runtime) => ({
    language: runtime.language,
    version: runtime.version,
    aliases: runtime.aliases,
    ...(runtime.runtime === undefined ? {} : { runtime: runtime.runtime }),
  }));
}

export interface PistonProbe {
  /** The runtimes call answered and, if the backend offers JavaScript, a tiny program printed 42. */
  healthy: boolean;
  /** Wall time of the whole probe (runtimes call plus the program, if run). */
  latencyMs: number;
  /** What the backend reported; empty when the runtimes call failed. */
  runtimes: BackendRuntime[];
  /** Why it is unhealthy; plain data so it can be stored and logged. */
  error?: { kind: BackendErrorKind; status: number | null; message: string };
}

/** The program a probe runs, when the backend offers JavaScript. */
export const PROBE_SOURCE = "console.log(6 * 7)";

/**
 * Checks a backend the way a client would use it: lists its runtimes and, when it has JavaScript,
 * runs `console.log(6 * 7)` and expects the last line of stdout to be "42". The probe also sends
 * "42" on stdin, which the real program ignores; test/fakes/fake-piston.ts runs no code and echoes
 * stdin instead, so fakes pass the probe while a backend that answers with nonsense does not.
 */
export async function probePiston(baseUrl: string, options: PistonRequestOptions): Promise<PistonProbe> {
  const startedAt = performance.now();
  const elapsed = () => Math.round((performance.now() - startedAt) * 1000) / 1000;
  let runtimes: BackendRuntime[] = [];
  try {
    runtimes = await fetchPistonRuntimes(baseUrl, options);
    const javascript = runtimes.find((runtime) => runtime.language === "javascript" || runtime.aliases.includes("js"));
    if (javascript) {
      const result = await executeOnPiston(
        baseUrl,
        {
          language: javascript.language,
          version: javascript.version,
          files: [{ name: "probe.js", content: PROBE_SOURCE }],
          stdin: "42\n",
          args: [],
          limits: PROBE_LIMITS,
        },
        options,
      );
      const lastLine = result.stdout.trimEnd().split("\n").pop();
      if (result.status !== "ok" || lastLine !== "42") {
        const got = result.status !== "ok" ? `status ${result.status}` : `stdout ${JSON.stringify(result.stdout.slice(0, 100))}`;
        return { healthy: false, latencyMs: elapsed(), runtimes, error: { kind: "protocol", status: 200, message: `probe program: expected 42, got ${got}` } };
      }
    }
    return { healthy: true, latencyMs: elapsed(), runtimes };
  } catch (error) {
    if (!(error instanceof BackendError)) throw error;
    return { healthy: false, latencyMs: elapsed(), runtimes, error: { kind: error.kind, status: error.status, message: error.message } };
  }
}

/**
 * Time and memory are left to the backend's defaults: a backend configured with less than we would
 * ask for would answer 400, and a tight memory limit can kill a runtime (the JVM, Node) at startup;
 * neither means the backend is down. `timeoutMs` bounds the probe.
 */
const PROBE_LIMITS: ExecutionLimits = {
  cpuTimeMs: 0,
  wallTimeMs: 0,
  memoryBytes: 0,
  stackBytes: 0,
  maxStdoutBytes: 1024,
  maxStderrBytes: 1024,
};

// ---------------------------------------------------------------------------------------------
// Transport: one request, its failures classified.

async function exchange(url: string, options: PistonRequestOptions, maxBytes: number, init: RequestInit): Promise<unknown> {
  const fetcher = options.fetcher ?? fetch;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const where = new URL(url).origin;
  let response: Response;
  let text: string;
  try {
    response = await fetcher(url, { ...init, headers: { ...(init.headers as Record<string, string>), ...options.headers }, signal });
    // The timeout covers reading the body too: a backend that sends headers and then stalls is as
    // useless as one that never answers.
    text = await readCapped(response, maxBytes, url);
  } catch (error) {
    if (error instanceof BackendError) throw error;
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) {
      throw new BackendError("timeout", `${where} did not answer within ${options.timeoutMs} ms`, { retryable: true, cause: error });
    }
    // fetch rejects only when there is no HTTP answer: refused, reset, unresolvable. Whether the
    // backend ran the program before the connection broke is unknowable; retrying is safe because
    // an execution has no effect outside its own sandbox.
    throw new BackendError("connect", `${where} unreachable: ${error instanceof Error ? error.message : String(error)}`, {
      retryable: true,
      cause: error,
    });
  }
  if (response.status !== 200) throw httpError(response, text, where);
  try {
    return JSON.parse(text);
  } catch {
    throw protocolError(url, `answered 200 with a body that is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
}

/** Reads the body, refusing more than maxBytes (a misbehaving backend must not exhaust the isolate). */
async function readCapped(response: Response, maxBytes: number, url: string): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw protocolError(url, `answer larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/**
 * Largest execute answer accepted: the output caps for stdout, stderr, their interleaving and a
 * compile stage, with room for JSON escaping; Piston caps output itself, this only bounds memory.
 */
function maxResponseBytes(limits: ExecutionLimits): number {
  return 6 * 2 * (limits.maxStdoutBytes + limits.maxStderrBytes) + 256 * 1024;
}

function httpError(response: Response, text: string, where: string): BackendError {
  const status = response.status;
  const backendMessage = messageOf(text);
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
  if (status === 429) {
    return new BackendError("overloaded", `${where} is overloaded (429)${backendMessage ? `: ${backendMessage}` : ""}`, {
      status,
      retryable: true,
      retryAfterMs,
    });
  }
  if (status >= 400 && status < 500 && backendMessage) {
    // The client's fault; keep the backend's words so they can be passed on verbatim.
    return new BackendError("http", backendMessage, { status, retryable: false });
  }
  const retryable = status === 502 || status === 503 || status === 504;
  return new BackendError("http", `${where} answered ${status}${backendMessage ? `: ${backendMessage}` : ""}`, {
    status,
    retryable,
    retryAfterMs: retryable ? retryAfterMs : null,
  });
}

/** Piston's error bodies are {"message": "..."}; proxies answer with text or HTML. */
function messageOf(text: string): string | null {
  try {
    const body = JSON.parse(text) as unknown;
    if (body && typeof body === "object" && typeof (body as { message?: unknown }).message === "string") {
      return (body as { message: string }).message;
    }
  } catch {
    // not JSON
  }
  const trimmed = text.trim();
  return trimmed ? trimmed.slice(0, 200) : null;
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function protocolError(url: string, detail: string): BackendError {
  return new BackendError("protocol", `${new URL(url).origin} ${detail}`, { status: 200, retryable: false });
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "invalid";
}

// ---------------------------------------------------------------------------------------------
// Piston's answer → ExecutionResult.

/**
 * Maps Piston's {language, version, run, compile?} onto ExecutionResult; the inverse of
 * toPistonResponse in workers/api/presenters/piston-result.ts:
 * - a compile stage that failed (non-zero code or any status) → compile_error, its stderr;
 * - run.status null → ok / runtime_error by exit code (pre-isolate Piston reports no status);
 * - RE → runtime_error; TO → wall_time_exceeded when the message says "wall clock" (isolate's and our
 *   own wording), else cpu_time_exceeded; SG → memory_limit_exceeded when the message says memory
 *   or the run used the whole memory limit (a cgroup OOM kill), else runtime_error with the signal;
 *   OL / EL → stdout / stderr_limit_exceeded; XX → internal_error.
 * Output over our caps is cut and reported as stdout/stderr_limit_exceeded, as the built-in
 * sandbox would: a remote backend cannot be told our caps, so they are enforced on arrival.
 */
export function fromPistonResponse(
  body: { language: string; version: string; run?: PistonStageIn | null; compile?: PistonStageIn | null },
  limits: ExecutionLimits,
): RemoteExecutionResult {
  const runtime = { language: body.language, version: body.version };
  const compileStage = body.compile ?? undefined;
  const compile: CompileResult | undefined = compileStage
    ? { ok: !compileFailed(compileStage), stderr: compileStage.stderr, wallTimeMs: compileStage.wall_time ?? 0 }
    : undefined;

  if (compileStage && !compile?.ok) {
    const stderr = compileStage.stderr || compileStage.stdout;
    return capOutput(
      {
        status: "compile_error",
        exitCode: compileStage.code ?? 1,
        signal: compileStage.signal ?? null,
        message: compileStage.message ?? "Compilation failed",
        stdout: "",
        stderr,
        output: stderr,
        stdoutTruncated: false,
        stderrTruncated: false,
        cpuTimeMs: compileStage.cpu_time ?? 0,
        wallTimeMs: compileStage.wall_time ?? 0,
        memoryBytes: compileStage.memory ?? 0,
        compile: { ok: false, stderr, wallTimeMs: compileStage.wall_time ?? 0 },
        nondeterministic: true,
        runtime,
      },
      limits,
    );
  }

  const run = body.run ?? compileStage!;
  const ending = runEnding(run, limits);
  return capOutput(
    {
      ...ending,
      stdout: run.stdout,
      stderr: run.stderr,
      output: run.output ?? run.stdout + run.stderr,
      stdoutTruncated: ending.status === "stdout_limit_exceeded",
      stderrTruncated: ending.status === "stderr_limit_exceeded",
      cpuTimeMs: run.cpu_time ?? 0,
      wallTimeMs: run.wall_time ?? 0,
      memoryBytes: run.memory ?? 0,
      ...(compile ? { compile } : {}),
      // We cannot know what a remote program observed (clock, randomness, the network), so a
      // remote result is never treated as a pure function of its input: never cached.
      nondeterministic: true,
      runtime,
    },
    limits,
  );
}

function compileFailed(stage: PistonStageIn): boolean {
  return stage.status != null || (stage.code != null && stage.code !== 0) || stage.signal != null;
}

type Ending = Pick<ExecutionResult, "status" | "exitCode" | "signal" | "message">;

function killed(status: ExecutionStatus, run: PistonStageIn, fallbackMessage: string): Ending {
  return { status, exitCode: null, signal: run.signal ?? "SIGKILL", message: run.message ?? fallbackMessage };
}

function runEnding(run: PistonStageIn, limits: ExecutionLimits): Ending {
  const code = run.code ?? null;
  switch (run.status ?? null) {
    case "TO": {
      const wall = run.message ? /wall/i.test(run.message) : limits.cpuTimeMs > 0 && (run.cpu_time ?? 0) < limits.cpuTimeMs;
      return wall
        ? killed("wall_time_exceeded", run, "Time limit exceeded (wall clock)")
        : killed("cpu_time_exceeded", run, "Time limit exceeded");
    }
    case "SG": {
      const usedAllMemory = limits.memoryBytes > 0 && (run.memory ?? 0) >= limits.memoryBytes;
      const memory = (run.message ? /memory/i.test(run.message) : false) || usedAllMemory;
      if (memory) return killed("memory_limit_exceeded", run, "Memory limit exceeded");
      return { status: "runtime_error", exitCode: code, signal: run.signal ?? null, message: run.message ?? `Killed by ${run.signal ?? "a signal"}` };
    }
    case "OL":
      return killed("stdout_limit_exceeded", run, "stdout length exceeded");
    case "EL":
      return killed("stderr_limit_exceeded", run, "stderr length exceeded");
    case "XX":
      return { status: "internal_error", exitCode: code, signal: run.signal ?? null, message: run.message ?? "Internal error" };
    case "RE":
      return { status: "runtime_error", exitCode: code, signal: run.signal ?? null, message: run.message ?? `Exited with code ${code ?? 1}` };
    default: {
      // No status (older Piston) or one we do not know: decide by how the process ended.
      if (code === 0 && !run.signal) return { status: "ok", exitCode: 0, signal: null, message: null };
      const message = run.message ?? (run.signal ? `Killed by ${run.signal}` : `Exited with code ${code ?? 1}`);
      return { status: "runtime_error", exitCode: code, signal: run.signal ?? null, message };
    }
  }
}

/** Cuts stdout/stderr at the caps; output over a cap stops the run, as in the built-in sandbox. */
function capOutput(result: RemoteExecutionResult, limits: ExecutionLimits): RemoteExecutionResult {
  const stdout = cutUtf8(result.stdout, limits.maxStdoutBytes);
  const stderr = cutUtf8(result.stderr, limits.maxStderrBytes);
  if (stdout === result.stdout && stderr === result.stderr) return result;
  const over: ExecutionStatus = stdout !== result.stdout ? "stdout_limit_exceeded" : "stderr_limit_exceeded";
  const normalEnd = result.status === "ok" || result.status === "runtime_error";
  return {
    ...result,
    ...(normalEnd
      ? { status: over, exitCode: null, signal: "SIGKILL", message: over === "stdout_limit_exceeded" ? "stdout length exceeded" : "stderr length exceeded" }
      : {}),
    stdout,
    stderr,
    output: cutUtf8(result.output, limits.maxStdoutBytes + limits.maxStderrBytes),
    stdoutTruncated: result.stdoutTruncated || stdout !== result.stdout,
    stderrTruncated: result.stderrTruncated || stderr !== result.stderr,
  };
}

const encoder = new TextEncoder();

function cutUtf8(text: string, maxBytes: number): string {
  // Fast path: UTF-8 needs at most 3 bytes per UTF-16 unit.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = encoder.encode(text);
  if (bytes.byteLength <= maxBytes) return text;
  let end = maxBytes;
  // Do not split a multi-byte character: back up to the start of the one the cut falls in.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}
