import type { Job, JobRequest } from "../jobs/types";
import { engineOf, JUDGE0_LANGUAGES, languageName, languageSpec } from "./languages";
import { JUDGE0_ACCEPTED_ONLY } from "./schemas";
import { judge0Outcome, judge0Status, STATUS, type Judge0Outcome } from "./statuses";
import { judge0Echo, type Judge0Echo } from "./submission";

// A job as Judge0 shows a submission (GET /submissions/:token, wait=true, callbacks). Pure.

/** Every attribute, in the order Judge0's serializer writes them (its table's columns, then status and language). */
export const ALL_FIELDS = [
  "source_code",
  "language_id",
  "stdin",
  "expected_output",
  "stdout",
  "status_id",
  "created_at",
  "finished_at",
  "time",
  "memory",
  "stderr",
  "token",
  "number_of_runs",
  "cpu_time_limit",
  "cpu_extra_time",
  "wall_time_limit",
  "memory_limit",
  "stack_limit",
  "max_processes_and_or_threads",
  "enable_per_process_and_thread_time_limit",
  "enable_per_process_and_thread_memory_limit",
  "max_file_size",
  "compile_output",
  "exit_code",
  "exit_signal",
  "message",
  "wall_time",
  "compiler_options",
  "command_line_arguments",
  "redirect_stderr_to_stdout",
  "callback_url",
  "additional_files",
  "enable_network",
  "started_at",
  "queued_at",
  "updated_at",
  "queue_host",
  "execution_host",
  "status",
  "language",
] as const;

export type Judge0Field = (typeof ALL_FIELDS)[number];

/** What Judge0 returns when `fields` is not given (SubmissionSerializer.default_fields). */
export const DEFAULT_FIELDS: readonly Judge0Field[] = ["token", "time", "memory", "stdout", "stderr", "compile_output", "message", "status"];

const KNOWN = new Set<string>(ALL_FIELDS);

/** `?fields=a,b` (or `*` for all); unknown names are reported like Judge0: `invalid fields: [a, b]`. */
export function parseFields(param: string | undefined): { ok: true; fields: readonly Judge0Field[] } | { ok: false; invalid: string[] } {
  const names = (param ?? "").split(",").map((name) => name.trim()).filter((name) => name !== "");
  if (names.length === 0) return { ok: true, fields: DEFAULT_FIELDS };
  if (names.includes("*")) return { ok: true, fields: ALL_FIELDS };
  const invalid = names.filter((name) => !KNOWN.has(name));
  if (invalid.length > 0) return { ok: false, invalid };
  return { ok: true, fields: names as Judge0Field[] };
}

/** UTF-8 text → standard Base64 (no line breaks; Judge0's Ruby adds them, decoders accept both). */
export function encodeBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** How Judge0 prints its decimal columns (BigDecimal#to_s): 5 → "5.0", 2.5 → "2.5". */
const decimal = (value: number) => (Number.isInteger(value) ? value.toFixed(1) : String(value));

/** For a job that has no Judge0 echo (not created by the Judge0 API): derive what it can. */
function derivedEcho(request: JobRequest): Judge0Echo {
  const language = request.runtime.language;
  const spec = JUDGE0_LANGUAGES.find((candidate) => !candidate.alias && candidate.candidates.some((c) => c.language === language));
  const accepted = JUDGE0_ACCEPTED_ONLY;
  return {
    languageId: spec?.id ?? 0,
    hasStdin: request.stdin !== "",
    compilerOptions: null,
    commandLineArguments: request.args.length > 0 ? request.args.join(" ") : null,
    cpuTimeLimit: request.limits.cpuTimeMs / 1000,
    cpuExtraTime: accepted.cpuExtraTime.default,
    wallTimeLimit: request.limits.wallTimeMs / 1000,
    memoryLimit: Math.floor(request.limits.memoryBytes / 1024),
    stackLimit: accepted.stackLimit.default,
    maxProcessesAndOrThreads: accepted.maxProcessesAndOrThreads.default,
    enablePerProcessAndThreadTimeLimit: false,
    enablePerProcessAndThreadMemoryLimit: false,
    maxFileSize: Math.floor(request.limits.maxStdoutBytes / 1024),
    numberOfRuns: accepted.numberOfRuns.default,
    redirectStderrToStdout: false,
  };
}

const pending = (id: number): Judge0Outcome => ({
  status: judge0Status(id),
  stdout: null,
  stderr: null,
  compileOutput: null,
  message: null,
  time: null,
  wallTime: null,
  memory: null,
  exitCode: null,
  exitSignal: null,
});

/** Judge0's view of where a job stands: queued → 1, running → 2, finished → its result's status. */
export function jobOutcome(job: Job): Judge0Outcome {
  const echo = judge0Echo(job.request) ?? derivedEcho(job.request);
  switch (job.status) {
    case "queued":
      return pending(STATUS.inQueue);
    case "running":
      return pending(STATUS.processing);
    case "completed":
      if (job.result) {
        return judge0Outcome(job.result.execution, {
          ...(job.request.expectedOutput !== undefined ? { expectedOutput: job.request.expectedOutput } : {}),
          redirectStderrToStdout: echo.redirectStderrToStdout,
          maxFileSizeKb: echo.maxFileSize,
        });
      }
      return { ...pending(STATUS.internalError), message: "the job completed without a result" };
    case "failed":
    case "cancelled":
      // The service could not run it (runtime gone, retries exhausted, queue refused, cancelled).
      return { ...pending(STATUS.internalError), message: job.error ?? `the job ${job.status}` };
  }
}

export interface PresentOptions {
  base64Encoded: boolean;
  fields: readonly Judge0Field[];
}

/** The submission with the requested fields, text attributes in Base64 when asked for. */
export function presentSubmission(job: Job, options: PresentOptions): Record<string, unknown> {
  const echo = judge0Echo(job.request) ?? derivedEcho(job.request);
  const outcome = jobOutcome(job);
  const text = (value: string | null) => (value === null ? null : options.base64Encoded ? encodeBase64(value) : value);
  const result = job.result;
  const ran = result?.runtime ?? { ...job.request.runtime, engine: engineOf(job.request.runtime) };
  const spec = languageSpec(echo.languageId);
  const final = job.status === "completed" || job.status === "failed" || job.status === "cancelled";

  const all: Record<Judge0Field, unknown> = {
    source_code: text(job.request.files[0]?.content ?? null),
    language_id: echo.languageId,
    stdin: text(echo.hasStdin ? job.request.stdin : null),
    expected_output: text(job.request.expectedOutput ?? null),
    stdout: text(outcome.stdout),
    status_id: outcome.status.id,
    created_at: iso(job.createdAt),
    finished_at: final ? iso(job.completedAt) : null,
    time: outcome.time,
    memory: outcome.memory,
    stderr: text(outcome.stderr),
    token: job.id,
    number_of_runs: echo.numberOfRuns,
    cpu_time_limit: decimal(echo.cpuTimeLimit),
    cpu_extra_time: decimal(echo.cpuExtraTime),
    wall_time_limit: decimal(echo.wallTimeLimit),
    memory_limit: echo.memoryLimit,
    stack_limit: echo.stackLimit,
    max_processes_and_or_threads: echo.maxProcessesAndOrThreads,
    enable_per_process_and_thread_time_limit: echo.enablePerProcessAndThreadTimeLimit,
    enable_per_process_and_thread_memory_limit: echo.enablePerProcessAndThreadMemoryLimit,
    max_file_size: echo.maxFileSize,
    compile_output: text(outcome.compileOutput),
    exit_code: outcome.exitCode,
    exit_signal: outcome.exitSignal,
    message: text(outcome.message),
    wall_time: outcome.wallTime,
    compiler_options: echo.compilerOptions,
    command_line_arguments: echo.commandLineArguments,
    redirect_stderr_to_stdout: echo.redirectStderrToStdout,
    callback_url: job.callbackUrl,
    additional_files: null,
    enable_network: false,
    started_at: iso(job.startedAt),
    queued_at: iso(job.createdAt),
    updated_at: iso(job.completedAt ?? job.startedAt ?? job.createdAt),
    queue_host: null,
    execution_host: result ? (result.backendId ?? result.region) : null,
    status: outcome.status,
    language: {
      id: echo.languageId,
      name: spec ? languageName(spec, ran) : `${ran.language} (${ran.version})`,
    },
  };
  const wanted = new Set<string>(options.fields);
  const out: Record<string, unknown> = {};
  for (const field of ALL_FIELDS) if (wanted.has(field)) out[field] = all[field];
  return out;
}

/**
 * The body of a Judge0 submission's callback: what Judge0 PUTs (its default fields), but in the
 * encoding the submission asked for — Judge0 always sends Base64 there, which clients trip over.
 */
export function judge0CallbackBody(job: Job): Record<string, unknown> {
  return presentSubmission(job, { base64Encoded: job.request.base64Encoded === true, fields: DEFAULT_FIELDS });
}
