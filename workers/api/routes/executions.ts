import { Hono, type Context } from "hono";
import { decodeContent } from "../../execution/decode-content";
import { cacheModeFromHeaders, X_CACHE } from "../../cache";
import type { ExecutionLimits, SourceFile } from "../../sandbox/types";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors";
import { authenticate } from "../middleware/authenticate";
import { methodNotAllowed } from "../method-not-allowed";
import { toExecutionResponse } from "../presenters/execution-result";
import { readJsonBody } from "../read-json-body";
import { PRIORITY_HEADER, RoutedExecution } from "../routed-execution";
import type { ProgramToRun } from "../../execution/execute-program";
import { submitJobs } from "../../jobs/submit";
import { executionRequestSchema, type ExecutionRequestBody } from "../schemas/execution";
import { parseOrThrow } from "../validate";

/** Default entry file names when the request sends `code` or unnamed files. */
const DEFAULT_ENTRY: Record<string, string> = { javascript: "main.js", typescript: "main.ts" };

function toSourceFiles(body: ExecutionRequestBody, language: string): SourceFile[] {
  if (body.code !== undefined) return [{ name: DEFAULT_ENTRY[language] ?? "main", content: body.code }];
  return (body.files ?? []).map((file, index) => {
    const content = decodeContent(file.content, file.encoding);
    if (content === null) {
      throw new ApiError("validation_failed", `files[${index}].content is not valid ${file.encoding} (it must decode to UTF-8 text)`, [
        { path: `files[${index}].content`, message: `is not valid ${file.encoding}` },
      ]);
    }
    const name = file.name ?? (index === 0 ? DEFAULT_ENTRY[language] ?? "main" : `file${index}`);
    return { name, content };
  });
}

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
    const names = new Set<string>();
    files.forEach((file, index) => {
      if (names.has(file.name)) {
        throw new ApiError("validation_failed", `files[${index}].name '${file.name}' is used by an earlier file`, [
          { path: `files[${index}].name`, message: "is used by an earlier file" },
        ]);
      }
      names.add(file.name);
    });
    const outputCap = body.limits.maxOutputBytes;
    const limits: ExecutionLimits = {
      ...config.limitDefaults,
      ...(body.limits.cpuTimeMs ? { cpuTimeMs: body.limits.cpuTimeMs } : {}),
      ...(body.limits.wallTimeMs ? { wallTimeMs: body.limits.wallTimeMs } : {}),
      ...(body.limits.memoryBytes ? { memoryBytes: body.limits.memoryBytes } : {}),
      ...(outputCap ? { maxStdoutBytes: outputCap, maxStderrBytes: outputCap } : {}),
    };
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
