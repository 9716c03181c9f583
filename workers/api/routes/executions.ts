import { Hono } from "hono";
import { decodeContent } from "../../execution/decode-content";
import { cacheModeFromHeaders, X_CACHE } from "../../cache";
import type { ExecutionLimits, SourceFile } from "../../sandbox/types";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors";
import { authenticate } from "../middleware/authenticate";
import { methodNotAllowed } from "../method-not-allowed";
import { toExecutionResponse } from "../presenters/execution-result";
import { readJsonBody } from "../read-json-body";
import { RoutedExecution } from "../routed-execution";
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
    const { result, cache, regionId: region, runtime: ranOn } = await routing.run(
      { runtime, files, stdin: body.stdin, args: body.args, limits },
      {
        mode: cacheModeFromHeaders(c.req.raw.headers) === "bypass" ? "bypass" : body.cache.mode,
        tags: body.cache.tags,
        ...(pinnedRegionId ? { pinnedRegionId } : {}),
      },
    );
    c.header(X_CACHE, cache.status);
    return c.json(toExecutionResponse(result, { id: crypto.randomUUID(), runtime: ranOn, limits, region, cache }));
  });
  app.all("/", methodNotAllowed("POST"));

  return app;
}
