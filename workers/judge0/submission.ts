import { callbackUrlProblem } from "../jobs/callbacks";
import type { JobRequest } from "../jobs/types";
import { decodeContent } from "../execution/decode-content";
import type { ExecutionLimits, RuntimeInfo } from "../sandbox/types";
import type { Judge0LanguageSpec } from "./languages";
import type { z } from "zod";
import { JUDGE0_ACCEPTED_ONLY, judge0SubmissionSchema, type Judge0Limits, type Judge0SubmissionBody } from "./schemas";

// A Judge0 submission body → the canonical job request (docs/judge0.md). Errors are collected the
// way Rails validations collect them, per field, so a 422 lists every problem like Judge0's does.

export type Judge0FieldErrors = Record<string, string[]>;

/**
 * What Judge0 echoes back (`?fields=*`) but the job request does not carry: kept in the job's
 * request JSON under `judge0`. The run ignores it; only the Judge0 presenter reads it.
 */
export interface Judge0Echo {
  languageId: number;
  /** stdin was sent (null when it was not, like Judge0), as opposed to sent empty. */
  hasStdin: boolean;
  compilerOptions: string | null;
  commandLineArguments: string | null;
  /** As requested (seconds / kilobytes), before mapping onto the sandbox's limits. */
  cpuTimeLimit: number;
  cpuExtraTime: number;
  wallTimeLimit: number;
  memoryLimit: number;
  stackLimit: number;
  maxProcessesAndOrThreads: number;
  enablePerProcessAndThreadTimeLimit: boolean;
  enablePerProcessAndThreadMemoryLimit: boolean;
  maxFileSize: number;
  numberOfRuns: number;
  redirectStderrToStdout: boolean;
}

export type Judge0JobRequest = JobRequest & { judge0: Judge0Echo };

export function judge0Echo(request: JobRequest): Judge0Echo | undefined {
  return (request as Partial<Judge0JobRequest>).judge0;
}

export interface SubmissionContext {
  limits: Judge0Limits;
  /** The service's limit defaults (the stack and anything Judge0 cannot ask for). */
  limitDefaults: ExecutionLimits;
  base64Encoded: boolean;
  /** Judge0 language id → the runtime that would run it now. */
  resolve(languageId: number): { spec: Judge0LanguageSpec; runtime: RuntimeInfo } | undefined;
  /** This service's host: callbacks may not point at it. */
  ownHost: string;
  cacheMode: "default" | "bypass";
  region?: string;
}

export type ParsedSubmission =
  | { ok: true; request: Judge0JobRequest; callbackUrl: string | null; runtime: RuntimeInfo }
  | { ok: false; errors: Judge0FieldErrors };

const BLANK = "can't be blank";
/** Judge0 strips these from command_line_arguments before bash sees them. */
const UNSAFE_SHELL_CHARACTERS = /[$&;<>|`]/g;

/**
 * Judge0 appends command_line_arguments to the run command and lets bash split them; this splits
 * them the same way (whitespace, '…', "…" with \ escapes, \ outside quotes).
 */
export function splitCommandLine(line: string): string[] {
  const args: string[] = [];
  let current = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  const text = line.replace(UNSAFE_SHELL_CHARACTERS, "");
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === "'") {
      if (ch === "'") quote = null;
      else current += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === "\\" && i + 1 < text.length && '"\\'.includes(text[i + 1])) current += text[++i];
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) args.push(current);
      current = "";
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) args.push(current);
  return args;
}

function add(errors: Judge0FieldErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

const isBlank = (value: string | undefined) => value === undefined || value.trim() === "";

function languageIdOf(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === "string" && /^\s*[+-]?\d+(\.\d*)?\s*$/.test(value)) return Math.trunc(Number(value));
  return undefined;
}

/** Validates one submission body and turns it into a job request. */
export function parseSubmission(body: unknown, ctx: SubmissionContext): ParsedSubmission {
  const input = typeof body === "object" && body !== null && !Array.isArray(body) ? body : {};
  const raw = input as Record<string, unknown>;
  // Field by field, so one wrong field does not hide the others (Rails validates every attribute).
  const errors: Judge0FieldErrors = {};
  const data: Partial<Judge0SubmissionBody> = {};
  for (const [field, schema] of Object.entries(judge0SubmissionSchema(ctx.limits).shape)) {
    const result = (schema as z.ZodType).safeParse(raw[field]);
    if (result.success) (data as Record<string, unknown>)[field] = result.data;
    else for (const issue of result.error.issues) add(errors, field, issue.message);
  }

  // base64_encoded=true: source_code, stdin and expected_output arrive encoded (Judge0 decodes them
  // before validating, so a blank program is judged after decoding).
  const decode = (field: "source_code" | "stdin" | "expected_output"): string | undefined => {
    const value = data[field];
    if (value === undefined || !ctx.base64Encoded) return value;
    const decoded = decodeContent(value, "base64");
    if (decoded === null) {
      add(errors, field, "is not valid Base64-encoded UTF-8 text (base64_encoded=true)");
      return undefined;
    }
    return decoded;
  };
  const sourceCode = decode("source_code");
  const stdin = decode("stdin");
  const expectedOutput = decode("expected_output");

  if (!errors.source_code && isBlank(sourceCode)) add(errors, "source_code", BLANK);

  const languageId = languageIdOf(raw.language_id);
  let resolved: ReturnType<SubmissionContext["resolve"]>;
  if (!errors.language_id) {
    if (languageId === undefined) add(errors, "language_id", BLANK);
    else {
      resolved = ctx.resolve(languageId);
      if (!resolved) add(errors, "language_id", `language with id ${languageId} doesn't exist`);
    }
  }

  if (!isBlank(data.compiler_options)) add(errors, "compiler_options", "setting compiler options is not allowed");
  const additional = raw.additional_files;
  if (additional !== undefined && additional !== null && additional !== "") {
    add(errors, "additional_files", "setting additional files is not allowed");
  }
  if (data.enable_network) add(errors, "enable_network", "enabling network is not allowed");

  const callbackUrl = !isBlank(data.callback_url) ? data.callback_url!.trim() : null;
  if (callbackUrl !== null) {
    const problem = callbackUrlProblem(callbackUrl, ctx.ownHost);
    if (problem) add(errors, "callback_url", problem);
  }

  if (Object.keys(errors).length > 0 || !resolved || languageId === undefined) {
    return { ok: false, errors };
  }

  const { limits, limitDefaults } = ctx;
  const cpuTimeLimit = data.cpu_time_limit ?? limits.cpuTimeLimit;
  const wallTimeLimit = data.wall_time_limit ?? limits.wallTimeLimit;
  const memoryLimit = data.memory_limit ?? limits.memoryLimit;
  const maxFileSize = data.max_file_size ?? limits.maxFileSize;
  const executionLimits: ExecutionLimits = {
    ...limitDefaults,
    // isolate reads a CPU limit of 0 as "no limit": here that is the most this instance allows.
    cpuTimeMs: cpuTimeLimit === 0 ? limits.maxCpuTimeLimit * 1000 : Math.max(1, Math.round(cpuTimeLimit * 1000)),
    wallTimeMs: Math.round(wallTimeLimit * 1000),
    memoryBytes: memoryLimit * 1024,
    maxStdoutBytes: maxFileSize * 1024,
    maxStderrBytes: maxFileSize * 1024,
  };
  const commandLineArguments = isBlank(data.command_line_arguments) ? null : data.command_line_arguments!;
  const accepted = JUDGE0_ACCEPTED_ONLY;
  const request: Judge0JobRequest = {
    runtime: { language: resolved.runtime.language, version: resolved.runtime.version },
    files: [{ name: resolved.spec.sourceFile, content: sourceCode! }],
    stdin: stdin ?? "",
    args: commandLineArguments === null ? [] : splitCommandLine(commandLineArguments),
    limits: executionLimits,
    cache: { mode: ctx.cacheMode, tags: [] },
    ...(ctx.region ? { region: ctx.region } : {}),
    ...(expectedOutput !== undefined ? { expectedOutput } : {}),
    base64Encoded: ctx.base64Encoded,
    judge0: {
      languageId,
      hasStdin: stdin !== undefined,
      compilerOptions: isBlank(data.compiler_options) ? null : data.compiler_options!,
      commandLineArguments,
      cpuTimeLimit,
      cpuExtraTime: data.cpu_extra_time ?? accepted.cpuExtraTime.default,
      wallTimeLimit,
      memoryLimit,
      stackLimit: data.stack_limit ?? accepted.stackLimit.default,
      maxProcessesAndOrThreads: data.max_processes_and_or_threads ?? accepted.maxProcessesAndOrThreads.default,
      enablePerProcessAndThreadTimeLimit: data.enable_per_process_and_thread_time_limit ?? false,
      enablePerProcessAndThreadMemoryLimit: data.enable_per_process_and_thread_memory_limit ?? false,
      maxFileSize,
      numberOfRuns: data.number_of_runs ?? accepted.numberOfRuns.default,
      redirectStderrToStdout: data.redirect_stderr_to_stdout ?? false,
    },
  };
  return { ok: true, request, callbackUrl, runtime: resolved.runtime };
}
