import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../workers/db/client";
import service from "../../workers/index";
import { LIMIT_DEFAULTS } from "../../workers/sandbox";
import { getJob, insertJob, listCallbackAttempts, listDeadLetters } from "../../workers/jobs/job-store";
import { submitJobs } from "../../workers/jobs/submit";
import { verifyCallback } from "../../workers/jobs/signature";
import { callbackRetryDelaySeconds, tenantCallbackSecret } from "../../workers/jobs/callbacks";
import { jobRetryDelaySeconds } from "../../workers/jobs/consumer";
import type { JobLane, JobMessage, JobRequest } from "../../workers/jobs/types";
import { env } from "../helpers/bindings";

// The job pipeline below the HTTP API: the consumer's ack/retry decisions per message, idempotent
// completion under duplicate delivery, dead-lettering, long-poll wake-ups and signed callbacks with
// retries, against real D1, Queues and Durable Objects under Miniflare.

const db = () => openDatabase(env.DB);

function request(code: string, overrides: Partial<JobRequest> = {}): JobRequest {
  return {
    runtime: { language: "javascript", version: "2025.9.13" },
    files: [{ name: "main.js", content: code }],
    stdin: "",
    args: [],
    limits: LIMIT_DEFAULTS,
    cache: { mode: "bypass", tags: [] },
    ...overrides,
  };
}

let counter = 0;
/** A queued job row without a queue message, so only the test's own batches touch it. */
async function queuedJob(code: string, options: { lane?: JobLane; callbackUrl?: string; overrides?: Partial<JobRequest> } = {}) {
  const outcome = await insertJob(db(), {
    id: `pipeline-${++counter}-${crypto.randomUUID()}`,
    tenantId: "pipeline-tenant",
    lane: options.lane ?? "interactive",
    flavor: "native",
    request: request(code, options.overrides),
    requestHash: "h",
    idempotencyKey: null,
    callbackUrl: options.callbackUrl ?? null,
    createdAt: Date.now(),
  });
  return outcome.job;
}

function executeMessage(jobId: string, attempts = 1) {
  const body: JobMessage = { kind: "execute", jobId, tenantId: "pipeline-tenant", lane: "interactive" };
  return { id: `msg-${jobId}-${attempts}`, timestamp: Date.now(), attempts, body };
}

async function consume(queue: string, messages: Array<{ id: string; timestamp: number; attempts: number; body: unknown }>) {
  const batch = createMessageBatch(queue, messages);
  const ctx = createExecutionContext();
  await service.queue(batch as MessageBatch<unknown>, env as unknown as Env, ctx);
  return getQueueResult(batch, ctx);
}

describe("job consumer", () => {
  it("runs a job, stores the result and acknowledges the message", async () => {
    const job = await queuedJob("console.log(6 * 7)");
    const result = await consume("edgebox-jobs-interactive", [executeMessage(job.id)]);
    expect(result.explicitAcks).toEqual([`msg-${job.id}-1`]);
    expect(result.retryMessages).toEqual([]);
    const stored = await getJob(db(), job.id, null);
    expect(stored).toMatchObject({ status: "completed", attempts: 1, error: null });
    expect(stored?.result?.execution).toMatchObject({ status: "ok", stdout: "42\n" });
    expect(stored?.startedAt).not.toBeNull();
    expect(stored?.completedAt).not.toBeNull();
  });

  it("completes a job once under duplicate delivery", async () => {
    const job = await queuedJob("console.log('once')");
    const first = await consume("edgebox-jobs-interactive", [executeMessage(job.id, 1), executeMessage(job.id, 2)]);
    expect(first.explicitAcks.sort()).toEqual([`msg-${job.id}-1`, `msg-${job.id}-2`].sort());
    const afterFirst = await getJob(db(), job.id, null);
    expect(afterFirst?.status).toBe("completed");
    // A late redelivery of a completed job is acknowledged without running it again.
    const late = await consume("edgebox-jobs-interactive", [executeMessage(job.id, 3)]);
    expect(late.explicitAcks).toEqual([`msg-${job.id}-3`]);
    const afterLate = await getJob(db(), job.id, null);
    expect(afterLate?.attempts).toBe(afterFirst?.attempts);
    expect(afterLate?.completedAt).toBe(afterFirst?.completedAt);
  });

  it("acknowledges messages it can do nothing with: malformed, or for an unknown job", async () => {
    const result = await consume("edgebox-jobs-batch", [
      { id: "garbage", timestamp: Date.now(), attempts: 1, body: { hello: "world" } },
      executeMessage("no-such-job"),
    ]);
    expect(result.explicitAcks.sort()).toEqual(["garbage", "msg-no-such-job-1"]);
  });

  it("retries a job whose execution fails for now, with backoff, and remembers why", async () => {
    // A pinned region that does not exist: the router finds nowhere to run it (503).
    const job = await queuedJob("console.log(1)", { overrides: { region: "atlantis" } });
    const result = await consume("edgebox-jobs-interactive", [executeMessage(job.id, 2)]);
    expect(result.explicitAcks).toEqual([]);
    // (The test harness records which messages were retried, not their delay: see the backoff test.)
    expect(result.retryMessages.map((message) => message.msgId)).toEqual([`msg-${job.id}-2`]);
    const stored = await getJob(db(), job.id, null);
    expect(stored?.status).toBe("running");
    expect(stored?.error).toContain("atlantis");
  });

  it("backs off retries exponentially: 2 s, 4 s, 8 s, ... capped at 60 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(jobRetryDelaySeconds)).toEqual([2, 4, 8, 16, 32, 60, 60, 60]);
    expect([1, 2, 3, 8, 20].map(callbackRetryDelaySeconds)).toEqual([5, 10, 20, 600, 600]);
  });

  it("fails a job at once when it can never run (its runtime is gone)", async () => {
    const job = await queuedJob("print(1)", { overrides: { runtime: { language: "cobol", version: "1.0.0" } } });
    const result = await consume("edgebox-jobs-interactive", [executeMessage(job.id)]);
    expect(result.explicitAcks).toEqual([`msg-${job.id}-1`]);
    expect(await getJob(db(), job.id, null)).toMatchObject({ status: "failed", error: expect.stringContaining("cobol") });
  });

  it("dead-letters: the job is marked failed with the last error and the letter is kept", async () => {
    const job = await queuedJob("console.log(1)", { overrides: { region: "atlantis" } });
    await consume("edgebox-jobs-interactive", [executeMessage(job.id, 4)]);
    const result = await consume("edgebox-jobs-dlq", [executeMessage(job.id, 1)]);
    expect(result.explicitAcks).toEqual([`msg-${job.id}-1`]);
    const failed = await getJob(db(), job.id, null);
    expect(failed?.status).toBe("failed");
    expect(failed?.error).toMatch(/^dead-lettered after 1 attempts: .*atlantis/);
    const letters = await listDeadLetters(db(), { limit: 50, includeReplayed: false });
    expect(letters.find((letter) => letter.jobId === job.id)).toMatchObject({ lane: "interactive", reason: failed?.error });
  });

  it("wakes a long-poll when the job finishes", async () => {
    const job = await queuedJob("console.log('awake')");
    const watch = env.JOB_WATCH.get(env.JOB_WATCH.idFromName(job.id));
    const waiting = watch.wait(10_000);
    const startedAt = Date.now();
    await consume("edgebox-jobs-interactive", [executeMessage(job.id)]);
    expect(await waiting).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    // Late waiters return at once.
    expect(await watch.wait(10_000)).toBe(true);
    // A job nobody finishes times out the wait.
    const idle = env.JOB_WATCH.get(env.JOB_WATCH.idFromName(`idle-${crypto.randomUUID()}`));
    expect(await idle.wait(50)).toBe(false);
  });
});

describe("callbacks", () => {
  const receiver = (name: string) => `http://${name}.receiver.test`;
  const received = async (name: string) =>
    (await (await fetch(`${receiver(name)}/__receiver/requests`)).json()) as Array<{ method: string; headers: Record<string, string>; body: string }>;

  it("POSTs the finished job, signed with the tenant's secret", async () => {
    const job = await queuedJob("console.log('called back')", { callbackUrl: `${receiver("cb-ok")}/hook` });
    await consume("edgebox-jobs-interactive", [executeMessage(job.id)]);
    const [delivery] = await received("cb-ok");
    expect(delivery.method).toBe("POST");
    const body = JSON.parse(delivery.body) as { id: string; status: string; result: { stdout: string } };
    expect(body).toMatchObject({ id: job.id, status: "completed", result: { stdout: "called back\n" } });
    const secret = await tenantCallbackSecret(db(), "pipeline-tenant");
    const signature = delivery.headers["x-edgebox-signature"];
    expect(await verifyCallback(secret, signature, delivery.body, Math.floor(Date.now() / 1000))).toBe(true);
    expect(await verifyCallback(secret, signature, delivery.body.replace("called", "faked"), Math.floor(Date.now() / 1000))).toBe(false);
    expect(await verifyCallback("wrong", signature, delivery.body, Math.floor(Date.now() / 1000))).toBe(false);
    expect(await listCallbackAttempts(db(), job.id)).toMatchObject([{ attempt: 1, delivered: true, statusCode: 200 }]);
  });

  it("retries a failed delivery through the queue with backoff, recording every attempt", async () => {
    await fetch(`${receiver("cb-flaky")}/__receiver/control`, { method: "POST", body: JSON.stringify({ status: 503, failNext: 1 }) });
    const job = await queuedJob("console.log(1)", { callbackUrl: `${receiver("cb-flaky")}/hook` });
    await consume("edgebox-jobs-interactive", [executeMessage(job.id)]);
    expect(await listCallbackAttempts(db(), job.id)).toMatchObject([{ attempt: 1, delivered: false, statusCode: 503, error: "receiver answered 503" }]);
    // The retry arrives as a callback message (sent with a 5 s delay); deliver it as the queue would.
    const retry: JobMessage = { kind: "callback", jobId: job.id, tenantId: "pipeline-tenant", attempt: 2 };
    const result = await consume("edgebox-jobs-batch", [{ id: "cb-retry", timestamp: Date.now(), attempts: 1, body: retry }]);
    expect(result.explicitAcks).toEqual(["cb-retry"]);
    expect(await listCallbackAttempts(db(), job.id)).toMatchObject([
      { attempt: 1, delivered: false },
      { attempt: 2, delivered: true, statusCode: 200 },
    ]);
    expect((await received("cb-flaky")).map((request) => request.headers["x-edgebox-delivery-attempt"])).toEqual(["1", "2"]);
  });
});

describe("submit through the real queue", () => {
  it("a submitted job is consumed and completed by the lane's consumer", async () => {
    const [outcome] = await submitJobs(env as unknown as Env, "pipeline-tenant", [
      { request: request("console.log('via queue')"), lane: "batch", flavor: "native", callbackUrl: null, idempotencyKey: null },
    ], Date.now());
    expect(outcome.kind).toBe("created");
    const watch = env.JOB_WATCH.get(env.JOB_WATCH.idFromName(outcome.job.id));
    expect(await watch.wait(20_000)).toBe(true);
    const done = await getJob(db(), outcome.job.id, "pipeline-tenant");
    expect(done?.status).toBe("completed");
    expect(done?.result?.execution.stdout).toBe("via queue\n");
  });

  it("answers a replayed Idempotency-Key even when its lane is full (a replay adds no work)", async () => {
    const entry = {
      request: request("console.log('idem')"),
      lane: "batch" as const,
      flavor: "native" as const,
      callbackUrl: null,
      idempotencyKey: `idem-${crypto.randomUUID()}`,
    };
    const fullEnv = { ...(env as unknown as Env), JOBS_MAX_QUEUED_BATCH: "1" };
    const [first] = await submitJobs(env as unknown as Env, "pipeline-tenant", [entry], Date.now());
    await queuedJob("console.log('filler')", { lane: "batch" });
    const [again] = await submitJobs(fullEnv, "pipeline-tenant", [entry], Date.now());
    expect(again).toMatchObject({ kind: "replayed", job: { id: first.job.id } });
    const other = { ...entry, request: request("console.log('different')") };
    const [conflict] = await submitJobs(fullEnv, "pipeline-tenant", [other], Date.now());
    expect(conflict.kind).toBe("conflict");
    await expect(submitJobs(fullEnv, "pipeline-tenant", [{ ...entry, idempotencyKey: null }], Date.now())).rejects.toMatchObject({ status: 429 });
  });
});
