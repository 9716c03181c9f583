import { z } from "zod";
import type { ExecutionLimits } from "../sandbox/types";
import { LIMIT_DEFAULTS } from "../sandbox/limits";
import {
  judge0ErrorSchema,
  judge0FieldErrorsSchema,
  judge0LanguageDetailSchema,
  judge0LanguageSchema,
  judge0Limits,
  judge0StatusSchema,
  judge0SubmissionResponseSchema,
  judge0SubmissionSchema,
} from "./schemas";

// The Judge0 part of GET /openapi.json (workers/api/openapi.ts spreads it into `paths`), from the
// same zod schemas the routes validate with.

const json = (schema: z.ZodType, io: "input" | "output" = "output") => ({
  content: { "application/json": { schema: z.toJSONSchema(schema, { io, unrepresentable: "any" }) } },
});

const error = (description: string) => ({ description, ...json(judge0ErrorSchema) });

const security = [{ bearerAuth: [] }, { apiKeyHeader: [] }];
const auth = "API key as Authorization: Bearer, X-API-Key, or Judge0's X-Auth-Token.";

const query = (name: string, description: string, schema: Record<string, unknown> = { type: "string", enum: ["true", "false"] }) => ({
  name,
  in: "query",
  required: false,
  schema,
  description,
});
const base64 = query("base64_encoded", "true: source_code, stdin, expected_output are sent in Base64, and text fields are answered in Base64");
const fields = query("fields", "comma-separated attributes, or * for all; default token,time,memory,stdout,stderr,compile_output,message,status", { type: "string" });

export function judge0OpenApiPaths(maxima: ExecutionLimits) {
  const defaults = Object.fromEntries(
    Object.entries(LIMIT_DEFAULTS).map(([key, value]) => [key, Math.min(value, maxima[key as keyof ExecutionLimits])]),
  ) as unknown as ExecutionLimits;
  const submission = judge0SubmissionSchema(judge0Limits(defaults, maxima));
  const common = {
    400: error("Invalid query (fields), body that is not JSON, or an empty/oversized batch: {error}"),
    401: error("Missing or invalid API key"),
  };
  return {
    "/submissions": {
      post: {
        summary: "Judge0: create a submission (201 {token}); wait=true answers with the finished submission. Also at /judge0/submissions",
        description: auth,
        security,
        parameters: [base64, query("wait", "true: run it before answering (long-polls the job)"), fields],
        requestBody: { required: true, ...json(submission, "input") },
        responses: {
          201: { description: "{token}, or the submission with wait=true", ...json(judge0SubmissionResponseSchema) },
          ...common,
          409: error("Idempotency-Key reused with another body"),
          422: { description: "Field errors, e.g. {\"language_id\": [\"language with id 150000 doesn't exist\"]}", ...json(judge0FieldErrorsSchema) },
          503: error("queue is full (Retry-After)"),
        },
      },
    },
    "/submissions/{token}": {
      get: {
        summary: "Judge0: a submission (status 1 In Queue, 2 Processing, then its result). Also at /judge0/submissions/{token}",
        description: auth,
        security,
        parameters: [{ name: "token", in: "path", required: true, schema: { type: "string" } }, base64, fields],
        responses: { 200: { description: "The submission", ...json(judge0SubmissionResponseSchema) }, ...common, 404: error("No such submission") },
      },
    },
    "/submissions/batch": {
      post: {
        summary: "Judge0: create several submissions; each entry answers {token} or its field errors",
        description: auth,
        security,
        parameters: [base64],
        requestBody: { required: true, ...json(z.object({ submissions: z.array(submission) }), "input") },
        responses: {
          201: { description: "At least one was created", ...json(z.array(z.union([z.object({ token: z.string() }), judge0FieldErrorsSchema]))) },
          ...common,
          422: { description: "None was valid: every entry's field errors", ...json(z.array(judge0FieldErrorsSchema)) },
          503: error("queue is full (Retry-After)"),
        },
      },
      get: {
        summary: "Judge0: several submissions by token (null for unknown ones)",
        description: auth,
        security,
        parameters: [query("tokens", "comma-separated tokens (or a `tokens` header)", { type: "string" }), base64, fields],
        responses: {
          200: { description: "{submissions: [...]}", ...json(z.object({ submissions: z.array(judge0SubmissionResponseSchema.nullable()) })) },
          ...common,
        },
      },
    },
    "/languages": {
      get: {
        summary: "Judge0: languages this service can run now (Judge0 CE ids; names say what runs them)",
        responses: { 200: { description: "Languages", ...json(z.array(judge0LanguageSchema)) } },
      },
    },
    "/languages/{languageId}": {
      get: {
        summary: "Judge0: one language",
        parameters: [{ name: "languageId", in: "path", required: true, schema: { type: "integer" } }],
        responses: { 200: { description: "Language", ...json(judge0LanguageDetailSchema) }, 404: error("Unknown or not available now") },
      },
    },
    "/statuses": {
      get: {
        summary: "Judge0: the status table (1 In Queue … 14 Exec Format Error)",
        responses: { 200: { description: "Statuses", ...json(z.array(judge0StatusSchema)) } },
      },
    },
    "/config_info": {
      get: {
        summary: "Judge0: this instance's configuration (defaults and maxima of the limits, enabled features)",
        responses: { 200: { description: "Configuration" } },
      },
    },
  };
}
