import type { JobLane } from "./types";

/** Job settings from wrangler [vars] (docs/jobs.md). Pure. */
export interface JobsConfig {
  /** Submits are refused (429) once a lane has this many queued jobs. */
  maxQueued: Record<JobLane, number>;
  /** Most entries in one POST /v1/jobs/batch. */
  batchMax: number;
}

export interface JobsConfigSource {
  JOBS_MAX_QUEUED_INTERACTIVE?: string;
  JOBS_MAX_QUEUED_BATCH?: string;
  JOBS_BATCH_MAX?: string;
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value.trim() !== "" && Number.isInteger(n) && n > 0 ? n : fallback;
}

export function readJobsConfig(env: JobsConfigSource): JobsConfig {
  return {
    maxQueued: {
      interactive: positive(env.JOBS_MAX_QUEUED_INTERACTIVE, 1_000),
      batch: positive(env.JOBS_MAX_QUEUED_BATCH, 20_000),
    },
    batchMax: Math.min(positive(env.JOBS_BATCH_MAX, 100), 1_000),
  };
}

/** How long a client should wait before submitting again when a lane is full. */
export const BACKPRESSURE_RETRY_AFTER_SECONDS = 5;
/** Longest long-poll (`wait=`) a request may ask for. */
export const MAX_WAIT_SECONDS = 60;
