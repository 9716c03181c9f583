import { z } from "zod";
import type { ExecutionLimits } from "../sandbox/types";
import { apiKeySchema, createApiKeySchema, createdApiKeySchema, createTenantSchema, tenantSchema, updateTenantSchema } from "./schemas/admin";
import { invalidateSchema, settingsSchema } from "./schemas/cache";
import {
  backendSchema,
  createBackendSchema,
  createRegionSchema,
  deletedRegionSchema,
  regionSchema,
  updateBackendSchema,
  updateRegionSchema,
} from "./schemas/topology";
import { executionRequestSchema, executionResponseSchema, runtimeSchema } from "./schemas/execution";
import {
  batchRequestSchema,
  batchResponseSchema,
  callbackSecretSchema,
  DEAD_LETTERS_PAGE_DEFAULT,
  DEAD_LETTERS_PAGE_MAX,
  deadLetterListSchema,
  IDEMPOTENCY_KEY_MAX,
  JOB_STATUSES,
  jobAcceptedSchema,
  jobListSchema,
  jobRequestSchema,
  JOBS_PAGE_DEFAULT,
  JOBS_PAGE_MAX,
  jobSchema,
} from "./schemas/jobs";
import { MAX_WAIT_SECONDS } from "../jobs/config";
import { pistonExecuteResponseSchema, pistonExecuteSchema, pistonRuntimeSchema } from "./schemas/piston";
import {
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  activeAlertSchema,
  createRuleSchema,
  historyEntrySchema,
  ruleSchema,
  updateRuleSchema,
} from "../alerting/api-schema";
import { capacityPlanSchema } from "../capacity/api-schema";
import { DEFAULT_HORIZON_HOURS, MAX_HORIZON_HOURS } from "../capacity/plan";
import { judge0OpenApiPaths } from "../judge0/openapi";

// The OpenAPI document is generated from the same zod schemas the routes validate with, so the
// two cannot drift apart.

const errorEnvelopeSchema = z.object({
  message: z.string(),
  error: z.object({
    code: z.string(),
    status: z.number().int(),
    message: z.string(),
    request_id: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

const jsonSchema = (schema: z.ZodType, io: "input" | "output" = "output") =>
  z.toJSONSchema(schema, { io, unrepresentable: "any" });

const json = (schema: z.ZodType, io: "input" | "output" = "output") => ({
  content: { "application/json": { schema: jsonSchema(schema, io) } },
});

function errors(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: "Invalid request (field-level details in error.details)",
    401: "Missing or invalid API key",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Request body too large",
    415: "Request body is not JSON",
    429: "Batch work shed under overload (Retry-After)",
    500: "Internal error",
    502: "A remote backend gave a malformed answer",
    503: "No backend can run it right now (Retry-After)",
  };
  return Object.fromEntries(
    statuses.map((status) => [status, { description: descriptions[status], ...json(errorEnvelopeSchema) }]),
  );
}

const security = [{ bearerAuth: [] }, { apiKeyHeader: [] }];
const adminSecurity = [{ adminSecret: [] }];

/** The 429 of a job submit means something else than an execution's: the lane is full. */
const laneFull = {
  429: { description: "The lane holds JOBS_MAX_QUEUED_<LANE> queued jobs already (backpressure; Retry-After)", ...json(errorEnvelopeSchema) },
};

const waitParameter = (answer: string) => ({
  name: "wait",
  in: "query",
  required: false,
  schema: { type: "number", minimum: 0, maximum: MAX_WAIT_SECONDS },
  description: `long-poll up to this many seconds for the job to finish: ${answer}`,
});

const jobIdParameter = { name: "jobId", in: "path", required: true, schema: { type: "string" } };

export function buildOpenApiDocument(maxima: ExecutionLimits, serverUrl: string) {
  const executeErrors = errors(400, 401, 403, 413, 415, 429, 500, 502, 503);
  return {
    openapi: "3.1.0",
    info: {
      title: "edgebox",
      version: "0.1.0",
      description: "Code-execution sandbox on the edge. Speaks Piston v2 (`/api/v2`) and a native API (`/v1`).",
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer" },
        apiKeyHeader: { type: "apiKey", in: "header", name: "X-API-Key" },
        adminSecret: { type: "http", scheme: "bearer", description: "the ADMIN_SECRET secret" },
      },
    },
    paths: {
      "/api/v2/runtimes": {
        get: {
          summary: "List runtimes (Piston v2); also at /api/v2/piston/runtimes",
          responses: { 200: { description: "Runtimes", ...json(z.array(pistonRuntimeSchema)) } },
        },
      },
      "/api/v2/execute": {
        post: {
          summary: "Execute a program (Piston v2); also at /api/v2/piston/execute",
          security,
          requestBody: { required: true, ...json(pistonExecuteSchema(maxima), "input") },
          responses: { 200: { description: "Result", ...json(pistonExecuteResponseSchema) }, ...executeErrors },
        },
      },
      "/v1/executions": {
        post: {
          summary: "Execute a program and wait for its result",
          security,
          requestBody: { required: true, ...json(executionRequestSchema(maxima), "input") },
          responses: { 200: { description: "Result", ...json(executionResponseSchema) }, ...executeErrors },
        },
      },
      "/v1/jobs": {
        post: {
          summary: "Submit a program as an async job (docs/jobs.md)",
          security,
          parameters: [
            waitParameter("200 with the job once it is final, else 202 with the job so far"),
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              schema: { type: "string", minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX },
              description:
                "printable ASCII; the same key with the same body answers the first job (200, Idempotent-Replayed: true); with another body, 409",
            },
          ],
          requestBody: { required: true, ...json(jobRequestSchema(maxima), "input") },
          responses: {
            202: {
              description: "Accepted: {id, status} (the whole job when wait= was given and it is not final yet); Location: /v1/jobs/{id}",
              ...json(jobAcceptedSchema),
            },
            200: { description: "With wait=, the job finished in time; or an Idempotency-Key replay (Idempotent-Replayed: true)", ...json(jobSchema) },
            ...errors(400, 401, 403, 409, 413, 415, 500, 503),
            ...laneFull,
          },
        },
        get: {
          summary: "List the tenant's jobs, newest first",
          security,
          parameters: [
            { name: "status", in: "query", required: false, schema: { type: "string", enum: [...JOB_STATUSES] } },
            { name: "cursor", in: "query", required: false, schema: { type: "string" }, description: "nextCursor of the previous page" },
            {
              name: "limit",
              in: "query",
              required: false,
              schema: { type: "integer", minimum: 1, maximum: JOBS_PAGE_MAX, default: JOBS_PAGE_DEFAULT },
            },
          ],
          responses: { 200: { description: "A page of jobs", ...json(jobListSchema) }, ...errors(400, 401, 403) },
        },
      },
      "/v1/jobs/batch": {
        post: {
          summary: "Submit up to JOBS_BATCH_MAX (default 100) jobs; invalid entries are reported by index, the others accepted",
          security,
          requestBody: { required: true, ...json(batchRequestSchema(maxima), "input") },
          responses: {
            202: { description: "One entry per request entry, in order: {index, id, status} or {index, error}", ...json(batchResponseSchema) },
            ...errors(400, 401, 403, 413, 415, 500, 503),
            ...laneFull,
          },
        },
      },
      "/v1/jobs/{jobId}": {
        get: {
          summary: "Read a job (its result is a POST /v1/executions response once completed)",
          security,
          parameters: [jobIdParameter, waitParameter("200 once the job is final, else 202 with the job so far")],
          responses: {
            200: { description: "The job", ...json(jobSchema) },
            202: { description: "With wait=, the job was not final within the wait", ...json(jobSchema) },
            ...errors(400, 401, 403, 404),
          },
        },
        delete: {
          summary: "Cancel a queued job",
          security,
          parameters: [jobIdParameter],
          responses: {
            200: { description: "The cancelled job", ...json(jobSchema) },
            ...errors(401, 403, 404),
            409: { description: "The job is not queued any more (running or final)", ...json(errorEnvelopeSchema) },
          },
        },
      },
      "/v1/jobs/callback-secret": {
        get: {
          summary: "The tenant's callback signing secret (X-Edgebox-Signature), created on first use",
          security,
          responses: { 200: { description: "Secret", ...json(callbackSecretSchema) }, ...errors(401, 403) },
        },
      },
      "/v1/jobs/callback-secret/rotate": {
        post: {
          summary: "Replace the tenant's callback signing secret; callbacks are signed with the new one from now on",
          security,
          responses: { 200: { description: "The new secret", ...json(callbackSecretSchema) }, ...errors(401, 403) },
        },
      },
      "/v1/runtimes": {
        get: {
          summary: "List runtimes",
          responses: { 200: { description: "Runtimes", ...json(z.object({ runtimes: z.array(runtimeSchema) })) } },
        },
      },
      "/v1/health": {
        get: {
          summary:
            "Readiness (database reachable, the sandbox computes a known answer) plus every region and backend: probe, breaker, last probe, latency",
          responses: {
            200: { description: "Ready; regionsStatus and regions[] say how healthy the remote capacity is" },
            503: { description: "Not ready (same body, status unavailable)" },
          },
        },
      },
      "/v1/health/ready": {
        get: {
          summary: "Readiness for load balancers: {ready: true} or 503",
          responses: { 200: { description: "Ready" }, 503: { description: "Not ready" } },
        },
      },
      "/v1/cache/invalidate": {
        post: {
          summary: "Invalidate cached results by tag or key (tenant-scoped; global tags need the admin secret)",
          security: [...security, ...adminSecurity],
          requestBody: { required: true, ...json(invalidateSchema, "input") },
          responses: { 200: { description: "Generations bumped" }, ...errors(400, 401, 403) },
        },
      },
      "/v1/cache/stats": {
        get: {
          summary: "Result-cache statistics: hits and misses per level, hit ratio, bytes, entries, bypass reasons",
          security: [...security, ...adminSecurity],
          responses: { 200: { description: "Statistics" }, ...errors(401, 403) },
        },
      },
      "/v1/cache/settings": {
        get: {
          summary: "The tenant's cache settings (shared namespace, stale-while-revalidate)",
          security,
          responses: { 200: { description: "Settings" }, ...errors(401, 403) },
        },
        patch: {
          summary: "Change the tenant's cache settings",
          security,
          requestBody: { required: true, ...json(settingsSchema, "input") },
          responses: { 200: { description: "Settings" }, ...errors(400, 401, 403) },
        },
      },
      "/v1/admin/tenants": {
        post: {
          summary: "Create a tenant",
          security: adminSecurity,
          requestBody: { required: true, ...json(createTenantSchema, "input") },
          responses: { 201: { description: "Created", ...json(tenantSchema) }, ...errors(400, 401, 403, 409) },
        },
      },
      "/v1/admin/tenants/{tenantId}": {
        get: {
          summary: "Get a tenant",
          security: adminSecurity,
          responses: { 200: { description: "Tenant", ...json(tenantSchema) }, ...errors(401, 403, 404) },
        },
        patch: {
          summary: "Enable or disable a tenant",
          security: adminSecurity,
          requestBody: { required: true, ...json(updateTenantSchema, "input") },
          responses: { 200: { description: "Tenant", ...json(tenantSchema) }, ...errors(400, 401, 403, 404) },
        },
      },
      "/v1/admin/tenants/{tenantId}/keys": {
        post: {
          summary: "Create an API key (the key is returned once)",
          security: adminSecurity,
          requestBody: { required: true, ...json(createApiKeySchema, "input") },
          responses: { 201: { description: "Created", ...json(createdApiKeySchema) }, ...errors(400, 401, 403, 404) },
        },
        get: {
          summary: "List a tenant's API keys",
          security: adminSecurity,
          responses: {
            200: { description: "Keys", ...json(z.object({ keys: z.array(apiKeySchema) })) },
            ...errors(401, 403, 404),
          },
        },
      },
      "/v1/admin/keys/{keyId}": {
        delete: {
          summary: "Revoke an API key",
          security: adminSecurity,
          responses: { 200: { description: "Revoked", ...json(apiKeySchema) }, ...errors(401, 403, 404) },
        },
      },
      "/v1/admin/regions": {
        get: {
          summary: "List regions of the regional pools (disabled ones too)",
          security: adminSecurity,
          responses: {
            200: { description: "Regions", ...json(z.object({ regions: z.array(regionSchema) })) },
            ...errors(401, 403),
          },
        },
        post: {
          summary: "Create a region (isDefault: true takes over from the previous default atomically)",
          security: adminSecurity,
          requestBody: { required: true, ...json(createRegionSchema, "input") },
          responses: { 201: { description: "Created", ...json(regionSchema) }, ...errors(400, 401, 403, 409) },
        },
      },
      "/v1/admin/regions/{regionId}": {
        get: {
          summary: "Get a region",
          security: adminSecurity,
          responses: { 200: { description: "Region", ...json(regionSchema) }, ...errors(401, 403, 404) },
        },
        patch: {
          summary: "Change a region (only the fields sent)",
          security: adminSecurity,
          requestBody: { required: true, ...json(updateRegionSchema, "input") },
          responses: { 200: { description: "Region", ...json(regionSchema) }, ...errors(400, 401, 403, 404) },
        },
        delete: {
          summary: "Delete a region; 409 while it has backends unless ?cascade=true",
          security: adminSecurity,
          parameters: [
            {
              name: "cascade",
              in: "query",
              required: false,
              schema: { type: "string", enum: ["true", "false"] },
              description: "also delete the region's backends",
            },
          ],
          responses: { 200: { description: "Deleted", ...json(deletedRegionSchema) }, ...errors(400, 401, 403, 404, 409) },
        },
      },
      "/v1/admin/backends": {
        get: {
          summary: "List backends (disabled ones too)",
          security: adminSecurity,
          parameters: [{ name: "region", in: "query", required: false, schema: { type: "string" }, description: "only this region's" }],
          responses: {
            200: { description: "Backends", ...json(z.object({ backends: z.array(backendSchema) })) },
            ...errors(400, 401, 403),
          },
        },
        post: {
          summary: "Create a backend (builtin: at most one per region; piston: needs url)",
          security: adminSecurity,
          requestBody: { required: true, ...json(createBackendSchema, "input") },
          responses: { 201: { description: "Created", ...json(backendSchema) }, ...errors(400, 401, 403, 409) },
        },
      },
      "/v1/admin/backends/{backendId}": {
        get: {
          summary: "Get a backend, with its last health check and reported runtimes",
          security: adminSecurity,
          responses: { 200: { description: "Backend", ...json(backendSchema) }, ...errors(401, 403, 404) },
        },
        patch: {
          summary: "Change a backend (only the fields sent; the merged result is validated)",
          security: adminSecurity,
          requestBody: { required: true, ...json(updateBackendSchema, "input") },
          responses: { 200: { description: "Backend", ...json(backendSchema) }, ...errors(400, 401, 403, 404, 409) },
        },
        delete: {
          summary: "Delete a backend",
          security: adminSecurity,
          responses: { 200: { description: "Deleted", ...json(backendSchema) }, ...errors(401, 403, 404) },
        },
      },
      "/v1/admin/backends/{backendId}/check": {
        post: {
          summary: "Probe a remote backend now and store the result",
          security: adminSecurity,
          responses: { 200: { description: "{check: {healthy, latencyMs, error?}, backend}" }, ...errors(401, 403, 404) },
        },
      },
      "/v1/admin/backends/{backendId}/health": {
        get: {
          summary: "A remote backend's breaker summary, probe state and recent transitions",
          security: adminSecurity,
          responses: { 200: { description: "Health details" }, ...errors(400, 401, 403, 404) },
        },
      },
      "/v1/admin/backends/{backendId}/breaker": {
        post: {
          summary: 'Force a remote backend\'s circuit breaker: {"action": "open" | "close" | "reset"}',
          security: adminSecurity,
          requestBody: {
            required: true,
            ...json(z.object({ action: z.enum(["open", "close", "reset"]) }), "input"),
          },
          responses: { 200: { description: "Health details after the change" }, ...errors(400, 401, 403, 404) },
        },
      },
      "/v1/admin/dead-letters": {
        get: {
          summary: "Job messages that exhausted their retries, newest first (replayed ones only with all=true)",
          security: adminSecurity,
          parameters: [
            {
              name: "limit",
              in: "query",
              required: false,
              schema: { type: "integer", minimum: 1, maximum: DEAD_LETTERS_PAGE_MAX, default: DEAD_LETTERS_PAGE_DEFAULT },
            },
            { name: "all", in: "query", required: false, schema: { type: "string", enum: ["true", "false"] }, description: "include replayed letters" },
          ],
          responses: { 200: { description: "Dead letters", ...json(deadLetterListSchema) }, ...errors(400, 401, 403) },
        },
      },
      "/v1/admin/dead-letters/{deadLetterId}/replay": {
        post: {
          summary: "Replay a dead letter: its failed job is queued again on its lane and the letter marked replayed",
          security: adminSecurity,
          parameters: [{ name: "deadLetterId", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            200: { description: "The job, queued again", ...json(jobSchema) },
            ...errors(401, 403, 404, 503),
            409: { description: "The letter was replayed already, or its job is not failed", ...json(errorEnvelopeSchema) },
          },
        },
      },
      "/v1/admin/regions/{regionId}/pool": {
        get: {
          summary: "The region pool's live view: in-flight, adaptive limits, breakers, ejections, scaling advice",
          security: adminSecurity,
          responses: { 200: { description: "Pool snapshot" }, ...errors(401, 403, 404) },
        },
      },
      // Alerting and capacity planning (docs/alerting.md, docs/capacity.md).
      "/v1/admin/alerts/rules": {
        get: {
          summary: "Alert rules with their current state (the built-in defaults are seeded on first read)",
          security: adminSecurity,
          responses: { 200: { description: "Rules", ...json(z.object({ rules: z.array(ruleSchema) })) }, ...errors(401, 403) },
        },
        post: {
          summary: "Create an alert rule",
          security: adminSecurity,
          requestBody: { required: true, ...json(createRuleSchema, "input") },
          responses: { 201: { description: "Created", ...json(ruleSchema) }, ...errors(400, 401, 403, 409, 415) },
        },
      },
      "/v1/admin/alerts/rules/{ruleId}": {
        get: {
          summary: "An alert rule and its state",
          security: adminSecurity,
          responses: { 200: { description: "Rule", ...json(ruleSchema) }, ...errors(401, 403, 404) },
        },
        patch: {
          summary: "Change an alert rule (only the fields sent; the merged rule is validated)",
          security: adminSecurity,
          requestBody: { required: true, ...json(updateRuleSchema, "input") },
          responses: { 200: { description: "Rule", ...json(ruleSchema) }, ...errors(400, 401, 403, 404, 415) },
        },
        delete: {
          summary: "Delete an alert rule (a firing one is announced resolved); built-in rules answer 409: disable them instead",
          security: adminSecurity,
          responses: { 200: { description: "Deleted", ...json(ruleSchema) }, ...errors(401, 403, 404, 409) },
        },
      },
      "/v1/admin/alerts/history": {
        get: {
          summary: "Notifications sent (firing, reminders, resolved) with their webhook delivery, newest first",
          security: adminSecurity,
          parameters: [
            {
              name: "limit",
              in: "query",
              required: false,
              schema: { type: "integer", minimum: 1, maximum: HISTORY_MAX_LIMIT, default: HISTORY_DEFAULT_LIMIT },
            },
            { name: "rule", in: "query", required: false, schema: { type: "string" }, description: "only this rule's" },
          ],
          responses: { 200: { description: "History", ...json(z.object({ history: z.array(historyEntrySchema) })) }, ...errors(400, 401, 403) },
        },
      },
      "/v1/admin/alerts/active": {
        get: {
          summary: "Alerts firing now, most severe first",
          security: adminSecurity,
          responses: { 200: { description: "Active alerts", ...json(z.object({ active: z.array(activeAlertSchema) })) }, ...errors(401, 403) },
        },
      },
      "/v1/metrics": {
        get: {
          summary:
            "Live service metrics from the per-minute rollups: rps, latency p50/p95/p99, error rate, cache hit ratio per level, queue depth, in-flight and breakers per region/backend, per-minute series; admin secret in production",
          security: adminSecurity,
          parameters: [
            { name: "minutes", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 2880, default: 15 }, description: "window" },
          ],
          responses: { 200: { description: "Metrics (docs/metrics.md)" }, ...errors(400, 401, 403), 503: { description: "The metrics store did not answer" } },
        },
      },
      "/metrics": {
        get: {
          summary: "The same metrics in Prometheus text exposition format (text/plain; version=0.0.4); admin secret in production",
          security: adminSecurity,
          responses: { 200: { description: "Prometheus text" }, ...errors(401, 403) },
        },
      },
      "/v1/traces/{traceId}": {
        get: {
          summary: "A recent trace's spans across every hop (Worker, Durable Objects, queues, backends, callbacks); admin secret in production",
          security: adminSecurity,
          responses: { 200: { description: "{traceId, spans}" }, ...errors(400, 401, 403, 404) },
        },
      },
      "/v1/capacity": {
        get: {
          summary:
            "Per-region request-rate forecast (Holt-Winters, daily seasonality) and the capacity it needs (Little's law × headroom vs pool capacity); admin secret in production",
          security: adminSecurity,
          parameters: [
            {
              name: "hours",
              in: "query",
              required: false,
              schema: { type: "integer", minimum: 1, maximum: MAX_HORIZON_HOURS, default: DEFAULT_HORIZON_HOURS },
              description: "forecast horizon",
            },
          ],
          responses: {
            200: { description: "Capacity plan", ...json(capacityPlanSchema) },
            ...errors(400, 401, 403),
            503: { description: "The metrics store did not answer (Retry-After)", ...json(errorEnvelopeSchema) },
          },
        },
      },
      // Judge0 CE (docs/judge0.md): /submissions, /languages, /statuses, /config_info, also under /judge0.
      ...judge0OpenApiPaths(maxima),
    },
  };
}
