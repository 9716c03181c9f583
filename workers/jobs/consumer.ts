import { openDatabase, type Database } from "../db/client";
import { createLogger } from "../observability/logger";
import { callbackPayload } from "./callback-payload";
import { deliverCallback } from "./callbacks";
import { failJob, getJob, insertDeadLetter, recordJobError, startJob, completeJob } from "./job-store";
import { PermanentJobError, runJob } from "./run-job";
import { consumerTracing } from "../tracing/queue";
import { currentTraceparent } from "../tracing/tracer";
import type { Job, JobMessage } from "./types";

/**
 * Executions in flight per consumer invocation. Workers allow 6 simultaneous outbound connections
 * per invocation, and a job on a remote backend holds one for its whole run.
 */
export const CONSUMER_CONCURRENCY = 6;
/** A failed attempt is retried after 2 s, 4 s, 8 s, ... (queue delays are whole seconds), at most 60 s. */
export function jobRetryDelaySeconds(attempts: number): number {
  return Math.min(60, 2 ** Math.max(1, attempts));
}

const log = createLogger({ component: "jobs-consumer" });

function isJobMessage(body: unknown): body is JobMessage {
  if (typeof body !== "object" || body === null) return false;
  const message = body as Record<string, unknown>;
  return (message.kind === "execute" || message.kind === "callback") && typeof message.jobId === "string" && typeof message.tenantId === "string";
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(workers);
}

/**
 * Tells long-polls the job is done, then sends its first callback attempt (retries go via the
 * queue). Never throws: the job's final state is already stored, and a redelivered message would
 * find it final and do nothing, so a failure here must not fail the message. A lost wake-up costs a
 * long-poll its full wait (it then reads the stored state); a callback that could not even be
 * scheduled is logged.
 */
export async function afterJobFinished(env: Env, db: Database, job: Job): Promise<void> {
  try {
    await env.JOB_WATCH.get(env.JOB_WATCH.idFromName(job.id)).notify();
  } catch (error) {
    log.log("warn", "could not wake the job's long-polls", { job: job.id, error: String(error) });
  }
  if (!job.callbackUrl) return;
  try {
    await sendCallback(env, db, job, 1);
  } catch (error) {
    log.log("error", "could not deliver or schedule the job's callback", { job: job.id, error: String(error) });
  }
}

async function sendCallback(env: Env, db: Database, job: Job, attempt: number): Promise<void> {
  const outcome = await deliverCallback(db, job, callbackPayload(job), attempt);
  if (outcome.retryInSeconds !== null) {
    const traceparent = currentTraceparent(); // tracing: the retry continues this trace
    const message: JobMessage = { kind: "callback", jobId: job.id, tenantId: job.tenantId, attempt: attempt + 1, ...(traceparent ? { traceparent } : {}) };
    await env.JOBS_BATCH.send(message, { delaySeconds: outcome.retryInSeconds });
  }
}

async function executeJob(env: Env, ctx: ExecutionContext, db: Database, jobId: string): Promise<void> {
  const job = await startJob(db, jobId, Date.now());
  // Final or gone (a duplicate delivery, a cancelled job): nothing to do, acknowledge.
  if (!job) return;
  const result = await runJob(
    { env, waitUntil: (promise) => ctx.waitUntil(promise), log: (level, message, fields) => log.log(level, message, { job: jobId, ...fields }) },
    job,
  );
  // Only the first delivery to complete the job notifies and calls back.
  if (await completeJob(db, jobId, result, Date.now())) {
    const finished = await getJob(db, jobId, null);
    if (finished) await afterJobFinished(env, db, finished);
  }
}

/**
 * Consumer of both job lanes. Each message is acknowledged on its own once handled; a failure
 * (no capacity, a backend down) is retried with backoff; after the queue's max_retries it goes to
 * the dead-letter queue. A consumer that dies mid-batch acknowledged only what it finished, so the
 * rest is redelivered — and completion is idempotent, so a redelivered job is never completed twice.
 */
export async function consumeJobs(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void> {
  const db = openDatabase(env.DB);
  // Tracing (docs/tracing.md): each message is handled inside a consumer span continuing its trace.
  const tracing = consumerTracing(env, ctx, batch.queue);
  await forEachBounded(batch.messages, CONSUMER_CONCURRENCY, tracing.wrap(async (message) => {
    const body = message.body;
    if (!isJobMessage(body)) {
      log.log("error", "dropping a malformed job message", { queue: batch.queue, id: message.id });
      message.ack();
      return;
    }
    try {
      if (body.kind === "execute") {
        await executeJob(env, ctx, db, body.jobId);
      } else {
        const job = await getJob(db, body.jobId, null);
        if (job) await sendCallback(env, db, job, body.attempt);
      }
      message.ack();
    } catch (error) {
      if (error instanceof PermanentJobError && body.kind === "execute") {
        if (await failJob(db, body.jobId, error.message, Date.now())) {
          const job = await getJob(db, body.jobId, null);
          if (job) await afterJobFinished(env, db, job);
        }
        message.ack();
        return;
      }
      const reason = error instanceof Error ? error.message : String(error);
      log.log("warn", "job attempt failed; it will be retried", { job: body.jobId, kind: body.kind, attempts: message.attempts, reason });
      if (body.kind === "execute") await recordJobError(db, body.jobId, reason).catch(() => undefined);
      message.retry({ delaySeconds: jobRetryDelaySeconds(message.attempts) });
    }
  })).finally(() => tracing.flush());
}

/**
 * Consumer of the dead-letter queue: a job whose messages exhausted their retries is marked failed
 * with the last error, and the message is kept for an admin to inspect and replay.
 */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = openDatabase(env.DB);
  for (const message of batch.messages) {
    const body = message.body;
    if (!isJobMessage(body)) {
      message.ack();
      continue;
    }
    const job = await getJob(db, body.jobId, null);
    const reason =
      body.kind === "execute"
        ? `dead-lettered after ${job?.attempts ?? "?"} attempts: ${job?.error ?? "unknown error"}`
        : `callback delivery ${body.attempt} could not be handled`;
    await insertDeadLetter(db, {
      // The message id: a redelivered dead letter is recorded once.
      id: message.id,
      jobId: body.jobId,
      tenantId: body.tenantId,
      lane: body.kind === "execute" ? body.lane : "batch",
      message: JSON.stringify(body),
      reason,
      attempts: job?.attempts ?? 0,
      createdAt: Date.now(),
      replayedAt: null,
    });
    if (body.kind === "execute" && (await failJob(db, body.jobId, reason, Date.now()))) {
      const failed = await getJob(db, body.jobId, null);
      if (failed) await afterJobFinished(env, db, failed);
    }
    message.ack();
  }
}
