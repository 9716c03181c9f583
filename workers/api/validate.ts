import type { z } from "zod";
import { ApiError, type FieldError } from "./errors";

/** `files.0.content` → `files[0].content`, the way people (and Piston's messages) write paths. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/**
 * Schema messages are written relative to their field: "is required as a string" becomes
 * "language is required as a string"; a message containing `{path}` places the path itself.
 */
export function toFieldErrors(issues: ReadonlyArray<z.core.$ZodIssue>): FieldError[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    let message = issue.message;
    if (message.includes("{path}")) message = message.replaceAll("{path}", path || "body");
    else if (path) message = `${path} ${message}`;
    return { path, message };
  });
}

/** Parses `input` with `schema` or throws a 400 whose message is the first field error. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = toFieldErrors(result.error.issues);
  throw new ApiError("validation_failed", details[0]?.message ?? "invalid request", details);
}
