import { Hono } from "hono";
import { decodeContent, pistonEncoding } from "../../execution/decode-content";
import { cacheModeFromHeaders, X_CACHE } from "../../cache";
import { listRuntimes } from "../../execution/runtime-catalog";
import { topologyFor } from "../../pools/topology-cache";
import { remoteRuntimes } from "../../routing/route-plan";
import type { SourceFile } from "../../sandbox/types";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors";
import { authenticate } from "../middleware/authenticate";
import { methodNotAllowed } from "../method-not-allowed";
import { toPistonResponse } from "../presenters/piston-result";
import { readJsonBody } from "../read-json-body";
import { PISTON_EARLY_FIELDS, pistonExecuteSchema } from "../schemas/piston";
import { RoutedExecution } from "../routed-execution";
import { toFieldErrors } from "../validate";
import { isSafeRelativePath } from "../../execution/file-names";

/**
 * Piston v2, so existing clients work unchanged. Validation follows Piston's order and wording:
 * language, version, files, files[i].content, then the runtime lookup, then the utf8-file rule,
 * then the limits.
 */
export function pistonRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/runtimes", async (c) =>
    c.json(
      listRuntimes(remoteRuntimes((await topologyFor(c.env, Date.now())).backends)).map(({ language, version, aliases, runtime }) => ({ language, version, aliases, runtime })),
    ),
  );
  app.all("/runtimes", methodNotAllowed("GET"));

  app.post("/execute", authenticate(), async (c) => {
    const body = await readJsonBody(c);
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new ApiError("validation_failed", "request body must be a JSON object");
    }
    const config = c.get("config");
    const parsed = pistonExecuteSchema(config.limitMaxima).safeParse(body);
    const issues = parsed.success ? [] : toFieldErrors(parsed.error.issues);
    const early = issues.filter((issue) => PISTON_EARLY_FIELDS.has(issue.path.split(/[.[]/)[0]));
    if (early.length > 0) throw new ApiError("validation_failed", early[0].message, issues);

    const raw = body as { language: string; version: string; files: Array<{ encoding?: unknown }> };
    const routing = await RoutedExecution.open(c);
    const runtime = routing.findRuntime(raw.language, raw.version);
    if (!runtime) {
      throw new ApiError("validation_failed", `${raw.language}-${raw.version} runtime is unknown`, [
        { path: "language", message: `${raw.language}-${raw.version} runtime is unknown` },
      ]);
    }
    if (!raw.files.some((file) => pistonEncoding(file.encoding) === "utf8")) {
      throw new ApiError("validation_failed", "files must include at least one utf8 encoded file", [
        { path: "files", message: "files must include at least one utf8 encoded file" },
      ]);
    }
    if (!parsed.success) throw new ApiError("validation_failed", issues[0].message, issues);
    const request = parsed.data;

    // Piston runs the first utf8 file; the others (any encoding) sit beside it.
    const files: SourceFile[] = request.files.map((file, index) => {
      const name = file.name || `file${index}.code`;
      if (!isSafeRelativePath(name)) {
        throw new ApiError("validation_failed", `files[${index}].name must be a relative path that stays inside the program's directory`);
      }
      const content = decodeContent(file.content, pistonEncoding(file.encoding));
      if (content === null) {
        throw new ApiError("validation_failed", `files[${index}].content is not valid ${String(file.encoding)} text (it must decode to UTF-8)`);
      }
      return { name, content };
    });
    const entryIndex = request.files.findIndex((file) => pistonEncoding(file.encoding) === "utf8");
    const ordered = [files[entryIndex], ...files.filter((_, index) => index !== entryIndex)];

    const limits = {
      ...config.limitDefaults,
      ...(request.run_timeout ? { wallTimeMs: request.run_timeout } : {}),
      ...(request.run_cpu_time ? { cpuTimeMs: request.run_cpu_time } : {}),
      ...(request.run_memory_limit ? { memoryBytes: request.run_memory_limit } : {}),
    };
    // Piston's body has no cache field: clients control the cache with Cache-Control only.
    const pinnedRegionId = routing.pinnedRegion();
    const { result, cache, runtime: ranOn } = await routing.run(
      { runtime, files: ordered, stdin: request.stdin ?? "", args: request.args ?? [], limits },
      { mode: cacheModeFromHeaders(c.req.raw.headers), tags: [], ...(pinnedRegionId ? { pinnedRegionId } : {}) },
    );
    c.header(X_CACHE, cache.status);
    return c.json(toPistonResponse(ranOn.language, ranOn.version, result));
  });
  app.all("/execute", methodNotAllowed("POST"));

  return app;
}
