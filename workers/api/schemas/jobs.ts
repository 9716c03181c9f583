import { z } from "zod";
import { MAX_WAIT_SECONDS } from "../../jobs/config";
import type { ExecutionLimits } from "../../sandbox/types";
import { executionRequestSchema, executionResponseSchema } from "./execution";

// Native async jobs (docs/jobs.md): `/v1/jobs` and `/v1/admin/dead-letters`. A job request is a
// POST /v1/executions body plus how to schedule it and where to report it.

export const JOB_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export const JOB_PRIORITIES = ["interactive", "batch"] as const;

/** Jobs per page of GET /v1/jobs when `limit` is not given, and the most one page may hold. */
export const JOBS_PAGE_DEFAULT = 20;
export const JOBS_PAGE_MAX = 100;
/** Dead letters per page of GET /v1/admin/dead-letters when `limit` is not given, and the most. */
export const DEAD_LETTERS_PAGE_DEFAULT = 50;
export const DEAD_LETTERS_PAGE_MAX = 500;
/** Longest Idempotency-Key accepted. */
export const IDEMPOTENCY_KEY_MAX = 255;

const jobExtras = {
  priority: z
    .enum(JOB_PRIORITIES, { error: 'must be "interactive" or "batch"' })
    .default("interactive")
    .describe("the lane: interactive jobs never wait behind batch work; batch is shed first under overload"),
  callbackUrl: z
    .string({ error: "must be a string (an absolute http(s) URL)" })
    .nullable()
    .optional()
    .describe("POSTed the finished job, signed with X-Edgebox-Signature (docs/jobs.md); not this service's own host"),
};

const jobSchemas = new WeakMap<object, ReturnType<typeof buildJobRequestSchema>>();

function buildJobRequestSchema(maxima: ExecutionLimits) {
  return executionRequestSchema(maxima).safeExtend(jobExtras);
}

/** POST /v1/jobs body (and each entry of a batch): the execution body plus priority and callbackUrl. */
export function jobRequestSchema(maxima: ExecutionLimits) {
  // The execution schema is built once per set of maxima; so is its job extension.
  const base = executionRequestSchema(maxima);
  let schema = jobSchemas.get(base);
  if (!schema) {
    schema = buildJobRequestSchema(maxima);
    jobSchemas.set(base, schema);
  }
  return schema;
}

export type JobRequestBody = z.output<ReturnType<typeof jobRequestSchema>>;

/**
 * POST /v1/jobs/batch, as a whole: a non-empty array of at most `batchMax` entries. The entries
 * themselves are validated one by one, so one bad entry does not reject the others.
 */
export function batchEnvelopeSchema(batchMax: number) {
  return z.object(
    {
      jobs: z
        .array(z.unknown(), { error: "is required as an array of job requests" })
        .min(1, "must contain at least one job")
        .max(batchMax, `must contain at most ${batchMax} jobs (JOBS_BATCH_MAX)`),
    },
    { error: "the body must be an object {jobs: [...]}" },
  );
}

/** The batch body as documented (OpenAPI): each entry is a job request; at most JOBS_BATCH_MAX of them. */
export function batchRequestSchema(maxima: ExecutionLimits) {
  return z.object({ jobs: z.array(jobRequestSchema(maxima)).min(1).describe("at most JOBS_BATCH_MAX (default 100) entries") });
}

const iso = z.string().describe("ISO 8601");

/** A job as every native read presents it (workers/jobs/present-job.ts). */
export const jobSchema = z.object({
  id: z.string(),
  status: z.enum(JOB_STATUSES),
  lane: z.enum(JOB_PRIORITIES),
  attempts: z.number().int().describe("how many times a consumer started it"),
  createdAt: iso,
  startedAt: iso.nullable(),
  completedAt: iso.nullable().describe("when it became completed, failed or cancelled"),
  error: z.string().nullable().describe("why it failed or was cancelled (or why the last attempt failed)"),
  callbackUrl: z.string().nullable(),
  result: executionResponseSchema.nullable().describe("exactly a POST /v1/executions response, once completed"),
});

export const jobAcceptedSchema = z.object({ id: z.string(), status: z.enum(JOB_STATUSES) });

export const batchResponseSchema = z.object({
  jobs: z.array(
    z.union([
      z.object({ index: z.number().int(), id: z.string(), status: z.enum(JOB_STATUSES) }),
      z.object({
        index: z.number().int(),
        error: z.object({ message: z.string(), details: z.array(z.object({ path: z.string(), message: z.string() })) }),
      }),
    ]),
  ),
});

export const jobListSchema = z.object({
  jobs: z.array(jobSchema).describe("newest first"),
  nextCursor: z.string().nullable().describe("pass as ?cursor= for the next page; null on the last page"),
});

export const callbackSecretSchema = z.object({
  secret: z.string().describe("the tenant's HMAC-SHA256 key for X-Edgebox-Signature"),
});

export const deadLetterSchema = z.object({
  id: z.string(),
  jobId: z.string(),
  tenantId: z.string(),
  lane: z.enum(JOB_PRIORITIES),
  message: z.unknown().describe("the queue message that exhausted its retries"),
  reason: z.string(),
  attempts: z.number().int(),
  createdAt: iso,
  replayedAt: iso.nullable(),
});

export const deadLetterListSchema = z.object({ deadLetters: z.array(deadLetterSchema).describe("newest first") });

const wholeNumber = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be a whole number from ${min} to ${max}`).max(max, `must be a whole number from ${min} to ${max}`))
    .describe(name);

/** `?wait=<seconds>` on POST /v1/jobs and GET /v1/jobs/:id. */
export const waitQuerySchema = z.object({
  wait: z
    .string()
    .regex(/^\d+(\.\d+)?$/, `must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}`)
    .transform(Number)
    .pipe(z.number().max(MAX_WAIT_SECONDS, `must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}`))
    .optional(),
});

/** GET /v1/jobs query. */
export const listJobsQuerySchema = z.object({
  status: z.enum(JOB_STATUSES, { error: `must be one of ${JOB_STATUSES.join(", ")}` }).optional(),
  cursor: z.string().min(1, "must not be empty").optional(),
  limit: wholeNumber("page size", 1, JOBS_PAGE_MAX).optional(),
});

/** GET /v1/admin/dead-letters query. */
export const listDeadLettersQuerySchema = z.object({
  limit: wholeNumber("page size", 1, DEAD_LETTERS_PAGE_MAX).optional(),
  all: z.enum(["true", "false"], { error: "must be true or false" }).optional(),
});
