import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../workers/db/client";
import service from "../../workers/index";
import { getJob, insertDeadLetter, insertJob } from "../../workers/jobs/job-store";
import type { JobMessage, JobRequest } from "../../workers/jobs/types";
import { LIMIT_DEFAULTS } from "../../workers/sandbox";
import { QUICKJS_VERSION } from "../../workers/sandbox/runtimes";
import { env } from "../helpers/bindings";
import { ADMIN, call } from "../helpers/http";

// Dead letters through the admin API: listing what the dead-letter consumer kept, and replaying a
// letter, which puts its job back on its lane's queue where the real consumer completes it.

const db = () => openDatabase(env.DB);
const TENANT = "dev";

interface DeadLetterBody {
  id: string;
  jobId: string;
  tenantId: string;
  lane: string;
  message: JobMessage;
  reason: string;
  attempts: number;
  createdAt: string;
  replayedAt: string | null;
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** A queued job with no queue message: only what the test does moves it. */
async function queuedJob(code: string) {
  const request: JobRequest = {
    runtime: { language: "javascript", version: QUICKJS_VERSION },
    files: [{ name: "main.js", content: code }],
    stdin: "",
    args: [],
    limits: LIMIT_DEFAULTS,
    cache: { mode: "bypass", tags: [] },
  };
  const outcome = await insertJob(db(), {
    id: crypto.randomUUID(),
    tenantId: TENANT,
    lane: "batch",
    flavor: "native",
    request,
    requestHash: "admin-test",
    idempotencyKey: null,
    callbackUrl: null,
    createdAt: Date.now(),
  });
  return outcome.job;
}

/** Delivers the job's execute message to the dead-letter consumer, as the queue does after max_retries. */
async function deadLetter(jobId: string) {
  const body: JobMessage = { kind: "execute", jobId, tenantId: TENANT, lane: "batch" };
  const batch = createMessageBatch("edgebox-jobs-dlq", [{ id: `dlq-${jobId}`, timestamp: new Date(), attempts: 1, body }]);
  const ctx = createExecutionContext();
  await service.queue(batch as MessageBatch<unknown>, env as unknown as Env, ctx);
  const result = await getQueueResult(batch, ctx);
  expect(result.explicitAcks).toEqual([`dlq-${jobId}`]);
}

async function letters(query = "") {
  const response = await call(`/v1/admin/dead-letters${query}`, { headers: ADMIN });
  expect(response.status).toBe(200);
  return (await json<{ deadLetters: DeadLetterBody[] }>(response)).deadLetters;
}

const replay = (id: string) => call(`/v1/admin/dead-letters/${id}/replay`, { method: "POST", headers: ADMIN });

describe("GET /v1/admin/dead-letters", () => {
  it("lists dead letters newest first with the message, reason and attempts", async () => {
    const job = await queuedJob("console.log('dead')");
    await deadLetter(job.id);
    const listed = await letters();
    const letter = listed.find((entry) => entry.jobId === job.id);
    expect(letter).toMatchObject({
      tenantId: TENANT,
      lane: "batch",
      message: { kind: "execute", jobId: job.id, tenantId: TENANT, lane: "batch" },
      reason: expect.stringMatching(/^dead-lettered after 0 attempts/),
      attempts: 0,
      replayedAt: null,
    });
    expect(Date.parse(letter!.createdAt)).not.toBeNaN();
    const stamps = listed.map((entry) => Date.parse(entry.createdAt));
    expect([...stamps].sort((a, b) => b - a)).toEqual(stamps);
    expect(await getJob(db(), job.id, null)).toMatchObject({ status: "failed" });
    expect(await letters("?limit=1")).toHaveLength(1);
  });

  it("400 for a bad limit or all", async () => {
    for (const query of ["?limit=0", "?limit=501", "?limit=x", "?all=yes"]) {
      const response = await call(`/v1/admin/dead-letters${query}`, { headers: ADMIN });
      expect(response.status, query).toBe(400);
    }
  });

  it("needs the admin secret", async () => {
    expect((await call("/v1/admin/dead-letters")).status).toBe(401);
    expect((await call("/v1/admin/dead-letters", { headers: { authorization: "Bearer wrong" } })).status).toBe(403);
    expect((await call("/v1/admin/dead-letters/x/replay", { method: "POST" })).status).toBe(401);
    expect((await call("/v1/admin/dead-letters", { method: "POST", headers: ADMIN })).status).toBe(405);
    expect((await call("/v1/admin/dead-letters/x/replay", { headers: ADMIN })).status).toBe(405);
  });
});

describe("POST /v1/admin/dead-letters/:id/replay", () => {
  it("requeues the failed job on its lane; the consumer completes it and long-polls wait for the new run", async () => {
    const job = await queuedJob("console.log('second life')");
    await deadLetter(job.id);
    // The dead-letter consumer finished the job (failed) and told its watch so.
    const failed = await call(`/v1/jobs/${job.id}?wait=5`);
    expect(failed.status).toBe(200);
    expect(await json<{ status: string }>(failed)).toMatchObject({ status: "failed" });
    const letter = (await letters()).find((entry) => entry.jobId === job.id)!;

    const response = await replay(letter.id);
    expect(response.status).toBe(200);
    expect(await json<{ id: string; status: string; error: string | null }>(response)).toMatchObject({ id: job.id, status: "queued", error: null });

    // Without the watch reset this would answer at once with a job still queued or running.
    const done = await call(`/v1/jobs/${job.id}?wait=20`);
    expect(done.status).toBe(200);
    expect(await json<{ status: string; lane: string; result: { stdout: string } }>(done)).toMatchObject({
      status: "completed",
      lane: "batch",
      result: { stdout: "second life\n" },
    });

    // The letter is marked replayed: gone from the default list, shown with all=true.
    expect((await letters()).some((entry) => entry.id === letter.id)).toBe(false);
    const all = await letters("?all=true&limit=500");
    expect(all.find((entry) => entry.id === letter.id)?.replayedAt).not.toBeNull();

    const again = await replay(letter.id);
    expect(again.status).toBe(409);
    expect((await json<{ message: string }>(again)).message).toContain("already replayed");
  });

  it("409 when the letter's job is not failed, 404 for an unknown letter", async () => {
    const job = await queuedJob("console.log('alive')");
    const id = crypto.randomUUID();
    await insertDeadLetter(db(), {
      id,
      jobId: job.id,
      tenantId: TENANT,
      lane: "batch",
      message: JSON.stringify({ kind: "execute", jobId: job.id, tenantId: TENANT, lane: "batch" }),
      reason: "inserted by a test",
      attempts: 3,
      createdAt: Date.now(),
      replayedAt: null,
    });
    const response = await replay(id);
    expect(response.status).toBe(409);
    expect((await json<{ message: string }>(response)).message).toBe(`job '${job.id}' is queued; only a failed job can be replayed`);
    // Nothing changed: the job is still queued, the letter still replayable.
    expect(await getJob(db(), job.id, null)).toMatchObject({ status: "queued" });
    expect((await letters("?limit=500")).some((entry) => entry.id === id)).toBe(true);

    expect((await replay("no-such-letter")).status).toBe(404);
  });
});
