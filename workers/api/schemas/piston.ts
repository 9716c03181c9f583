import { z } from "zod";
import type { ExecutionLimits } from "../../sandbox/types";

// Piston v2 `POST /api/v2/execute`, with Piston's own field names, defaults and messages. Messages
// are relative to their field (see validate.ts): "is required as a string" → "language is required
// as a string", exactly as Piston words it.

export const pistonFileSchema = z.object({
  name: z.string({ error: "must be a string" }).optional(),
  content: z.string({ error: "is required as a string" }),
  // Piston treats any other value as utf8.
  encoding: z.unknown().optional(),
});

/**
 * Piston's constraint rule: a falsy value means "use the default"; otherwise it must be a number,
 * not above the configured limit, and non-negative (checked in that order, like Piston).
 */
function pistonConstraint(max: number, options: { negativeMeansUnlimited?: boolean } = {}) {
  return z.unknown().superRefine((value, ctx) => {
    if (!value) return;
    // Piston's memory limits are unlimited (-1) out of the box, so it skips the checks and clients
    // (the `piston-client` package among them) send -1 by default. Here -1 asks for the maximum.
    if (options.negativeMeansUnlimited && value === -1) return;
    if (typeof value !== "number") {
      ctx.addIssue({ code: "custom", message: "If specified, {path} must be a number" });
    } else if (value > max) {
      ctx.addIssue({ code: "custom", message: `cannot exceed the configured limit of ${max}` });
    } else if (value < 0) {
      ctx.addIssue({ code: "custom", message: "must be non-negative" });
    }
  }).transform((value) => {
    if (options.negativeMeansUnlimited && value === -1) return max;
    return typeof value === "number" && value > 0 ? value : undefined;
  }).optional();
}

/** Built once per distinct set of maxima (they come from configuration): building costs more than using. */
const executeSchemas = new Map<string, ReturnType<typeof buildPistonExecuteSchema>>();

export function pistonExecuteSchema(maxima: ExecutionLimits) {
  const key = `${maxima.cpuTimeMs}/${maxima.wallTimeMs}/${maxima.memoryBytes}`;
  let schema = executeSchemas.get(key);
  if (!schema) {
    if (executeSchemas.size >= 16) executeSchemas.clear();
    schema = buildPistonExecuteSchema(maxima);
    executeSchemas.set(key, schema);
  }
  return schema;
}

function buildPistonExecuteSchema(maxima: ExecutionLimits) {
  return z.object({
    language: z.string({ error: "is required as a string" }).min(1, "is required as a string"),
    version: z.string({ error: "is required as a string" }).min(1, "is required as a string"),
    files: z.array(pistonFileSchema, { error: "is required as an array" }),
    stdin: z.string({ error: "must be a string" }).optional(),
    args: z
      .array(z.union([z.string(), z.number()]).transform(String), { error: "must be an array of strings" })
      .optional(),
    run_timeout: pistonConstraint(maxima.wallTimeMs),
    compile_timeout: pistonConstraint(maxima.wallTimeMs),
    run_cpu_time: pistonConstraint(maxima.cpuTimeMs),
    compile_cpu_time: pistonConstraint(maxima.cpuTimeMs),
    run_memory_limit: pistonConstraint(maxima.memoryBytes, { negativeMeansUnlimited: true }),
    compile_memory_limit: pistonConstraint(maxima.memoryBytes, { negativeMeansUnlimited: true }),
  });
}

export type PistonExecuteRequest = z.output<ReturnType<typeof pistonExecuteSchema>>;

/** Fields Piston validates before it looks the runtime up; their errors are reported first. */
export const PISTON_EARLY_FIELDS = new Set(["language", "version", "files"]);

export const pistonStageSchema = z.object({
  stdout: z.string(),
  stderr: z.string(),
  output: z.string().describe("stdout and stderr interleaved in write order"),
  code: z.number().int().nullable().describe("exit code; null when the sandbox killed the program"),
  signal: z.string().nullable().describe('"SIGKILL" when a limit stopped the program'),
  message: z.string().nullable(),
  status: z
    .enum(["RE", "SG", "TO", "OL", "EL", "XX"])
    .nullable()
    .describe("RE runtime error, SG killed (memory), TO time limit, OL/EL stdout/stderr limit, XX internal"),
  cpu_time: z.number().describe("milliseconds"),
  wall_time: z.number().describe("milliseconds"),
  memory: z.number().describe("peak bytes"),
});

export const pistonExecuteResponseSchema = z.object({
  language: z.string(),
  version: z.string(),
  run: pistonStageSchema,
  compile: pistonStageSchema.optional(),
});

export const pistonRuntimeSchema = z.object({
  language: z.string(),
  version: z.string(),
  aliases: z.array(z.string()),
  runtime: z.string().optional(),
});
