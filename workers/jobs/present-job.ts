import { toExecutionResponse } from "../api/presenters/execution-result";
import type { Job } from "./types";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The native API's view of a job (GET /v1/jobs/:id, list entries, native callbacks). `result` is
 * exactly a POST /v1/executions response (with the job's id), so clients reuse their parsing.
 */
export function presentJob(job: Job) {
  const result = job.result;
  return {
    id: job.id,
    status: job.status,
    lane: job.lane,
    attempts: job.attempts,
    createdAt: iso(job.createdAt),
    startedAt: iso(job.startedAt),
    completedAt: iso(job.completedAt),
    error: job.error,
    callbackUrl: job.callbackUrl,
    result: result
      ? toExecutionResponse(result.execution, {
          id: job.id,
          runtime: { language: result.runtime.language, version: result.runtime.version, aliases: [], runtime: result.runtime.engine },
          limits: job.request.limits,
          region: result.region,
          cache: result.cache,
        })
      : null,
  };
}
