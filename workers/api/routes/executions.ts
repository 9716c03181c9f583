import { Hono, type Context } from "hono";
import { cacheModeFromHeaders, X_CACHE } from "../../cache";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors";
import { authenticate } from "../middleware/authenticate";
import { methodNotAllowed } from "../method-not-allowed";
import { toExecutionResponse } from "../presenters/execution-result";
import { readJsonBody } from "../read-json-body";
import { toLimits, toSourceFiles } from "../execution-input";
import { PRIORITY_HEADER, RoutedExecution } from "../routed-execution";
import type { ProgramToRun } from "../../execution/execute-program";
import { submitJobs } from "../../jobs/submit";
import { executionRequestSchema } from "../schemas/execution";
import { parseOrThrow } from "../validate";

/** Does a Prefer header (RFC 7240) include respond-async? */
function prefersAsync(prefer: string | undefined): boolean {
  return (prefer ?? "").split(",").some((preference) => preference.trim().toLowerCase().split(/[;=]/)[0] === "respond-async");
}

/** Queues a program the service could not run now as an async job on the caller's lane. */
async function deferAsJob(
  c: Context<AppEnv>,
  program: ProgramToRun,
  options: { mode: "default" | "bypass"; tags: string[]; region?: string },
) {
  const priority = c.req.header(PRIORITY_HEADER)?.trim().toLowerCase() === "batch" ? "batch" : "interactive";
  const [outcome] = await submitJobs(c.env, c.get("tenant").id, [
    {
      request: {
        runtime: { language: program.runtime.language, version: program.runtime.version },
        files: program.files,
        stdin: program.stdin,
        args: program.args,
        limits: program.limits,
        cache: { mode: options.mode, tags: options.tags },
        ...(options.region ? { region: options.region } : {}),
      },
      lane: priority,
      flavor: "native",
      callbackUrl: null,
      idempotencyKey: null,
    },
  ], Date.now());
  return outcome.job;
}

/** Native execution API: `POST /v1/executions` runs a program synchronously and returns its result. */
export function executionRoutes() {
  const app = new Hono<AppEnv>();

  app.post("/", authenticate(), async (c) => {
    const config = c.get("config");
    const body = parseOrThrow(executionRequestSchema(config.limitMaxima), await readJsonBody(c));
    const routing = await RoutedExecution.open(c);
    const runtime = routing.findRuntime(body.language, body.version);
    if (!runtime) {
      throw new ApiError("validation_failed", `${body.language}-${body.version} runtime is unknown; see GET /v1/runtimes`, [
        { path: "language", message: `${body.language}-${body.version} runtime is unknown` },
      ]);
    }
    const files = toSourceFiles(body, runtime.language);
    const limits = toLimits(body, config.limitDefaults);
    const pinnedRegionId = routing.pinnedRegion(body.region);
    const mode = cacheModeFromHeaders(c.req.raw.headers) === "bypass" ? "bypass" : body.cache.mode;
    const program = { runtime, files, stdin: body.stdin, args: body.args, limits };
    let ran;
    try {
      ran = await routing.run(program, { mode, tags: body.cache.tags, ...(pinnedRegionId ? { pinnedRegionId } : {}) });
    } catch (error) {
      // Overloaded and the client allows it (RFC 7240 Prefer: respond-async): accept it as a job.
      if (!(error instanceof ApiError) || (error.status !== 429 && error.status !== 503) || !prefersAsync(c.req.header("Prefer"))) throw error;
      const job = await deferAsJob(c, program, { mode, tags: body.cache.tags, ...(pinnedRegionId ? { region: pinnedRegionId } : {}) });
      c.header("Preference-Applied", "respond-async");
      c.header("Location", `/v1/jobs/${job.id}`);
      return c.json({ id: job.id, status: job.status, message: `${error.message}; accepted as job ${job.id} instead` }, 202);
    }
    const { result, cache, regionId: region, runtime: ranOn } = ran;
    c.header(X_CACHE, cache.status);
    return c.json(toExecutionResponse(result, { id: crypto.randomUUID(), runtime: ranOn, limits, region, cache }));
  });
  app.all("/", methodNotAllowed("POST"));

  return app;
}
