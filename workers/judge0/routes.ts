import { Hono, type Context, type ErrorHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { cacheModeFromHeaders } from "../cache";
import { openDatabase } from "../db/client";
import { CALLBACK_MAX_ATTEMPTS } from "../jobs/callbacks";
import { MAX_WAIT_SECONDS, readJobsConfig } from "../jobs/config";
import { getJob, getJobs } from "../jobs/job-store";
import { submitJobs, type SubmitEntry } from "../jobs/submit";
import type { Job, JobLane } from "../jobs/types";
import { topologyFor } from "../pools/topology-cache";
import { remoteRuntimes } from "../routing/route-plan";
import type { AppEnv } from "../api/app-env";
import { ApiError } from "../api/errors";
import { authenticate } from "../api/middleware/authenticate";
import { methodNotAllowed } from "../api/method-not-allowed";
import { readJsonBody } from "../api/read-json-body";
import { PRIORITY_HEADER, RoutedExecution } from "../api/routed-execution";
import { availableLanguages, languageName, resolveLanguage } from "./languages";
import { parseFields, presentSubmission, type Judge0Field } from "./present";
import { JUDGE0_ACCEPTED_ONLY, judge0Limits, type Judge0Limits } from "./schemas";
import { JUDGE0_STATUSES } from "./statuses";
import { parseSubmission, type SubmissionContext } from "./submission";

// The Judge0 CE API (docs/judge0.md): /submissions, /submissions/batch, /languages, /statuses,
// /config_info, mounted at the root (Judge0 clients take a base URL) and under /judge0. Submissions
// are async jobs of flavor "judge0": the token is the job id.

/** An answer in Judge0's own error shape: `{error}` or, for 422, `{field: [messages]}`. */
class Judge0Error extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.error === "string" ? body.error : `Judge0 error ${status}`);
  }
}

/** Judge0's 404 (Rails' JSON for a record not found). */
const notFound = () => new Judge0Error(404, { error: "Not Found", status: 404 });

/**
 * Judge0 clients read `error` (or per-field arrays on 422), not edgebox's envelope. The request id
 * stays in the X-Request-Id header. Anything that is not an expected API error goes on to the
 * app's handler (logged, reported, 500).
 */
const judge0ErrorHandler: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof Judge0Error) {
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return c.json(error.body, error.status);
  }
  if (error instanceof ApiError) {
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    // Backpressure on submit is Judge0's "queue is full".
    if (error.code === "rate_limited") return c.json({ error: "queue is full" }, 503);
    return c.json({ error: error.message }, error.status);
  }
  throw error;
};

function laneFrom(c: Context<AppEnv>): JobLane {
  const value = c.req.header(PRIORITY_HEADER)?.trim().toLowerCase();
  if (value === undefined || value === "" || value === "interactive") return "interactive";
  if (value === "batch") return "batch";
  throw new Judge0Error(400, { error: `${PRIORITY_HEADER} must be "interactive" or "batch"` });
}

function requestedFields(c: Context<AppEnv>): readonly Judge0Field[] {
  const parsed = parseFields(c.req.query("fields"));
  if (!parsed.ok) throw new Judge0Error(400, { error: `invalid fields: [${parsed.invalid.join(", ")}]` });
  return parsed.fields;
}

function limitsOf(c: Context<AppEnv>): Judge0Limits {
  const config = c.get("config");
  return judge0Limits(config.limitDefaults, config.limitMaxima);
}

async function submissionContext(c: Context<AppEnv>, base64Encoded: boolean): Promise<SubmissionContext> {
  const routing = await RoutedExecution.open(c);
  const remote = remoteRuntimes(routing.topology.backends);
  const region = routing.pinnedRegion();
  return {
    limits: limitsOf(c),
    limitDefaults: c.get("config").limitDefaults,
    base64Encoded,
    resolve: (languageId) => resolveLanguage(languageId, remote),
    ownHost: new URL(c.req.url).host,
    cacheMode: cacheModeFromHeaders(c.req.raw.headers),
    ...(region ? { region } : {}),
  };
}

const isFinal = (job: Job) => job.status === "completed" || job.status === "failed" || job.status === "cancelled";

/**
 * wait=true: the submission runs through the job pipeline like any other, and this request
 * long-polls its JobWatch (up to twice the wall limit, for a compile stage, plus queueing slack).
 */
async function waitForJob(c: Context<AppEnv>, job: Job): Promise<Job> {
  if (isFinal(job)) return job;
  const timeoutMs = Math.min(MAX_WAIT_SECONDS * 1000, 2 * job.request.limits.wallTimeMs + 20_000);
  await c.env.JOB_WATCH.get(c.env.JOB_WATCH.idFromName(job.id)).wait(timeoutMs);
  return (await getJob(openDatabase(c.env.DB), job.id, job.tenantId)) ?? job;
}

export function judge0Routes() {
  const app = new Hono<AppEnv>();
  app.onError(judge0ErrorHandler);
  const auth = authenticate({ alsoFrom: ["X-Auth-Token"] });

  app.get("/statuses", (c) => c.json(JUDGE0_STATUSES.map(({ id, description }) => ({ id, description }))));
  app.all("/statuses", methodNotAllowed("GET"));

  app.get("/languages", async (c) => c.json(availableLanguages(remoteRuntimes((await topologyFor(c.env, Date.now())).backends))));
  app.all("/languages", methodNotAllowed("GET"));

  app.get("/languages/:id", async (c) => {
    const id = Number(c.req.param("id"));
    const resolved = Number.isInteger(id) ? resolveLanguage(id, remoteRuntimes((await topologyFor(c.env, Date.now())).backends)) : undefined;
    if (!resolved) throw notFound();
    const { spec, runtime } = resolved;
    return c.json({
      id: spec.id,
      name: languageName(spec, { language: runtime.language, version: runtime.version, engine: runtime.runtime }),
      is_archived: false,
      source_file: spec.sourceFile,
      compile_cmd: null,
      run_cmd: null,
    });
  });
  app.all("/languages/:id", methodNotAllowed("GET"));

  app.get("/config_info", (c) => {
    const limits = limitsOf(c);
    const jobs = readJobsConfig(c.env);
    const accepted = JUDGE0_ACCEPTED_ONLY;
    return c.json({
      maintenance_mode: false,
      enable_wait_result: true,
      enable_compiler_options: false,
      allowed_languages_for_compile_options: [],
      enable_command_line_arguments: true,
      enable_submission_delete: false,
      enable_callbacks: true,
      callbacks_max_tries: CALLBACK_MAX_ATTEMPTS,
      callbacks_timeout: 10,
      enable_additional_files: false,
      max_queue_size: jobs.maxQueued.interactive,
      cpu_time_limit: limits.cpuTimeLimit,
      max_cpu_time_limit: limits.maxCpuTimeLimit,
      cpu_extra_time: accepted.cpuExtraTime.default,
      max_cpu_extra_time: accepted.cpuExtraTime.max,
      wall_time_limit: limits.wallTimeLimit,
      max_wall_time_limit: limits.maxWallTimeLimit,
      memory_limit: limits.memoryLimit,
      max_memory_limit: limits.maxMemoryLimit,
      stack_limit: accepted.stackLimit.default,
      max_stack_limit: accepted.stackLimit.max,
      max_processes_and_or_threads: accepted.maxProcessesAndOrThreads.default,
      max_max_processes_and_or_threads: accepted.maxProcessesAndOrThreads.max,
      enable_per_process_and_thread_time_limit: false,
      allow_enable_per_process_and_thread_time_limit: true,
      enable_per_process_and_thread_memory_limit: false,
      allow_enable_per_process_and_thread_memory_limit: true,
      max_file_size: limits.maxFileSize,
      max_max_file_size: limits.maxMaxFileSize,
      number_of_runs: accepted.numberOfRuns.default,
      max_number_of_runs: accepted.numberOfRuns.max,
      redirect_stderr_to_stdout: false,
      max_extract_size: 0,
      enable_batched_submissions: true,
      max_submission_batch_size: jobs.batchMax,
      allow_enable_network: false,
      enable_network: false,
    });
  });
  app.all("/config_info", methodNotAllowed("GET"));

  // Batch routes first: "/submissions/batch" must not be read as a token.
  app.post("/submissions/batch", auth, async (c) => {
    const base64Encoded = c.req.query("base64_encoded") === "true";
    const body = await readJsonBody(c);
    const list = typeof body === "object" && body !== null ? (body as { submissions?: unknown }).submissions : undefined;
    const count = Array.isArray(list) ? list.length : 0;
    const max = readJobsConfig(c.env).batchMax;
    if (count > max) throw new Judge0Error(400, { error: `number of submissions in a batch should be less than or equal to ${max}` });
    if (count === 0) throw new Judge0Error(400, { error: "there should be at least one submission in a batch" });

    const ctx = await submissionContext(c, base64Encoded);
    const lane = laneFrom(c);
    const parsed = (list as unknown[]).map((entry) => parseSubmission(entry, ctx));
    const entries: SubmitEntry[] = [];
    for (const one of parsed) {
      if (one.ok) entries.push({ request: one.request, lane, flavor: "judge0", callbackUrl: one.callbackUrl, idempotencyKey: null });
    }
    const created = entries.length > 0 ? await submitJobs(c.env, c.get("tenant").id, entries, Date.now()) : [];
    let next = 0;
    const answer = parsed.map((one) => (one.ok ? { token: created[next++].job.id } : one.errors));
    return c.json(answer, entries.length > 0 ? 201 : 422);
  });
  app.get("/submissions/batch", auth, async (c) => {
    const fields = requestedFields(c);
    const base64Encoded = c.req.query("base64_encoded") === "true";
    const tokens = (c.req.header("tokens") ?? c.req.query("tokens") ?? "")
      .split(",")
      .map((token) => token.trim())
      .filter((token) => token !== "");
    const max = readJobsConfig(c.env).batchMax;
    if (tokens.length > max) throw new Judge0Error(400, { error: `number of submissions in a batch should be less than or equal to ${max}` });
    if (tokens.length === 0) throw new Judge0Error(400, { error: "there should be at least one submission in a batch" });
    const found = await getJobs(openDatabase(c.env.DB), [...new Set(tokens)], c.get("tenant").id);
    const byId = new Map(found.filter((job) => job.flavor === "judge0").map((job) => [job.id, job]));
    return c.json({
      submissions: tokens.map((token) => {
        const job = byId.get(token);
        return job ? presentSubmission(job, { base64Encoded, fields }) : null;
      }),
    });
  });
  app.all("/submissions/batch", methodNotAllowed("GET", "POST"));

  app.post("/submissions", auth, async (c) => {
    const fields = requestedFields(c);
    const base64Encoded = c.req.query("base64_encoded") === "true";
    const wait = c.req.query("wait") === "true";
    const body = await readJsonBody(c);
    const parsed = parseSubmission(body, await submissionContext(c, base64Encoded));
    if (!parsed.ok) return c.json(parsed.errors, 422);
    const idempotencyKey = c.req.header("Idempotency-Key")?.trim() || null;
    const [outcome] = await submitJobs(
      c.env,
      c.get("tenant").id,
      [{ request: parsed.request, lane: laneFrom(c), flavor: "judge0", callbackUrl: parsed.callbackUrl, idempotencyKey }],
      Date.now(),
    );
    if (outcome.kind === "conflict") {
      throw new Judge0Error(409, { error: "this Idempotency-Key was already used with a different submission" });
    }
    if (!wait) return c.json({ token: outcome.job.id }, 201);
    const job = await waitForJob(c, outcome.job);
    return c.json(presentSubmission(job, { base64Encoded, fields }), 201);
  });
  app.all("/submissions", methodNotAllowed("POST"));

  app.get("/submissions/:token", auth, async (c) => {
    const fields = requestedFields(c);
    const base64Encoded = c.req.query("base64_encoded") === "true";
    const job = await getJob(openDatabase(c.env.DB), c.req.param("token"), c.get("tenant").id);
    if (!job || job.flavor !== "judge0") throw notFound();
    return c.json(presentSubmission(job, { base64Encoded, fields }));
  });
  app.all("/submissions/:token", methodNotAllowed("GET"));

  return app;
}
