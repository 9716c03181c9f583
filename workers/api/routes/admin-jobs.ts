import { Hono } from "hono";
import { openDatabase } from "../../db/client";
import { BACKPRESSURE_RETRY_AFTER_SECONDS } from "../../jobs/config";
import { failJob, getDeadLetter, getJob, listDeadLetters, markDeadLetterReplayed, requeueJob, type DeadLetter } from "../../jobs/job-store";
import { presentJob } from "../../jobs/present-job";
import { laneQueue } from "../../jobs/submit";
import type { JobMessage } from "../../jobs/types";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors";
import { methodNotAllowed } from "../method-not-allowed";
import { requireAdmin } from "../middleware/require-admin";
import { DEAD_LETTERS_PAGE_DEFAULT, listDeadLettersQuerySchema } from "../schemas/jobs";
import { parseOrThrow } from "../validate";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function presentDeadLetter(letter: DeadLetter) {
  let message: unknown = letter.message;
  try {
    message = JSON.parse(letter.message);
  } catch {
    // Kept as stored.
  }
  return {
    id: letter.id,
    jobId: letter.jobId,
    tenantId: letter.tenantId,
    lane: letter.lane,
    message,
    reason: letter.reason,
    attempts: letter.attempts,
    createdAt: iso(letter.createdAt),
    replayedAt: iso(letter.replayedAt),
  };
}

/** `/v1/admin/dead-letters` (ADMIN_SECRET): job messages that exhausted their retries, and replaying them. */
export function adminJobRoutes() {
  const app = new Hono<AppEnv>();
  app.use("/dead-letters", requireAdmin());
  app.use("/dead-letters/*", requireAdmin());

  app.get("/dead-letters", async (c) => {
    const params = parseOrThrow(listDeadLettersQuerySchema, c.req.query());
    const letters = await listDeadLetters(openDatabase(c.env.DB), {
      limit: params.limit ?? DEAD_LETTERS_PAGE_DEFAULT,
      includeReplayed: params.all === "true",
    });
    return c.json({ deadLetters: letters.map(presentDeadLetter) });
  });
  app.all("/dead-letters", methodNotAllowed("GET"));

  /**
   * failed → queued again: the job's long-polls are reset (they wait for the new run), a fresh
   * execute message goes to its lane, and the letter is marked replayed. Answers the job.
   */
  app.post("/dead-letters/:id/replay", async (c) => {
    const db = openDatabase(c.env.DB);
    const id = c.req.param("id");
    const letter = await getDeadLetter(db, id);
    if (!letter) throw new ApiError("not_found", `dead letter '${id}' does not exist`);
    if (letter.replayedAt !== null) {
      throw new ApiError("conflict", `dead letter '${id}' was already replayed at ${iso(letter.replayedAt)}`);
    }
    // The conditional failed → queued update is the claim: of two concurrent replays, one wins.
    const job = await requeueJob(db, letter.jobId);
    if (!job) {
      const current = await getJob(db, letter.jobId, null);
      throw new ApiError(
        "conflict",
        current
          ? `job '${letter.jobId}' is ${current.status}; only a failed job can be replayed`
          : `job '${letter.jobId}' of dead letter '${id}' does not exist any more`,
      );
    }
    await c.env.JOB_WATCH.get(c.env.JOB_WATCH.idFromName(job.id)).reset();
    const message: JobMessage = { kind: "execute", jobId: job.id, tenantId: job.tenantId, lane: job.lane };
    try {
      await laneQueue(c.env, job.lane).send(message);
    } catch (error) {
      // Never leave a queued job without a message: it would wait forever.
      await failJob(db, job.id, `could not be queued on replay: ${String(error)}`, Date.now());
      await c.env.JOB_WATCH.get(c.env.JOB_WATCH.idFromName(job.id)).notify();
      throw new ApiError("service_unavailable", "the job queue is not accepting work right now; the job stays failed", [], {
        "Retry-After": String(BACKPRESSURE_RETRY_AFTER_SECONDS),
      });
    }
    await markDeadLetterReplayed(db, id, Date.now());
    return c.json(presentJob(job));
  });
  app.all("/dead-letters/:id/replay", methodNotAllowed("POST"));

  return app;
}
