import { and, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { deadLetters, jobCallbacks, jobs } from "../db/schema";
import type { Job, JobFlavor, JobLane, JobRequest, JobResult, JobStatus } from "./types";

// D1 access for jobs. Every state change is a conditional UPDATE, so duplicate deliveries and
// races between a consumer and a cancel can never move a job backwards or complete it twice.

type JobRow = typeof jobs.$inferSelect;

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    tenantId: row.tenantId,
    lane: row.lane as JobLane,
    status: row.status as JobStatus,
    flavor: row.flavor as JobFlavor,
    request: JSON.parse(row.request) as JobRequest,
    idempotencyKey: row.idempotencyKey,
    callbackUrl: row.callbackUrl,
    result: row.result ? (JSON.parse(row.result) as JobResult) : null,
    error: row.error,
    attempts: row.attempts,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
  };
}

export interface NewJob {
  id: string;
  tenantId: string;
  lane: JobLane;
  flavor: JobFlavor;
  request: JobRequest;
  requestHash: string;
  idempotencyKey: string | null;
  callbackUrl: string | null;
  createdAt: number;
}

export type InsertOutcome =
  | { kind: "created"; job: Job }
  /** The same Idempotency-Key with the same body: the job it created before. */
  | { kind: "replayed"; job: Job }
  /** The same Idempotency-Key with a different body. */
  | { kind: "conflict"; job: Job };

/** Inserts a queued job; an Idempotency-Key already used by the tenant returns the earlier job. */
export async function insertJob(db: Database, job: NewJob): Promise<InsertOutcome> {
  if (job.idempotencyKey !== null) {
    const earlier = await findByIdempotencyKey(db, job.tenantId, job.idempotencyKey);
    if (earlier) return idempotentOutcome(earlier, job.requestHash);
  }
  const row = {
    id: job.id,
    tenantId: job.tenantId,
    lane: job.lane,
    status: "queued",
    flavor: job.flavor,
    request: JSON.stringify(job.request),
    requestHash: job.requestHash,
    idempotencyKey: job.idempotencyKey,
    callbackUrl: job.callbackUrl,
    attempts: 0,
    createdAt: job.createdAt,
  };
  // A concurrent request with the same key may win the unique index between the check and here.
  const inserted = await db.insert(jobs).values(row).onConflictDoNothing().returning();
  if (inserted.length > 0) return { kind: "created", job: toJob(inserted[0]) };
  const winner = job.idempotencyKey === null ? undefined : await findByIdempotencyKey(db, job.tenantId, job.idempotencyKey);
  if (!winner) throw new Error(`job ${job.id} could not be inserted`);
  return idempotentOutcome(winner, job.requestHash);
}

export async function findByIdempotencyKey(db: Database, tenantId: string, key: string): Promise<JobRow | undefined> {
  const rows = await db.select().from(jobs).where(and(eq(jobs.tenantId, tenantId), eq(jobs.idempotencyKey, key))).limit(1);
  return rows[0];
}

function idempotentOutcome(row: JobRow, requestHash: string): InsertOutcome {
  return { kind: row.requestHash === requestHash ? "replayed" : "conflict", job: toJob(row) };
}

/** A job by id; scoped to a tenant unless `tenantId` is null (consumers, admins). */
export async function getJob(db: Database, id: string, tenantId: string | null): Promise<Job | null> {
  const condition = tenantId === null ? eq(jobs.id, id) : and(eq(jobs.id, id), eq(jobs.tenantId, tenantId));
  const rows = await db.select().from(jobs).where(condition).limit(1);
  return rows[0] ? toJob(rows[0]) : null;
}

export async function getJobs(db: Database, ids: string[], tenantId: string): Promise<Job[]> {
  if (ids.length === 0) return [];
  const rows = await db.select().from(jobs).where(and(inArray(jobs.id, ids), eq(jobs.tenantId, tenantId)));
  return rows.map(toJob);
}

/** Cursor pagination, newest first. The cursor is opaque to clients: "<createdAt>:<id>". */
export async function listJobs(
  db: Database,
  tenantId: string,
  options: { status?: JobStatus; cursor?: string; limit: number },
): Promise<{ jobs: Job[]; nextCursor: string | null }> {
  const conditions = [eq(jobs.tenantId, tenantId)];
  if (options.status) conditions.push(eq(jobs.status, options.status));
  if (options.cursor) {
    const [at, id] = decodeCursor(options.cursor);
    conditions.push(or(lt(jobs.createdAt, at), and(eq(jobs.createdAt, at), lt(jobs.id, id)))!);
  }
  const rows = await db
    .select()
    .from(jobs)
    .where(and(...conditions))
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit).map(toJob);
  const last = page.at(-1);
  return { jobs: page, nextCursor: rows.length > options.limit && last ? `${last.createdAt}:${last.id}` : null };
}

export class InvalidCursorError extends Error {}

function decodeCursor(cursor: string): [number, string] {
  const match = /^(\d{1,16}):([A-Za-z0-9-]{1,64})$/.exec(cursor);
  if (!match) throw new InvalidCursorError("cursor is not one this API returned");
  return [Number(match[1]), match[2]];
}

/** Jobs of a lane waiting to run: the lane's queue depth as far as the service knows. */
export async function queuedDepth(db: Database, lane: JobLane): Promise<number> {
  const rows = await db
    .select({ count: sql<number>`count(*)` })
    .from(jobs)
    .where(and(eq(jobs.lane, lane), eq(jobs.status, "queued")));
  return Number(rows[0]?.count ?? 0);
}

/** queued → cancelled. Null when the job is not queued any more (or not the tenant's). */
export async function cancelJob(db: Database, id: string, tenantId: string, now: number): Promise<Job | null> {
  const rows = await db
    .update(jobs)
    .set({ status: "cancelled", completedAt: now, error: "cancelled by the client" })
    .where(and(eq(jobs.id, id), eq(jobs.tenantId, tenantId), eq(jobs.status, "queued")))
    .returning();
  return rows[0] ? toJob(rows[0]) : null;
}

/**
 * queued (or running, for a redelivery after a consumer died mid-run) → running, counting the
 * attempt. Null when the job is final or gone: the message is then acknowledged and dropped.
 */
export async function startJob(db: Database, id: string, now: number): Promise<Job | null> {
  const rows = await db
    .update(jobs)
    .set({ status: "running", startedAt: now, attempts: sql`${jobs.attempts} + 1` })
    .where(and(eq(jobs.id, id), inArray(jobs.status, ["queued", "running"])))
    .returning();
  return rows[0] ? toJob(rows[0]) : null;
}

/** running → completed, once. False when another delivery completed it first. */
export async function completeJob(db: Database, id: string, result: JobResult, now: number): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ status: "completed", result: JSON.stringify(result), completedAt: now, error: null })
    .where(and(eq(jobs.id, id), inArray(jobs.status, ["queued", "running"])))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/** Remembers why the last attempt failed (a dead-lettered job reports it); the state is unchanged. */
export async function recordJobError(db: Database, id: string, error: string): Promise<void> {
  await db
    .update(jobs)
    .set({ error: error.slice(0, 2000) })
    .where(and(eq(jobs.id, id), inArray(jobs.status, ["queued", "running"])));
}

/** → failed with a reason, unless already final. */
export async function failJob(db: Database, id: string, reason: string, now: number): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ status: "failed", error: reason, completedAt: now })
    .where(and(eq(jobs.id, id), inArray(jobs.status, ["queued", "running"])))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/** failed → queued again, for an admin replaying a dead letter. */
export async function requeueJob(db: Database, id: string): Promise<Job | null> {
  const rows = await db
    .update(jobs)
    .set({ status: "queued", error: null, completedAt: null, startedAt: null })
    .where(and(eq(jobs.id, id), eq(jobs.status, "failed")))
    .returning();
  return rows[0] ? toJob(rows[0]) : null;
}

export async function recordCallbackAttempt(
  db: Database,
  attempt: { jobId: string; attempt: number; at: number; url: string; statusCode: number | null; error: string | null; delivered: boolean },
): Promise<void> {
  await db.insert(jobCallbacks).values(attempt).onConflictDoNothing();
}

export async function listCallbackAttempts(db: Database, jobId: string) {
  return db.select().from(jobCallbacks).where(eq(jobCallbacks.jobId, jobId)).orderBy(jobCallbacks.attempt);
}

export type DeadLetter = typeof deadLetters.$inferSelect;

export async function insertDeadLetter(db: Database, letter: DeadLetter): Promise<void> {
  await db.insert(deadLetters).values(letter).onConflictDoNothing();
}

export async function listDeadLetters(db: Database, options: { limit: number; includeReplayed: boolean }): Promise<DeadLetter[]> {
  const query = db.select().from(deadLetters);
  const filtered = options.includeReplayed ? query : query.where(sql`${deadLetters.replayedAt} IS NULL`);
  return filtered.orderBy(desc(deadLetters.createdAt)).limit(options.limit);
}

export async function getDeadLetter(db: Database, id: string): Promise<DeadLetter | null> {
  const rows = await db.select().from(deadLetters).where(eq(deadLetters.id, id)).limit(1);
  return rows[0] ?? null;
}

export async function markDeadLetterReplayed(db: Database, id: string, now: number): Promise<boolean> {
  const rows = await db
    .update(deadLetters)
    .set({ replayedAt: now })
    .where(and(eq(deadLetters.id, id), sql`${deadLetters.replayedAt} IS NULL`))
    .returning({ id: deadLetters.id });
  return rows.length > 0;
}
