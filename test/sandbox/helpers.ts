import { LIMIT_DEFAULTS, runProgram } from "../../workers/sandbox";
import type { ExecutionLimits, ExecutionResult, SourceFile } from "../../workers/sandbox/types";

export interface RunOptions {
  language?: "javascript" | "typescript";
  name?: string;
  files?: SourceFile[];
  stdin?: string;
  args?: string[];
  limits?: Partial<ExecutionLimits>;
}

/** Runs one program (the entry is `code`, named main.js / main.ts unless `name` is given). */
export function run(code: string, options: RunOptions = {}): Promise<ExecutionResult> {
  const language = options.language ?? "javascript";
  const name = options.name ?? (language === "typescript" ? "main.ts" : "main.js");
  return runProgram({
    language,
    files: [{ name, content: code }, ...(options.files ?? [])],
    stdin: options.stdin ?? "",
    args: options.args ?? [],
    limits: { ...LIMIT_DEFAULTS, ...options.limits },
  });
}

/** Runs a program and returns its stdout, failing loudly if it did not exit cleanly. */
export async function stdoutOf(code: string, options: RunOptions = {}): Promise<string> {
  const result = await run(code, options);
  if (result.status !== "ok") {
    throw new Error(`expected ok, got ${result.status} (${result.message})\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return result.stdout;
}

/** A trivial program that must still work after a hostile one. */
export async function expectHealthy(): Promise<void> {
  const result = await run("console.log([1, 2, 3].map((x) => x * 2).join(','))");
  if (result.status !== "ok" || result.stdout !== "2,4,6\n") {
    throw new Error(`sandbox unhealthy after previous run: ${JSON.stringify(result)}`);
  }
}
