import { decodeContent } from "../execution/decode-content";
import type { ExecutionLimits, SourceFile } from "../sandbox/types";
import { ApiError } from "./errors";
import type { ExecutionRequestBody } from "./schemas/execution";

// Turning a validated native execution body (POST /v1/executions, POST /v1/jobs) into what runs.

/** Default entry file names when the request sends `code` or unnamed files. */
const DEFAULT_ENTRY: Record<string, string> = { javascript: "main.js", typescript: "main.ts" };

type FilesPart = Pick<ExecutionRequestBody, "code" | "files">;
type LimitsPart = Pick<ExecutionRequestBody, "limits">;

/** The request's files, decoded and named; a name used twice is a 400 at that file. */
export function toSourceFiles(body: FilesPart, language: string): SourceFile[] {
  if (body.code !== undefined) return [{ name: DEFAULT_ENTRY[language] ?? "main", content: body.code }];
  const files = (body.files ?? []).map((file, index) => {
    const content = decodeContent(file.content, file.encoding);
    if (content === null) {
      throw new ApiError("validation_failed", `files[${index}].content is not valid ${file.encoding} (it must decode to UTF-8 text)`, [
        { path: `files[${index}].content`, message: `is not valid ${file.encoding}` },
      ]);
    }
    const name = file.name ?? (index === 0 ? DEFAULT_ENTRY[language] ?? "main" : `file${index}`);
    return { name, content };
  });
  const names = new Set<string>();
  files.forEach((file, index) => {
    if (names.has(file.name)) {
      throw new ApiError("validation_failed", `files[${index}].name '${file.name}' is used by an earlier file`, [
        { path: `files[${index}].name`, message: "is used by an earlier file" },
      ]);
    }
    names.add(file.name);
  });
  return files;
}

/** The configured defaults with what the request asked for (already checked against the maxima). */
export function toLimits(body: LimitsPart, defaults: ExecutionLimits): ExecutionLimits {
  const outputCap = body.limits.maxOutputBytes;
  return {
    ...defaults,
    ...(body.limits.cpuTimeMs ? { cpuTimeMs: body.limits.cpuTimeMs } : {}),
    ...(body.limits.wallTimeMs ? { wallTimeMs: body.limits.wallTimeMs } : {}),
    ...(body.limits.memoryBytes ? { memoryBytes: body.limits.memoryBytes } : {}),
    ...(outputCap ? { maxStdoutBytes: outputCap, maxStderrBytes: outputCap } : {}),
  };
}
