import { resultCacheFor, type CacheEnv, type CachedRun, type CacheMode, type StoredRequest } from "../cache";
import type { LogFields, LogLevel } from "../observability/logger";
import { resolveBuiltinLanguage, runProgram } from "../sandbox";
import type { ExecutionLimits, ExecutionResult, RuntimeInfo, SourceFile } from "../sandbox/types";
import { findRuntime } from "./runtime-catalog";

export interface ProgramToRun {
  runtime: RuntimeInfo;
  /** Entry file first. */
  files: SourceFile[];
  stdin: string;
  args: string[];
  limits: ExecutionLimits;
}

/** The program with its runtime named by language and exact version, as caches and backends take it. */
export function programRequest(program: ProgramToRun) {
  return {
    language: program.runtime.language,
    version: program.runtime.version,
    files: program.files,
    stdin: program.stdin,
    args: program.args,
    limits: program.limits,
  };
}

/**
 * The one place an API request turns into an execution. Both APIs call it, so later layers
 * (result cache, regional routing, remote backends) slot in here without touching the routes.
 */
export async function executeProgram(program: ProgramToRun): Promise<ExecutionResult> {
  const language = resolveBuiltinLanguage(program.runtime.language);
  if (!language) throw new Error(`no executor for runtime ${program.runtime.language}`);
  return runProgram({
    language,
    files: program.files,
    stdin: program.stdin,
    args: program.args,
    limits: program.limits,
  });
}

export interface CacheContext {
  env: CacheEnv;
  tenantId: string;
  mode: CacheMode;
  /** User tags the result depends on (validated by the route). */
  tags: readonly string[];
  waitUntil: (promise: Promise<unknown>) => void;
  log?: (level: LogLevel, message: string, fields?: LogFields) => void;
}

/**
 * A program behind the result cache (docs/cache.md): what both execution APIs call. `execute`
 * runs it on a miss — by default here, in the built-in runtime; the APIs pass the regional router.
 */
export function executeProgramCached(
  program: ProgramToRun,
  context: CacheContext,
  execute: () => Promise<ExecutionResult> = () => executeProgram(program),
): Promise<CachedRun> {
  const cache = resultCacheFor(context.env, context.waitUntil, context.log ? { log: context.log } : {});
  return cache.run(
    {
      tenantId: context.tenantId,
      program: programRequest(program),
      userTags: context.tags,
      mode: context.mode,
    },
    execute,
  );
}

/** The runtime a stored cache request was made with, if it still exists (exact version). */
function storedRuntime(request: StoredRequest): RuntimeInfo | undefined {
  const runtime = findRuntime(request.language, request.version);
  return runtime && runtime.language === request.language && runtime.version === request.version ? runtime : undefined;
}

/** What the cache's warming cron needs to run a stored request again. */
export const storedRequestExecutor = {
  runtimeAvailable: (request: StoredRequest) => storedRuntime(request) !== undefined,
  execute(request: StoredRequest): Promise<ExecutionResult> {
    const runtime = storedRuntime(request);
    if (!runtime) return Promise.reject(new Error(`runtime ${request.language}@${request.version} no longer exists`));
    return executeProgram({ runtime, files: request.files, stdin: request.stdin, args: request.args, limits: request.limits });
  },
};
