import { Hono, type Context } from "hono";
import type { z } from "zod";
import { cacheModeFromHeaders } from "../../cache";
import { openDatabase } from "../../db/client";
import { callbackUrlProblem, rotateCallbackSecret, tenantCallbackSecret } from "../../jobs/callbacks";
import { readJobsConfig } from "../../jobs/config";
import { cancelJob, getJob, InvalidCursorError, listJobs } from "../../jobs/job-store";
import { presentJob } from "../../jobs/present-job";
import { submitJobs, type SubmitEntry } from "../../jobs/submit";
import { FINAL_JOB_STATUSES, type Job, type JobMessage, type JobRequest } from "../../jobs/types";
import type { ExecutionLimits } from "../../sandbox/types";
import type { AppEnv } from "../app-env";
import { ApiError, type FieldError } from "../errors";
import { authenticate } from "../middleware/authenticate";
import { methodNotAllowed } from "../method-not-allowed";
import { readJsonBody } from "../read-json-body";
import { toLimits, toSourceFiles } from "../execution-input";
import { RoutedExecution } from "../routed-execution";
import {
  batchEnvelopeSchema,
  IDEMPOTENCY_KEY_MAX,
  jobRequestSchema,
  JOBS_PAGE_DEFAULT,
  listJobsQuerySchema,
  waitQuerySchema,
  type JobRequestBody,
} from "../schemas/jobs";
import { parseOrThrow } from "../validate";

/** Request header making POST /v1/jobs safe to retry (docs/jobs.md). */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
/** Response header on a POST /v1/jobs answered from an earlier request with the same key. */
export const IDEMPOTENT_REPLAYED_HEADER = "Idempotent-Replayed";

const invalid = (path: string, message: string) =>
  new ApiError("validation_failed", `${path} ${message}`, [{ path, message: `${path} ${message}` }]);

/** What validating a job entry needs from its request, looked up once per request. */
interface SubmitContext {
  routing: RoutedExecution;
  maxima: ExecutionLimits;
  defaults: ExecutionLimits;
  ownHost: string;
  bypassCache: boolean;
}

async function submitContext(c: Context<AppEnv>): Promise<SubmitContext> {
  const config = c.get("config");
  return {
    routing: await RoutedExecution.open(c),
    maxima: config.limitMaxima,
    defaults: config.limitDefaults,
    ownHost: new URL(c.req.url).host,
    bypassCache: cacheModeFromHeaders(c.req.raw.headers) === "bypass",
  };
}

/**
 * One job request → what submitJobs stores: validated like POST /v1/executions (same schema, same
 * messages), the runtime resolved now and stored exactly, so a job runs on what was accepted.
 * Throws the 400 that entry deserves.
 */
function toSubmitEntry(raw: unknown, ctx: SubmitContext, idempotencyKey: string | null): SubmitEntry {
  // The native API is camelCase; a snake_case callback would otherwise be dropped silently.
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw) && "callback_url" in raw) {
    throw invalid("callback_url", "is not a known field; use callbackUrl");
  }
  const body = parseOrThrow(jobRequestSchema(ctx.maxima), raw);
  const callbackUrl = body.callbackUrl ?? null;
  if (callbackUrl !== null) {
    const problem = callbackUrlProblem(callbackUrl, ctx.ownHost);
    if (problem) throw invalid("callbackUrl", problem);
  }
  const runtime = ctx.routing.findRuntime(body.language, body.version);
  if (!runtime) {
    throw new ApiError("validation_failed", `${body.language}-${body.version} runtime is unknown; see GET /v1/runtimes`, [
      { path: "language", message: `${body.language}-${body.version} runtime is unknown` },
    ]);
  }
  const files = toSourceFiles(body, runtime.language);
  const limits = toLimits(body, ctx.defaults);
  const region = ctx.routing.pinnedRegion(body.region);
  const request: JobRequest = {
    runtime: { language: runtime.language, version: runtime.version },
    files,
    stdin: body.stdin,
    args: body.args,
    limits,
    cache: { mode: ctx.bypassCache ? "bypass" : body.cache.mode, tags: body.cache.tags },
    ...(region ? { region } : {}),
  };
  return { request, lane: body.priority, flavor: "native", callbackUrl, idempotencyKey };
}

/** Idempotency-Key: 1..255 printable ASCII characters; null when absent. */
function idempotencyKeyOf(c: Context<AppEnv>): string | null {
  const key = c.req.header(IDEMPOTENCY_KEY_HEADER);
  if (key === undefined) return null;
  if (key.length < 1 || key.length > IDEMPOTENCY_KEY_MAX || !/^[\x20-\x7e]+$/.test(key)) {
    const message = `${IDEMPOTENCY_KEY_HEADER} must be 1 to ${IDEMPOTENCY_KEY_MAX} printable ASCII characters`;
    throw new ApiError("validation_failed", message, [{ path: `headers.${IDEMPOTENCY_KEY_HEADER}`, message }]);
  }
  return key;
}

function query<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.output<S> {
  return parseOrThrow(schema, c.req.query());
}

const isFinal = (job: Job) => FINAL_JOB_STATUSES.includes(job.status);

/**
 * Long-poll: unless the job is final already, wait on its JobWatch (woken when the job finishes)
 * for at most `seconds`, then read the job once more. D1 is read at most twice.
 */
async function waitForJob(c: Context<AppEnv>, job: Job, seconds: number): Promise<Job> {
  if (isFinal(job) || seconds <= 0) return job;
  try {
    await c.env.JOB_WATCH.get(c.env.JOB_WATCH.idFromName(job.id)).wait(seconds * 1000);
  } catch (error) {
    // The answer is the job's state either way; a watch that failed only makes the wait shorter.
    c.get("logger").log("warn", "job watch failed; answering without waiting", { job: job.id, error: String(error) });
  }
  return (await getJob(openDatabase(c.env.DB), job.id, job.tenantId)) ?? job;
}

/** A waited-for job: 200 once final, 202 while it is still queued or running. */
function waitedResponse(c: Context<AppEnv>, job: Job) {
  return c.json(presentJob(job), isFinal(job) ? 200 : 202);
}

function notFound(id: string): ApiError {
  return new ApiError("not_found", `job '${id}' does not exist`);
}

/**
 * Native async jobs (docs/jobs.md): submit (one or a batch), read with optional long-poll, list,
 * cancel, and the tenant's callback signing secret. Everything is scoped to the caller's tenant.
 */
export function jobRoutes() {
  const app = new Hono<AppEnv>();

  app.post("/", authenticate(), async (c) => {
    const { wait } = query(c, waitQuerySchema);
    const idempotencyKey = idempotencyKeyOf(c);
    const raw = await readJsonBody(c);
    const entry = toSubmitEntry(raw, await submitContext(c), idempotencyKey);
    // Backpressure (429 + Retry-After) and queue failures (503) are ApiErrors: they propagate.
    const [outcome] = await submitJobs(c.env, c.get("tenant").id, [entry], Date.now());
    if (outcome.kind === "conflict") {
      throw new ApiError(
        "conflict",
        `${IDEMPOTENCY_KEY_HEADER} '${idempotencyKey}' was already used with a different request body (job ${outcome.job.id}); use a new key for a new job`,
      );
    }
    c.header("Location", `/v1/jobs/${outcome.job.id}`);
    if (outcome.kind === "replayed") {
      c.header(IDEMPOTENT_REPLAYED_HEADER, "true");
      const job = wait === undefined ? outcome.job : await waitForJob(c, outcome.job, wait);
      return c.json(presentJob(job), 200);
    }
    if (wait === undefined) return c.json({ id: outcome.job.id, status: outcome.job.status }, 202);
    return waitedResponse(c, await waitForJob(c, outcome.job, wait));
  });
  app.get("/", authenticate(), async (c) => {
    const params = query(c, listJobsQuerySchema);
    try {
      const page = await listJobs(openDatabase(c.env.DB), c.get("tenant").id, {
        ...(params.status ? { status: params.status } : {}),
        ...(params.cursor ? { cursor: params.cursor } : {}),
        limit: params.limit ?? JOBS_PAGE_DEFAULT,
      });
      return c.json({ jobs: page.jobs.map(presentJob), nextCursor: page.nextCursor });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw invalid("cursor", "is not one this API returned (use nextCursor as is)");
      throw error;
    }
  });
  app.all("/", methodNotAllowed("GET", "POST"));

  app.post("/batch", authenticate(), async (c) => {
    if (c.req.header(IDEMPOTENCY_KEY_HEADER) !== undefined) {
      const message = `${IDEMPOTENCY_KEY_HEADER} is not supported on /v1/jobs/batch; submit with POST /v1/jobs to use it`;
      throw new ApiError("validation_failed", message, [{ path: `headers.${IDEMPOTENCY_KEY_HEADER}`, message }]);
    }
    const { batchMax } = readJobsConfig(c.env);
    const { jobs: raws } = parseOrThrow(batchEnvelopeSchema(batchMax), await readJsonBody(c));
    const ctx = await submitContext(c);
    const results: Array<{ index: number; id: string; status: string } | { index: number; error: { message: string; details: FieldError[] } }> = [];
    const accepted: Array<{ index: number; entry: SubmitEntry }> = [];
    raws.forEach((raw, index) => {
      try {
        accepted.push({ index, entry: toSubmitEntry(raw, ctx, null) });
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== "validation_failed") throw error;
        results[index] = { index, error: { message: error.message, details: error.details } };
      }
    });
    if (accepted.length > 0) {
      const outcomes = await submitJobs(c.env, c.get("tenant").id, accepted.map((item) => item.entry), Date.now());
      outcomes.forEach((outcome, i) => {
        const index = accepted[i].index;
        results[index] = { index, id: outcome.job.id, status: outcome.job.status };
      });
    }
    return c.json({ jobs: results }, 202);
  });
  app.all("/batch", methodNotAllowed("POST"));

  app.get("/callback-secret", authenticate(), async (c) => {
    return c.json({ secret: await tenantCallbackSecret(openDatabase(c.env.DB), c.get("tenant").id) });
  });
  app.all("/callback-secret", methodNotAllowed("GET"));

  app.post("/callback-secret/rotate", authenticate(), async (c) => {
    return c.json({ secret: await rotateCallbackSecret(openDatabase(c.env.DB), c.get("tenant").id) });
  });
  app.all("/callback-secret/rotate", methodNotAllowed("POST"));

  app.get("/:id", authenticate(), async (c) => {
    const { wait } = query(c, waitQuerySchema);
    const id = c.req.param("id");
    const job = await getJob(openDatabase(c.env.DB), id, c.get("tenant").id);
    if (!job) throw notFound(id);
    if (wait === undefined) return c.json(presentJob(job));
    return waitedResponse(c, await waitForJob(c, job, wait));
  });
  app.delete("/:id", authenticate(), async (c) => {
    const id = c.req.param("id");
    const tenantId = c.get("tenant").id;
    const db = openDatabase(c.env.DB);
    const cancelled = await cancelJob(db, id, tenantId, Date.now());
    if (!cancelled) {
      const job = await getJob(db, id, tenantId);
      if (!job) throw notFound(id);
      throw new ApiError("conflict", `job '${id}' is ${job.status}; only a queued job can be cancelled`);
    }
    // Cancelled is final: wake long-polls now, and tell the callback receiver through the queue
    // (delivered and retried by the consumer, so this request does not wait on the receiver).
    await c.env.JOB_WATCH.get(c.env.JOB_WATCH.idFromName(id)).notify();
    if (cancelled.callbackUrl) {
      const message: JobMessage = { kind: "callback", jobId: id, tenantId, attempt: 1 };
      await c.env.JOBS_BATCH.send(message).catch((error: unknown) =>
        c.get("logger").log("error", "could not queue the callback of a cancelled job", { job: id, error: String(error) }),
      );
    }
    return c.json(presentJob(cancelled));
  });
  app.all("/:id", methodNotAllowed("GET", "DELETE"));

  return app;
}
