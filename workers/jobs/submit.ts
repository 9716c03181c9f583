import { ApiError } from "../api/errors";
import { openDatabase } from "../db/client";
import { BACKPRESSURE_RETRY_AFTER_SECONDS, readJobsConfig, type JobsConfigSource } from "./config";
import { failJob, findByIdempotencyKey, insertJob, queuedDepth, type InsertOutcome } from "./job-store";
import { jobQueueName, startQueueSend } from "../tracing/queue";
import type { JobFlavor, JobLane, JobMessage, JobRequest } from "./types";

export interface SubmitEntry {
  request: JobRequest;
  lane: JobLane;
  flavor: JobFlavor;
  callbackUrl: string | null;
  idempotencyKey: string | null;
}

export type SubmitEnv = JobsConfigSource & { DB: D1Database; JOBS_INTERACTIVE: Queue; JOBS_BATCH: Queue };

/** Queue.sendBatch takes at most 100 messages. */
const SEND_BATCH_MAX = 100;

export function laneQueue(env: Pick<SubmitEnv, "JOBS_INTERACTIVE" | "JOBS_BATCH">, lane: JobLane): Queue {
  return lane === "interactive" ? env.JOBS_INTERACTIVE : env.JOBS_BATCH;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** What makes two submissions "the same body" for Idempotency-Key. */
export function requestFingerprint(entry: SubmitEntry): Promise<string> {
  return sha256Hex(JSON.stringify([entry.flavor, entry.lane, entry.callbackUrl, entry.request]));
}

/**
 * Accepts jobs: refuses with 429 when a lane is over its queued-jobs threshold (backpressure),
 * stores each job as queued, then puts a message on its lane's queue. A job is in D1 before its
 * message exists, so the consumer always finds it; if the queue refuses the messages, those jobs
 * are marked failed and the submit answers 503 — nothing is silently dropped.
 */
export async function submitJobs(env: SubmitEnv, tenantId: string, entries: SubmitEntry[], now: number): Promise<InsertOutcome[]> {
  const db = openDatabase(env.DB);
  const config = readJobsConfig(env);
  // A replayed Idempotency-Key adds no work: it is answered even when its lane is full.
  const replays = await Promise.all(
    entries.map((entry) => (entry.idempotencyKey === null ? undefined : findByIdempotencyKey(db, tenantId, entry.idempotencyKey))),
  );
  for (const lane of new Set(entries.map((entry) => entry.lane))) {
    const incoming = entries.filter((entry, index) => entry.lane === lane && replays[index] === undefined).length;
    if (incoming === 0) continue;
    const depth = await queuedDepth(db, lane);
    if (depth + incoming > config.maxQueued[lane]) {
      throw new ApiError(
        "rate_limited",
        `the ${lane} lane has ${depth} queued jobs (limit ${config.maxQueued[lane]}); submit again later`,
        [],
        { "Retry-After": String(BACKPRESSURE_RETRY_AFTER_SECONDS) },
      );
    }
  }

  const outcomes: InsertOutcome[] = [];
  for (const entry of entries) {
    outcomes.push(
      await insertJob(db, {
        id: crypto.randomUUID(),
        tenantId,
        lane: entry.lane,
        flavor: entry.flavor,
        request: entry.request,
        requestHash: await requestFingerprint(entry),
        idempotencyKey: entry.idempotencyKey,
        callbackUrl: entry.callbackUrl,
        createdAt: now,
      }),
    );
  }

  const created = outcomes.filter((outcome) => outcome.kind === "created").map((outcome) => outcome.job);
  for (const lane of ["interactive", "batch"] as const) {
    const laneJobs = created.filter((job) => job.lane === lane);
    for (let i = 0; i < laneJobs.length; i += SEND_BATCH_MAX) {
      const chunk = laneJobs.slice(i, i + SEND_BATCH_MAX);
      // Tracing (docs/tracing.md): a producer span per send; every message carries its traceparent.
      const send = startQueueSend(jobQueueName(lane), chunk.length);
      const traceparent = send.traceparent();
      const messages = chunk.map((job) => ({ body: { kind: "execute", jobId: job.id, tenantId, lane, ...(traceparent ? { traceparent } : {}) } satisfies JobMessage }));
      try {
        await laneQueue(env, lane).sendBatch(messages);
        send.end();
      } catch (error) {
        send.recordException(error).end();
        await Promise.all(chunk.map((job) => failJob(db, job.id, `could not be queued: ${String(error)}`, Date.now())));
        throw new ApiError("service_unavailable", "the job queue is not accepting work right now; nothing was queued from this point on", [], {
          "Retry-After": String(BACKPRESSURE_RETRY_AFTER_SECONDS),
        });
      }
    }
  }
  return outcomes;
}
