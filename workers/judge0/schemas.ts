import { z } from "zod";
import type { ExecutionLimits } from "../sandbox/types";

// Judge0 CE request and response shapes (docs/judge0.md). Validation messages are Rails' (what
// Judge0 answers in its 422 bodies: "can't be blank", "is not a number", "must be less than or
// equal to 15.0"); Judge0 accepts numbers as JSON numbers or numeric strings, and so does this.

/** Limits Judge0 has but this service does not enforce: accepted within Judge0 CE's ranges, echoed. */
export const JUDGE0_ACCEPTED_ONLY = {
  cpuExtraTime: { default: 1, max: 5 },
  stackLimit: { default: 64_000, max: 128_000 },
  maxProcessesAndOrThreads: { default: 60, max: 120 },
  numberOfRuns: { default: 1, max: 20 },
} as const;

/** Judge0's lower bounds on the limits it validates. */
export const JUDGE0_MIN_WALL_TIME_LIMIT = 1;
export const JUDGE0_MIN_MEMORY_LIMIT_KB = 2048;
/** compiler_options / command_line_arguments (Judge0: 512 characters). */
export const JUDGE0_MAX_OPTIONS_LENGTH = 512;

/** This instance's Judge0 configuration, derived from the service limits (GET /config_info). */
export interface Judge0Limits {
  cpuTimeLimit: number;
  maxCpuTimeLimit: number;
  wallTimeLimit: number;
  maxWallTimeLimit: number;
  memoryLimit: number;
  maxMemoryLimit: number;
  maxFileSize: number;
  maxMaxFileSize: number;
}

export function judge0Limits(defaults: ExecutionLimits, maxima: ExecutionLimits): Judge0Limits {
  const outputMax = Math.floor(Math.min(maxima.maxStdoutBytes, maxima.maxStderrBytes) / 1024);
  return {
    cpuTimeLimit: defaults.cpuTimeMs / 1000,
    maxCpuTimeLimit: maxima.cpuTimeMs / 1000,
    wallTimeLimit: defaults.wallTimeMs / 1000,
    maxWallTimeLimit: maxima.wallTimeMs / 1000,
    memoryLimit: Math.floor(defaults.memoryBytes / 1024),
    maxMemoryLimit: Math.floor(maxima.memoryBytes / 1024),
    // Judge0's default max_file_size is 1024 KB, which is also this service's largest output cap.
    maxFileSize: Math.min(1024, outputMax),
    maxMaxFileSize: outputMax,
  };
}

/** How Ruby prints the bound in a numericality message: floats keep a ".0" (15.0), integers do not. */
function rubyNumber(value: number, float: boolean): string {
  return float && Number.isInteger(value) ? value.toFixed(1) : String(value);
}

const NUMERIC = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

interface Range {
  /** Rails `greater_than_or_equal_to`. */
  min?: number;
  /** Rails `greater_than`. */
  above?: number;
  max: number;
  /** Judge0 stores it as a decimal (seconds); integers otherwise (kilobytes, counts). */
  float?: boolean;
}

/** A Judge0 numeric attribute: JSON number or numeric string; null or "" means "use the default". */
function numeric(range: Range, description: string) {
  return z
    .union([z.number(), z.string(), z.null()], { error: "is not a number" })
    .transform((value, ctx) => {
      if (value === null || value === "") return undefined;
      const n = typeof value === "number" ? value : NUMERIC.test(value) ? Number(value) : Number.NaN;
      if (!Number.isFinite(n)) {
        ctx.addIssue({ code: "custom", message: "is not a number" });
        return z.NEVER;
      }
      const float = range.float === true;
      if (range.above !== undefined && !(n > range.above)) {
        ctx.addIssue({ code: "custom", message: `must be greater than ${rubyNumber(range.above, float)}` });
      }
      if (range.min !== undefined && n < range.min) {
        ctx.addIssue({ code: "custom", message: `must be greater than or equal to ${rubyNumber(range.min, float)}` });
      }
      if (n > range.max) ctx.addIssue({ code: "custom", message: `must be less than or equal to ${rubyNumber(range.max, float)}` });
      return float ? n : Math.trunc(n);
    })
    .optional()
    .describe(description);
}

const RAILS_FALSE = new Set(["0", "f", "false", "off"]);

/** A Judge0 boolean, cast the way Rails casts it (false, 0, "0", "f", "false", "off" are false). */
function flag(description: string) {
  return z
    .union([z.boolean(), z.number(), z.string(), z.null()], { error: "is not a boolean" })
    .transform((value) => {
      if (value === null || value === "") return undefined;
      if (typeof value === "boolean") return value;
      if (typeof value === "number") return value !== 0;
      return !RAILS_FALSE.has(value.trim().toLowerCase());
    })
    .optional()
    .describe(description);
}

/** A Judge0 text attribute; numbers are taken as their text, as Rails does. */
function text(description: string, maxLength?: number) {
  return z
    .union([z.string(), z.number().transform(String), z.null()], { error: "must be a string" })
    .transform((value, ctx) => {
      if (value === null) return undefined;
      if (maxLength !== undefined && value.length > maxLength) {
        ctx.addIssue({ code: "custom", message: `is too long (maximum is ${maxLength} characters)` });
      }
      return value;
    })
    .optional()
    .describe(description);
}

const schemas = new Map<string, ReturnType<typeof buildSubmissionSchema>>();

/** The body of POST /submissions (and each entry of POST /submissions/batch). Built once per limits. */
export function judge0SubmissionSchema(limits: Judge0Limits) {
  const key = JSON.stringify(limits);
  let schema = schemas.get(key);
  if (!schema) {
    if (schemas.size >= 16) schemas.clear();
    schema = buildSubmissionSchema(limits);
    schemas.set(key, schema);
  }
  return schema;
}

function buildSubmissionSchema(limits: Judge0Limits) {
  const accepted = JUDGE0_ACCEPTED_ONLY;
  return z.object({
    source_code: text("the program (base64 when ?base64_encoded=true); required"),
    language_id: z
      .union([z.number(), z.string(), z.null()], { error: "is not a number" })
      .optional()
      .describe("a Judge0 CE language id (GET /languages); required"),
    compiler_options: text("not supported here: must be blank (see GET /config_info)", JUDGE0_MAX_OPTIONS_LENGTH),
    command_line_arguments: text("split like a shell does into the program's arguments", JUDGE0_MAX_OPTIONS_LENGTH),
    stdin: text("the program's standard input (base64 when ?base64_encoded=true)"),
    expected_output: text("compared with stdout after trimming trailing whitespace: Accepted (3) or Wrong Answer (4)"),
    cpu_time_limit: numeric({ min: 0, max: limits.maxCpuTimeLimit, float: true }, `seconds; default ${limits.cpuTimeLimit}; 0 means the maximum`),
    cpu_extra_time: numeric({ min: 0, max: accepted.cpuExtraTime.max, float: true }, "seconds; accepted and echoed, not used"),
    wall_time_limit: numeric({ min: JUDGE0_MIN_WALL_TIME_LIMIT, max: limits.maxWallTimeLimit, float: true }, `seconds; default ${limits.wallTimeLimit}`),
    memory_limit: numeric({ min: JUDGE0_MIN_MEMORY_LIMIT_KB, max: limits.maxMemoryLimit }, `kilobytes of program heap; default ${limits.memoryLimit}`),
    stack_limit: numeric({ min: 0, max: accepted.stackLimit.max }, "kilobytes; accepted and echoed, not used"),
    max_processes_and_or_threads: numeric({ above: 0, max: accepted.maxProcessesAndOrThreads.max }, "accepted and echoed, not used"),
    enable_per_process_and_thread_time_limit: flag("accepted and echoed, not used"),
    enable_per_process_and_thread_memory_limit: flag("accepted and echoed, not used"),
    max_file_size: numeric({ min: 0, max: limits.maxMaxFileSize }, `kilobytes each of stdout and stderr; default ${limits.maxFileSize}; past it: status 8`),
    redirect_stderr_to_stdout: flag("stdout carries both streams interleaved"),
    number_of_runs: numeric({ above: 0, max: accepted.numberOfRuns.max }, "accepted and echoed; programs run once"),
    callback_url: text("PUT the finished submission here (JSON, signed with X-Edgebox-Signature)"),
    additional_files: z.unknown().optional().describe("not supported here: must be blank"),
    enable_network: flag("must be false: programs have no network"),
  });
}

export type Judge0SubmissionBody = z.output<ReturnType<typeof judge0SubmissionSchema>>;

export const judge0StatusSchema = z.object({ id: z.number().int(), description: z.string() });

export const judge0LanguageSchema = z.object({ id: z.number().int(), name: z.string() });

export const judge0LanguageDetailSchema = judge0LanguageSchema.extend({
  is_archived: z.boolean(),
  source_file: z.string(),
  compile_cmd: z.null(),
  run_cmd: z.null(),
});

const nullableText = z.string().nullable();

/** A submission with every attribute (`?fields=*`); by default GET returns the first eight named in DEFAULT_FIELDS. */
export const judge0SubmissionResponseSchema = z
  .object({
    source_code: nullableText,
    language_id: z.number().int(),
    stdin: nullableText,
    expected_output: nullableText,
    stdout: nullableText,
    status_id: z.number().int(),
    created_at: z.string(),
    finished_at: nullableText,
    time: nullableText.describe('CPU seconds, e.g. "0.012"'),
    memory: z.number().int().nullable().describe("kilobytes"),
    stderr: nullableText,
    token: z.string(),
    number_of_runs: z.number().int(),
    cpu_time_limit: z.string(),
    cpu_extra_time: z.string(),
    wall_time_limit: z.string(),
    memory_limit: z.number().int(),
    stack_limit: z.number().int(),
    max_processes_and_or_threads: z.number().int(),
    enable_per_process_and_thread_time_limit: z.boolean(),
    enable_per_process_and_thread_memory_limit: z.boolean(),
    max_file_size: z.number().int(),
    compile_output: nullableText,
    exit_code: z.number().int().nullable(),
    exit_signal: z.number().int().nullable(),
    message: nullableText,
    wall_time: nullableText.describe("wall-clock seconds"),
    compiler_options: nullableText,
    command_line_arguments: nullableText,
    redirect_stderr_to_stdout: z.boolean(),
    callback_url: nullableText,
    additional_files: z.null(),
    enable_network: z.boolean(),
    started_at: nullableText,
    queued_at: nullableText,
    updated_at: nullableText,
    queue_host: z.null(),
    execution_host: nullableText.describe("the backend (or region) that ran it"),
    status: judge0StatusSchema,
    language: judge0LanguageSchema,
  })
  .partial();

/** Judge0's errors: 422 `{field: [messages]}`, or `{error: message}` for everything else. */
export const judge0FieldErrorsSchema = z.record(z.string(), z.array(z.string()));
export const judge0ErrorSchema = z.object({ error: z.string() });
