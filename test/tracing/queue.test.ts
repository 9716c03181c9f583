import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../workers/db/client";
import service from "../../workers/index";
import { getJob, insertJob } from "../../workers/jobs/job-store";
import { submitJobs } from "../../workers/jobs/submit";
import type { JobMessage, JobRequest } from "../../workers/jobs/types";
import { LIMIT_DEFAULTS } from "../../workers/sandbox";
import { flushSpans } from "../../workers/tracing/flush";
import type { SpanRecord } from "../../workers/tracing/span";
import { runInSpan, Tracer } from "../../workers/tracing/tracer";
import { ADMIN, BASE } from "../helpers/http";
import { env, worker } from "../helpers/bindings";
import { callerContext, one, parseTraceparentHeader, waitForTrace } from "./helpers";

// Trace context across the queue hop: submit (producer span, traceparent in each message) → the
// lane's consumer (a consumer span continuing the message's trace) → the job's execution and its
// callback (a client span; the receiver is sent a traceparent).

const TENANT = "tracing-tenant";

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

async function queuedJob(code: string, options: { callbackUrl?: string; overrides?: Partial<JobRequest> } = {}) {
  const outcome = await insertJob(openDatabase(env.DB), {
    id: `tracing-${crypto.randomUUID()}`,
    tenantId: TENANT,
    lane: "interactive",
    flavor: "native",
    request: request(code, options.overrides),
    requestHash: "h",
    idempotencyKey: null,
    callbackUrl: options.callbackUrl ?? null,
    createdAt: Date.now(),
  });
  return outcome.job;
}

async function consume(messages: Array<{ id: string; timestamp: number; attempts: number; body: unknown }>) {
  const batch = createMessageBatch("edgebox-jobs-interactive", messages);
  const ctx = createExecutionContext();
  await service.queue(batch as MessageBatch<unknown>, env as unknown as Env, ctx);
  return getQueueResult(batch, ctx);
}

async function admin(path: string, body: unknown) {
  const response = await worker.fetch(
    new Request(`${BASE}${path}`, { method: "POST", headers: { "content-type": "application/json", ...ADMIN }, body: JSON.stringify(body) }),
  );
  if (response.status >= 300) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  await response.body?.cancel();
}

beforeAll(async () => {
  await admin("/v1/admin/regions", { id: "trq-eu", name: "Tracing jobs", latitude: 50.1, longitude: 8.7, policy: "round_robin" });
  await admin("/v1/admin/backends", { id: "trq-eu-a", regionId: "trq-eu", kind: "piston", url: "http://trq-eu-a.piston.test", maxConcurrency: 20 });
});

describe("trace context across the job queue", () => {
  it("a job submitted through the real queue is consumed in the submitter's trace", async () => {
    const tracer = new Tracer();
    const root = tracer.startSpan("POST /v1/jobs", null, { kind: "server" });
    const [outcome] = await runInSpan(tracer, root, () =>
      submitJobs(env as unknown as Env, TENANT, [
        { request: request("console.log('queued and traced')"), lane: "interactive", flavor: "native", callbackUrl: null, idempotencyKey: null },
      ], Date.now()),
    );
    root.end();
    await flushSpans(env as unknown as Env, tracer.take());
    expect(outcome.kind).toBe("created");
    const watch = env.JOB_WATCH.get(env.JOB_WATCH.idFromName(outcome.job.id));
    expect(await watch.wait(20_000)).toBe(true);

    const { spans } = await waitForTrace(root.traceId, (found) => found.some((span) => span.name === "sandbox.execute"), 20_000);
    expect(spans.every((span) => span.traceId === root.traceId)).toBe(true);
    const send = one(spans, "send edgebox-jobs-interactive", "producer");
    expect(send.parentSpanId).toBe(root.spanId);
    expect(send.attributes).toMatchObject({ "messaging.system": "cloudflare.queues", "messaging.operation.type": "send", "messaging.destination.name": "edgebox-jobs-interactive" });
    const process = one(spans, "process edgebox-jobs-interactive", "consumer");
    expect(process.parentSpanId).toBe(send.spanId);
    expect(process.startTime).toBeGreaterThanOrEqual(send.startTime);
    expect(process.attributes).toMatchObject({
      "messaging.operation.type": "process",
      "messaging.destination.name": "edgebox-jobs-interactive",
      "edgebox.job.id": outcome.job.id,
      "edgebox.job.message_kind": "execute",
      "edgebox.tenant": TENANT,
      "edgebox.queue.outcome": "ack",
    });
    expect(typeof process.attributes["messaging.message.id"]).toBe("string");
    const route = one(spans, "execution.route");
    expect(route.parentSpanId).toBe(process.spanId);
    expect(one(spans, "sandbox.execute").parentSpanId).toBe(route.spanId);
    expect((await getJob(openDatabase(env.DB), outcome.job.id, TENANT))?.status).toBe("completed");
  });

  it("continues a message's traceparent and sends the callback receiver one in the same trace", async () => {
    const caller = callerContext();
    const job = await queuedJob("console.log('called back')", { callbackUrl: "http://trace-cb.receiver.test/hook" });
    const body: JobMessage = { kind: "execute", jobId: job.id, tenantId: TENANT, lane: "interactive", traceparent: caller.traceparent };
    const result = await consume([{ id: `trace-${job.id}`, timestamp: Date.now(), attempts: 1, body }]);
    expect(result.explicitAcks).toEqual([`trace-${job.id}`]);

    const received = (await (await fetch("http://trace-cb.receiver.test/__receiver/requests")).json()) as Array<{ headers: Record<string, string>; body: string }>;
    const delivery = received.find((request) => request.body.includes(job.id))!;
    expect(delivery).toBeDefined();
    const sent = parseTraceparentHeader(delivery.headers.traceparent ?? null);
    expect(sent.traceId).toBe(caller.traceId);

    const { spans } = await waitForTrace(caller.traceId, (found) => found.some((span) => span.name === "callback POST"));
    const process = one(spans, "process edgebox-jobs-interactive", "consumer");
    expect(process.parentSpanId).toBe(caller.parentSpanId);
    const callback = one(spans, "callback POST", "client");
    expect(callback.spanId).toBe(sent.spanId);
    expect(callback.parentSpanId).toBe(process.spanId);
    expect(callback.attributes).toMatchObject({
      "http.request.method": "POST",
      "server.address": "trace-cb.receiver.test",
      "http.response.status_code": 200,
      "edgebox.job.id": job.id,
      "edgebox.callback.attempt": 1,
      "edgebox.callback.delivered": true,
    });
  });

  it("marks a message that will be retried", async () => {
    const caller = callerContext();
    const job = await queuedJob("console.log(1)", { overrides: { region: "atlantis" } });
    const body: JobMessage = { kind: "execute", jobId: job.id, tenantId: TENANT, lane: "interactive", traceparent: caller.traceparent };
    const result = await consume([{ id: `retry-${job.id}`, timestamp: Date.now(), attempts: 2, body }]);
    expect(result.retryMessages.map((message) => message.msgId)).toEqual([`retry-${job.id}`]);
    const { spans } = await waitForTrace(caller.traceId, (found) => found.some((span) => span.kind === "consumer"));
    const process = one(spans, "process edgebox-jobs-interactive", "consumer");
    expect(process).toMatchObject({
      status: { code: "error" },
      attributes: { "edgebox.queue.outcome": "retry", "edgebox.queue.retry_delay_seconds": 4, "edgebox.queue.attempts": 2 },
    });
    expect(one(spans, "execution.route").status.code).toBe("error");
  });

  it("one trace across every hop: queue, consumer, pool Durable Object, remote backend, callback — viewable at GET /v1/traces/:id", async () => {
    const tracer = new Tracer();
    const root = tracer.startSpan("POST /v1/jobs", null, { kind: "server" });
    const [outcome] = await runInSpan(tracer, root, () =>
      submitJobs(env as unknown as Env, TENANT, [
        {
          request: request("print(input())", { runtime: { language: "python", version: "3.12.0" }, region: "trq-eu", stdin: "hops" }),
          lane: "interactive",
          flavor: "native",
          callbackUrl: "http://trace-hops.receiver.test/hook",
          idempotencyKey: null,
        },
      ], Date.now()),
    );
    root.end();
    await flushSpans(env as unknown as Env, tracer.take());
    expect(await env.JOB_WATCH.get(env.JOB_WATCH.idFromName(outcome.job.id)).wait(20_000)).toBe(true);

    const kinds = (spans: SpanRecord[]) => new Set(spans.map((span) => `${span.kind} ${span.name}`));
    const expected = [
      "server POST /v1/jobs",
      "producer send edgebox-jobs-interactive",
      "consumer process edgebox-jobs-interactive",
      "internal execution.route",
      "client RegionPool.acquire",
      "server RegionPool.acquire",
      "client POST /api/v2/execute",
      "client callback POST",
    ];
    const { traceId, spans } = await waitForTrace(root.traceId, (found) => expected.every((name) => kinds(found).has(name)), 20_000);
    expect(traceId).toBe(root.traceId);
    expect(spans.every((span) => span.traceId === root.traceId)).toBe(true);
    // Every span but the root hangs off another span of the same trace.
    const ids = new Set(spans.map((span) => span.spanId));
    expect(spans.filter((span) => span.parentSpanId === null || !ids.has(span.parentSpanId)).map((span) => span.name)).toEqual(["POST /v1/jobs"]);
    const byName = (name: string, kind: SpanRecord["kind"]) => one(spans, name, kind);
    expect(byName("RegionPool.acquire", "server").parentSpanId).toBe(byName("RegionPool.acquire", "client").spanId);
    expect(byName("POST /api/v2/execute", "client").attributes).toMatchObject({ "edgebox.backend": "trq-eu-a", "edgebox.execution.status": "ok" });
    expect(byName("callback POST", "client").parentSpanId).toBe(byName("process edgebox-jobs-interactive", "consumer").spanId);
    const received = (await (await fetch("http://trace-hops.receiver.test/__receiver/requests")).json()) as Array<{ headers: Record<string, string> }>;
    expect(parseTraceparentHeader(received[0].headers.traceparent ?? null)).toMatchObject({ traceId: root.traceId, spanId: byName("callback POST", "client").spanId });
  });
});
