import { z } from "zod";
import { MAX_USER_TAGS, userTagProblem } from "../../cache/tags";
import { isSafeRelativePath } from "../../execution/file-names";
import type { ExecutionLimits } from "../../sandbox/types";

// Native API: `POST /v1/executions`. camelCase, explicit limits, `code` as a one-file shorthand.

/** Most files one request may carry; a program is source, not a file system. */
export const MAX_FILES = 64;

const fileNameSchema = z
  .string({ error: "must be a string" })
  .min(1, "must not be empty")
  .max(255, "must be at most 255 characters")
  .refine(isSafeRelativePath, { message: "must be a relative path that stays inside the program's directory" });

export const sourceFileSchema = z.object({
  name: fileNameSchema.optional(),
  content: z.string({ error: "is required as a string" }),
  encoding: z.enum(["utf8", "base64", "hex"], { error: "must be one of utf8, base64, hex" }).default("utf8"),
});

const cacheModeSchema = z.enum(["default", "bypass"], { error: "must be default or bypass" });

const userTagSchema = z.string({ error: "must be a string" }).superRefine((tag, ctx) => {
  const problem = userTagProblem(tag);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/**
 * Result-cache control (docs/cache.md): `"bypass"` runs without the cache; `tags` name what the
 * result depends on, so `POST /v1/cache/invalidate {tags}` can drop it.
 */
export const cacheRequestSchema = z
  .preprocess(
    // The shorthand: `"bypass"` is `{mode: "bypass"}`.
    (value) => (value === "default" || value === "bypass" ? { mode: value } : value),
    z
      .object(
        {
          mode: cacheModeSchema.default("default"),
          tags: z
            .array(userTagSchema, { error: "must be an array of strings" })
            .max(MAX_USER_TAGS, `must contain at most ${MAX_USER_TAGS} tags`)
            .default([]),
        },
        {
          error: (issue) =>
            issue.code === "unrecognized_keys"
              ? `has unknown field(s): ${issue.keys.join(", ")}; known are mode, tags`
              : 'must be "default", "bypass" or an object {mode?, tags?}',
        },
      )
      .strict(),
  )
  .optional()
  .transform((value) => value ?? { mode: "default" as const, tags: [] as string[] });

function limit(max: number, unit: string) {
  return z
    .number({ error: `must be a number (${unit})` })
    .int(`must be a whole number of ${unit}`)
    .positive("must be positive")
    .max(max, `cannot exceed the configured limit of ${max}`)
    .optional();
}

/**
 * Building this schema costs about 0.2 ms, more than the rest of a cached request's validation and
 * lookup together, so it is built once per distinct set of maxima (they come from configuration).
 */
const requestSchemas = new Map<string, ReturnType<typeof buildExecutionRequestSchema>>();

export function executionRequestSchema(maxima: ExecutionLimits) {
  const key = `${maxima.cpuTimeMs}/${maxima.wallTimeMs}/${maxima.memoryBytes}/${Math.min(maxima.maxStdoutBytes, maxima.maxStderrBytes)}`;
  let schema = requestSchemas.get(key);
  if (!schema) {
    if (requestSchemas.size >= 16) requestSchemas.clear();
    schema = buildExecutionRequestSchema(maxima);
    requestSchemas.set(key, schema);
  }
  return schema;
}

function buildExecutionRequestSchema(maxima: ExecutionLimits) {
  return z
    .object({
      language: z.string({ error: "is required as a string" }).min(1, "is required as a string"),
      version: z.string({ error: "must be a string" }).min(1, "must not be empty").default("*"),
      code: z.string({ error: "must be a string" }).optional(),
      files: z
        .array(sourceFileSchema, { error: "must be an array of files" })
        .min(1, "must contain at least one file")
        .max(MAX_FILES, `must contain at most ${MAX_FILES} files`)
        .optional(),
      stdin: z.string({ error: "must be a string" }).default(""),
      args: z.array(z.string({ error: "must be a string" }), { error: "must be an array of strings" }).default([]),
      limits: z
        .object({
          cpuTimeMs: limit(maxima.cpuTimeMs, "milliseconds"),
          wallTimeMs: limit(maxima.wallTimeMs, "milliseconds"),
          memoryBytes: limit(maxima.memoryBytes, "bytes"),
          maxOutputBytes: limit(Math.min(maxima.maxStdoutBytes, maxima.maxStderrBytes), "bytes"),
        }, {
          error: (issue) =>
            issue.code === "unrecognized_keys"
              ? `has unknown field(s): ${issue.keys.join(", ")}; known are cpuTimeMs, wallTimeMs, memoryBytes, maxOutputBytes`
              : "must be an object",
        })
        .strict()
        .default({}),
      cache: cacheRequestSchema,
      region: z
        .string({ error: "must be a region id" })
        .min(1, "must be a region id")
        .optional()
        .describe("run only in this region (see GET /v1/health for region ids); default: the nearest healthy one"),
    })
    .superRefine((body, ctx) => {
      if ((body.code === undefined) === (body.files === undefined)) {
        ctx.addIssue({ code: "custom", path: ["code"], message: "{path}: send exactly one of `code` or `files`" });
      }
    });
}

export type ExecutionRequestBody = z.output<ReturnType<typeof executionRequestSchema>>;

export const executionStatusSchema = z.enum([
  "ok",
  "runtime_error",
  "compile_error",
  "cpu_time_exceeded",
  "wall_time_exceeded",
  "memory_limit_exceeded",
  "stdout_limit_exceeded",
  "stderr_limit_exceeded",
  "internal_error",
]);

export const executionResponseSchema = z.object({
  id: z.string().describe("unique id of this execution"),
  status: executionStatusSchema,
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  message: z.string().nullable().describe("why the run ended, for any status other than ok"),
  stdout: z.string(),
  stderr: z.string(),
  truncated: z.object({ stdout: z.boolean(), stderr: z.boolean() }),
  timings: z.object({
    cpuMs: z.number(),
    wallMs: z.number(),
    compileMs: z.number().optional(),
  }),
  memory: z.object({ peakBytes: z.number(), limitBytes: z.number() }),
  limits: z.object({
    cpuTimeMs: z.number(),
    wallTimeMs: z.number(),
    memoryBytes: z.number(),
    maxOutputBytes: z.number(),
  }),
  compile: z.object({ ok: z.boolean(), stderr: z.string() }).optional(),
  runtime: z.object({ language: z.string(), version: z.string(), engine: z.string() }),
  region: z.string().describe("id of the region that ran it (or would have, for a cache hit); also in X-Edgebox-Region"),
  cache: z
    .object({
      status: z.enum(["HIT-L1", "HIT-L2", "HIT-L3", "MISS", "BYPASS"]).describe("also in the X-Cache header"),
      reason: z.string().optional().describe("why it was bypassed, or `coalesced` when it waited for an identical run"),
      key: z.string().optional().describe("program key, for POST /v1/cache/invalidate {keys}"),
      stale: z.literal(true).optional().describe("served past its expiry (stale-while-revalidate)"),
      storedAt: z.string().optional().describe("for a hit: when the cached answer was produced (ISO 8601)"),
      staleIfError: z.literal(true).optional().describe("served past its expiry because the program could not be run (stale-if-error); also X-Edgebox-Degraded: stale-if-error"),
    })
    .describe("how the result cache answered; timings and memory of a hit are those of the run that produced it"),
});

export const runtimeSchema = z.object({
  language: z.string(),
  version: z.string(),
  aliases: z.array(z.string()),
  engine: z.string(),
});
