import { resolveBuiltinLanguage, runProgram } from "../sandbox";
import type { ExecutionLimits, ExecutionResult, RuntimeInfo, SourceFile } from "../sandbox/types";

export interface ProgramToRun {
  runtime: RuntimeInfo;
  /** Entry file first. */
  files: SourceFile[];
  stdin: string;
  args: string[];
  limits: ExecutionLimits;
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

/** Where this Worker invocation is running: the Cloudflare colo, or "local" under wrangler dev/tests. */
export function currentRegion(request: Request): string {
  const colo = (request as Request & { cf?: { colo?: unknown } }).cf?.colo;
  return typeof colo === "string" && colo !== "" ? colo : "local";
}
