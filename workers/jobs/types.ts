import type { CacheReport } from "../cache";
import type { ExecutionLimits, ExecutionResult, SourceFile } from "../sandbox/types";

// The vocabulary of async jobs (docs/jobs.md).

/** interactive jobs have their own queue, so a flood of batch work never delays them. */
export type JobLane = "interactive" | "batch";
export const JOB_LANES: readonly JobLane[] = ["interactive", "batch"];

export type JobStatus = "queued" | "running" | "completed" | "failed" | "cancelled";
export const FINAL_JOB_STATUSES: readonly JobStatus[] = ["completed", "failed", "cancelled"];

/** Which API created the job: it decides the shape of the callback and of reads. */
export type JobFlavor = "native" | "judge0";

/** What to run, canonical and self-contained (validated by the API that accepted it). */
export interface JobRequest {
  runtime: { language: string; version: string };
  files: SourceFile[];
  stdin: string;
  args: string[];
  limits: ExecutionLimits;
  cache: { mode: "default" | "bypass"; tags: string[] };
  /** Run only in this region. */
  region?: string;
  /** Judge0: compared with stdout to decide Accepted / Wrong Answer. */
  expectedOutput?: string;
  /** Judge0: the submission asked for base64 (its callback is sent the same way). */
  base64Encoded?: boolean;
}

/** What a completed job holds. */
export interface JobResult {
  execution: ExecutionResult;
  /** The runtime that ran it (a builtin fallback may differ from the request). */
  runtime: { language: string; version: string; engine: string };
  region: string;
  backendId: string | null;
  /** What the result cache did for this run. */
  cache: CacheReport;
}

export interface Job {
  id: string;
  tenantId: string;
  lane: JobLane;
  status: JobStatus;
  flavor: JobFlavor;
  request: JobRequest;
  idempotencyKey: string | null;
  callbackUrl: string | null;
  result: JobResult | null;
  error: string | null;
  attempts: number;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
}

/**
 * A queue message. Jobs travel by id: the row in D1 is the truth, the message only a reminder.
 * `traceparent` (docs/tracing.md): the W3C trace context of the span that sent it; the consumer continues that trace.
 */
export type JobMessage =
  | { kind: "execute"; jobId: string; tenantId: string; lane: JobLane; traceparent?: string }
  | { kind: "callback"; jobId: string; tenantId: string; attempt: number; traceparent?: string };
