import { describe, expect, it } from "vitest";
import { openDatabase } from "../../workers/db/client";
import { insertJob, listCallbackAttempts } from "../../workers/jobs/job-store";
import { tenantCallbackSecret } from "../../workers/jobs/callbacks";
import { MAX_WAIT_SECONDS } from "../../workers/jobs/config";
import type { JobLane, JobMessage, JobRequest } from "../../workers/jobs/types";
import { LIMIT_DEFAULTS } from "../../workers/sandbox";
import { QUICKJS_VERSION } from "../../workers/sandbox/runtimes";
import { env } from "../helpers/bindings";
import { call, callWithVars, createTenantWithKey, postJson } from "../helpers/http";

// The native jobs API over HTTP, against real D1, Queues (the lane consumers run) and JobWatch
// Durable Objects under Miniflare. Requests without a key act as the anonymous dev tenant.

const DEV = "dev";
const db = () => openDatabase(env.DB);

interface JobBody {
  id: string;
  status: string;
  lane: string;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  error: string | null;
  callbackUrl: string | null;
  result: { id: string; status: string; stdout: string; runtime: { language: string; version: string } } | null;
}

interface ErrorBody {
  message: string;
  error: { code: string; status: number; details?: Array<{ path: string; message: string }> };
}

const program = (code: string, extra: Record<string, unknown> = {}) => ({ language: "javascript", code, ...extra });

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

function submit(body: unknown, options: { query?: string; headers?: Record<string, string> } = {}) {
  return postJson(`/v1/jobs${options.query ?? ""}`, body, options.headers);
}

/** A queued job row with no queue message, so it stays queued until the test acts on it. */
async function queuedRow(tenantId: string, options: { lane?: JobLane; callbackUrl?: string; createdAt?: number } = {}) {
  const request: JobRequest = {
    runtime: { language: "javascript", version: QUICKJS_VERSION },
    files: [{ name: "main.js", content: "console.log('from a row')" }],
    stdin: "",
    args: [],
    limits: LIMIT_DEFAULTS,
    cache: { mode: "bypass", tags: [] },
  };
  const outcome = await insertJob(db(), {
    id: crypto.randomUUID(),
    tenantId,
    lane: options.lane ?? "interactive",
    flavor: "native",
    request,
    requestHash: "row",
    idempotencyKey: null,
    callbackUrl: options.callbackUrl ?? null,
    createdAt: options.createdAt ?? Date.now(),
  });
  return outcome.job;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Requests a webhook receiver (test/fakes/callback-receiver.ts) got, once it got any. */
async function deliveries(name: string) {
  for (let i = 0; ; i++) {
    const received = (await (await fetch(`http://${name}.receiver.test/__receiver/requests`)).json()) as Array<{
      method: string;
      headers: Record<string, string>;
      body: string;
    }>;
    if (received.length > 0 || i >= 100) return received;
    await sleep(100);
  }
}

// The receiver-side verification snippet of docs/jobs.md, verbatim.
async function verifyEdgeboxSignature(secret: string, header: string, rawBody: string, toleranceSeconds = 300) {
  const parts = Object.fromEntries(header.split(",").map((part) => part.trim().split("=", 2)));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds) return false;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const mac = new Uint8Array((parts.v1 ?? "").match(/../g)?.map((hex: string) => parseInt(hex, 16)) ?? []);
  return crypto.subtle.verify("HMAC", key, mac, new TextEncoder().encode(`${timestamp}.${rawBody}`));
}

describe("POST /v1/jobs", () => {
  it("accepts a job (202, Location) and wait=10 answers 200 with the completed job", async () => {
    const response = await submit(program("console.log(6*7)"), { query: "?wait=10" });
    expect(response.status).toBe(200);
    const job = await json<JobBody>(response);
    expect(response.headers.get("location")).toBe(`/v1/jobs/${job.id}`);
    expect(job).toMatchObject({ status: "completed", lane: "interactive", attempts: 1, error: null, callbackUrl: null });
    expect(job.result).toMatchObject({ id: job.id, status: "ok", stdout: "42\n", runtime: { language: "javascript", version: QUICKJS_VERSION } });
    expect(job.completedAt).not.toBeNull();
  });

  it("answers 202 {id, status} without wait, and the job completes in the background", async () => {
    const response = await submit(program("console.log('later')", { priority: "batch" }));
    expect(response.status).toBe(202);
    const accepted = await json<{ id: string; status: string }>(response);
    expect(accepted).toEqual({ id: expect.any(String), status: "queued" });
    expect(response.headers.get("location")).toBe(`/v1/jobs/${accepted.id}`);
    const read = await call(`/v1/jobs/${accepted.id}?wait=15`);
    expect(read.status).toBe(200);
    expect(await json<JobBody>(read)).toMatchObject({ id: accepted.id, status: "completed", lane: "batch", result: { stdout: "later\n" } });
  });

  it("validates like POST /v1/executions: schema, unknown runtime, priority", async () => {
    const missing = await submit({ code: "1" });
    expect(missing.status).toBe(400);
    expect((await json<ErrorBody>(missing)).error.details?.[0]).toMatchObject({ path: "language" });

    const unknown = await submit(program("1", { language: "cobol" }));
    expect(unknown.status).toBe(400);
    expect((await json<ErrorBody>(unknown)).message).toBe("cobol-* runtime is unknown; see GET /v1/runtimes");

    const both = await submit(program("1", { files: [{ content: "1" }] }));
    expect(both.status).toBe(400);

    const priority = await submit(program("1", { priority: "urgent" }));
    expect(priority.status).toBe(400);
    expect((await json<ErrorBody>(priority)).error.details?.[0]).toMatchObject({ path: "priority" });

    const region = await submit(program("1", { region: "atlantis" }));
    expect(region.status).toBe(400);
    expect((await json<ErrorBody>(region)).error.details?.[0]).toMatchObject({ path: "region" });
  });

  it("rejects a bad wait", async () => {
    for (const wait of ["-1", "abc", String(MAX_WAIT_SECONDS + 1)]) {
      const response = await submit(program("1"), { query: `?wait=${wait}` });
      expect(response.status, wait).toBe(400);
      expect((await json<ErrorBody>(response)).error.details?.[0]).toMatchObject({ path: "wait" });
    }
  });

  it("validates callbackUrl: http(s) only, never this service's own host, camelCase only", async () => {
    const ftp = await submit(program("1", { callbackUrl: "ftp://hooks.example/x" }));
    expect(ftp.status).toBe(400);
    expect((await json<ErrorBody>(ftp)).error.details).toEqual([{ path: "callbackUrl", message: "callbackUrl must be an http(s) URL" }]);

    const own = await submit(program("1", { callbackUrl: "https://EDGEBOX.test:8443/hook" }));
    expect(own.status).toBe(400);
    expect((await json<ErrorBody>(own)).error.details).toEqual([{ path: "callbackUrl", message: "callbackUrl must not point at this service" }]);

    const credentials = await submit(program("1", { callbackUrl: "https://user:pw@hooks.example/x" }));
    expect(credentials.status).toBe(400);

    const snake = await submit(program("1", { callback_url: "https://hooks.example/x" }));
    expect(snake.status).toBe(400);
    expect((await json<ErrorBody>(snake)).error.details?.[0]).toMatchObject({ path: "callback_url" });
  });

  it("calls back a finished job's callbackUrl, signed with the tenant's callback secret", async () => {
    const hook = "http://jobs-api-done.receiver.test/hook";
    const response = await submit(program("console.log('hook')", { callbackUrl: hook }), { query: "?wait=10" });
    expect(response.status).toBe(200);
    const job = await json<JobBody>(response);
    expect(job).toMatchObject({ status: "completed", callbackUrl: hook });
    const [delivery] = await deliveries("jobs-api-done");
    expect(delivery.method).toBe("POST");
    expect(JSON.parse(delivery.body)).toMatchObject({ id: job.id, status: "completed", result: { stdout: "hook\n" } });
    const { secret } = await json<{ secret: string }>(await call("/v1/jobs/callback-secret"));
    expect(await verifyEdgeboxSignature(secret, delivery.headers["x-edgebox-signature"], delivery.body)).toBe(true);
    expect(await verifyEdgeboxSignature(secret, delivery.headers["x-edgebox-signature"], delivery.body.replace("hook", "hack"))).toBe(false);
    expect(await listCallbackAttempts(db(), job.id)).toMatchObject([{ attempt: 1, url: hook, delivered: true, statusCode: 200 }]);
  });
});

describe("Idempotency-Key", () => {
  it("replays the same body: 200, the same job, Idempotent-Replayed: true", async () => {
    const key = `replay-${crypto.randomUUID()}`;
    const first = await submit(program("console.log('once')"), { headers: { "idempotency-key": key } });
    expect(first.status).toBe(202);
    const { id } = await json<{ id: string }>(first);
    const again = await submit(program("console.log('once')"), { headers: { "idempotency-key": key } });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("location")).toBe(`/v1/jobs/${id}`);
    expect((await json<JobBody>(again)).id).toBe(id);
    const jobs = await env.DB.prepare("SELECT count(*) AS n FROM jobs WHERE idempotency_key = ?").bind(key).first<{ n: number }>();
    expect(jobs?.n).toBe(1);
  });

  it("a replay with wait= waits for the original job", async () => {
    const key = `replay-wait-${crypto.randomUUID()}`;
    expect((await submit(program("console.log('slow enough')"), { headers: { "idempotency-key": key } })).status).toBe(202);
    const again = await submit(program("console.log('slow enough')"), { query: "?wait=10", headers: { "idempotency-key": key } });
    expect(again.status).toBe(200);
    expect(await json<JobBody>(again)).toMatchObject({ status: "completed", result: { stdout: "slow enough\n" } });
  });

  it("a different body with a used key is a 409", async () => {
    const key = `conflict-${crypto.randomUUID()}`;
    expect((await submit(program("console.log(1)"), { headers: { "idempotency-key": key } })).status).toBe(202);
    const other = await submit(program("console.log(2)"), { headers: { "idempotency-key": key } });
    expect(other.status).toBe(409);
    const body = await json<ErrorBody>(other);
    expect(body.error.code).toBe("conflict");
    expect(body.message).toContain("different request body");
  });

  it("keys are per tenant", async () => {
    const key = `shared-${crypto.randomUUID()}`;
    const tenantKey = await createTenantWithKey("jobs-idem");
    const mine = await json<{ id: string }>(await submit(program("console.log(1)"), { headers: { "idempotency-key": key } }));
    const theirs = await submit(program("console.log(1)"), { headers: { "idempotency-key": key, authorization: `Bearer ${tenantKey}` } });
    expect(theirs.status).toBe(202);
    expect((await json<{ id: string }>(theirs)).id).not.toBe(mine.id);
  });

  it("rejects an empty, overlong or non-printable key", async () => {
    for (const key of ["x".repeat(256), "tab\there"]) {
      const response = await submit(program("1"), { headers: { "idempotency-key": key } });
      expect(response.status).toBe(400);
      expect((await json<ErrorBody>(response)).error.details?.[0].path).toBe("headers.Idempotency-Key");
    }
    const empty = await call("/v1/jobs", { method: "POST", headers: { "content-type": "application/json", "idempotency-key": "" }, body: JSON.stringify(program("1")) });
    expect(empty.status).toBe(400);
  });
});

describe("POST /v1/jobs/batch", () => {
  it("accepts the valid entries and reports the invalid ones by index, in order", async () => {
    const response = await postJson("/v1/jobs/batch", {
      jobs: [
        program("console.log('a')"),
        { language: "javascript" },
        program("console.log('c')", { priority: "batch" }),
        program("1", { language: "cobol" }),
        "not an object",
      ],
    });
    expect(response.status).toBe(202);
    const { jobs } = await json<{ jobs: Array<{ index: number; id?: string; status?: string; error?: { message: string; details: Array<{ path: string }> } }> }>(response);
    expect(jobs.map((entry) => entry.index)).toEqual([0, 1, 2, 3, 4]);
    expect(jobs[0]).toEqual({ index: 0, id: expect.any(String), status: "queued" });
    expect(jobs[2]).toEqual({ index: 2, id: expect.any(String), status: "queued" });
    expect(jobs[1].error?.message).toContain("code");
    expect(jobs[1].id).toBeUndefined();
    expect(jobs[3].error).toMatchObject({ message: "cobol-* runtime is unknown; see GET /v1/runtimes", details: [{ path: "language" }] });
    expect(jobs[4].error).toBeDefined();

    const a = await json<JobBody>(await call(`/v1/jobs/${jobs[0].id}?wait=15`));
    const c = await json<JobBody>(await call(`/v1/jobs/${jobs[2].id}?wait=15`));
    expect(a).toMatchObject({ status: "completed", lane: "interactive", result: { stdout: "a\n" } });
    expect(c).toMatchObject({ status: "completed", lane: "batch", result: { stdout: "c\n" } });
  });

  it("rejects the whole request when jobs is not an array, empty, or longer than JOBS_BATCH_MAX", async () => {
    expect((await postJson("/v1/jobs/batch", { jobs: program("1") })).status).toBe(400);
    expect((await postJson("/v1/jobs/batch", [program("1")])).status).toBe(400);
    expect((await postJson("/v1/jobs/batch", { jobs: [] })).status).toBe(400);
    const tooMany = await callWithVars({ JOBS_BATCH_MAX: "2" }, "/v1/jobs/batch", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jobs: [program("1"), program("2"), program("3")] }),
    });
    expect(tooMany.status).toBe(400);
    const body = await json<ErrorBody>(tooMany);
    expect(body.error.details?.[0]).toMatchObject({ path: "jobs" });
    expect(body.message).toContain("at most 2");
  });

  it("does not take an Idempotency-Key", async () => {
    const response = await postJson("/v1/jobs/batch", { jobs: [program("1")] }, { "idempotency-key": "k" });
    expect(response.status).toBe(400);
  });
});

describe("GET /v1/jobs/:id", () => {
  it("reads a job; 404 for an unknown id", async () => {
    const row = await queuedRow(DEV);
    const response = await call(`/v1/jobs/${row.id}`);
    expect(response.status).toBe(200);
    expect(await json<JobBody>(response)).toMatchObject({ id: row.id, status: "queued", result: null, startedAt: null });
    expect((await call("/v1/jobs/no-such-job")).status).toBe(404);
  });

  it("wait= is woken by the job's completion, and answers 202 with the job so far when it times out", async () => {
    const row = await queuedRow(DEV);
    const startedAt = Date.now();
    const waiting = call(`/v1/jobs/${row.id}?wait=20`);
    await sleep(300);
    // Only now does the job get its queue message: the lane consumer runs it and wakes the watch.
    await env.JOBS_INTERACTIVE.send({ kind: "execute", jobId: row.id, tenantId: DEV, lane: "interactive" } satisfies JobMessage);
    const response = await waiting;
    expect(response.status).toBe(200);
    expect(await json<JobBody>(response)).toMatchObject({ status: "completed", result: { stdout: "from a row\n" } });
    expect(Date.now() - startedAt).toBeLessThan(10_000);

    const idle = await queuedRow(DEV);
    const timedOut = await call(`/v1/jobs/${idle.id}?wait=0.3`);
    expect(timedOut.status).toBe(202);
    expect(await json<JobBody>(timedOut)).toMatchObject({ id: idle.id, status: "queued" });
  });
});

describe("GET /v1/jobs", () => {
  it("lists the tenant's jobs newest first, paged by cursor, filtered by status", async () => {
    const key = await createTenantWithKey("jobs-list");
    const auth = { authorization: `Bearer ${key}` };
    const base = Date.now() - 60_000;
    const rows = [];
    for (let i = 0; i < 5; i++) rows.push(await queuedRow("jobs-list", { createdAt: base + i }));
    // Same createdAt: the cursor still separates them (ties are ordered by id).
    rows.push(await queuedRow("jobs-list", { createdAt: base + 4 }));
    const cancelled = await call(`/v1/jobs/${rows[1].id}`, { method: "DELETE", headers: auth });
    expect(cancelled.status).toBe(200);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Response = await call(`/v1/jobs?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { headers: auth });
      expect(page.status).toBe(200);
      const body = await json<{ jobs: JobBody[]; nextCursor: string | null }>(page);
      expect(body.jobs.length).toBeLessThanOrEqual(2);
      seen.push(...body.jobs.map((job) => job.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(6);
    const expected = [...rows].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map((job) => job.id);
    expect(seen).toEqual(expected);

    const onlyCancelled = await json<{ jobs: JobBody[]; nextCursor: string | null }>(await call("/v1/jobs?status=cancelled", { headers: auth }));
    expect(onlyCancelled).toMatchObject({ jobs: [{ id: rows[1].id, status: "cancelled" }], nextCursor: null });
    const queued = await json<{ jobs: JobBody[] }>(await call("/v1/jobs?status=queued&limit=100", { headers: auth }));
    expect(queued.jobs).toHaveLength(5);
  });

  it("400 for a bad status, cursor or limit", async () => {
    for (const query of ["status=done", "cursor=garbage", "limit=0", "limit=101", "limit=ten"]) {
      const response = await call(`/v1/jobs?${query}`);
      expect(response.status, query).toBe(400);
      expect((await json<ErrorBody>(response)).error.details?.[0].path, query).toBe(query.split("=")[0]);
    }
  });
});

describe("DELETE /v1/jobs/:id", () => {
  it("cancels a queued job and wakes its long-polls", async () => {
    const row = await queuedRow(DEV);
    const waiting = call(`/v1/jobs/${row.id}?wait=20`);
    await sleep(200);
    const startedAt = Date.now();
    const response = await call(`/v1/jobs/${row.id}`, { method: "DELETE" });
    expect(response.status).toBe(200);
    expect(await json<JobBody>(response)).toMatchObject({ id: row.id, status: "cancelled", error: "cancelled by the client" });
    const woken = await waiting;
    expect(woken.status).toBe(200);
    expect(await json<JobBody>(woken)).toMatchObject({ status: "cancelled" });
    expect(Date.now() - startedAt).toBeLessThan(5_000);

    const again = await call(`/v1/jobs/${row.id}`, { method: "DELETE" });
    expect(again.status).toBe(409);
  });

  it("tells the callback receiver that the job was cancelled", async () => {
    const hook = "http://jobs-api-cancel.receiver.test/hook";
    const row = await queuedRow(DEV, { callbackUrl: hook });
    expect((await call(`/v1/jobs/${row.id}`, { method: "DELETE" })).status).toBe(200);
    const [delivery] = await deliveries("jobs-api-cancel");
    expect(JSON.parse(delivery.body)).toMatchObject({ id: row.id, status: "cancelled", result: null });
  });

  it("409 for a completed job, 404 for an unknown one", async () => {
    const done = await json<JobBody>(await submit(program("console.log('done')"), { query: "?wait=10" }));
    expect(done.status).toBe("completed");
    const response = await call(`/v1/jobs/${done.id}`, { method: "DELETE" });
    expect(response.status).toBe(409);
    expect((await json<ErrorBody>(response)).message).toBe(`job '${done.id}' is completed; only a queued job can be cancelled`);
    expect((await call("/v1/jobs/no-such-job", { method: "DELETE" })).status).toBe(404);
  });
});

describe("tenant scoping", () => {
  it("another tenant's job is a 404 to read, wait on or cancel, and is not listed", async () => {
    const key = await createTenantWithKey("jobs-owner");
    const other = await createTenantWithKey("jobs-other");
    const row = await queuedRow("jobs-owner");
    const asOwner = await callWithVars({ ENVIRONMENT: "production" }, `/v1/jobs/${row.id}`, { headers: { authorization: `Bearer ${key}` } });
    expect(asOwner.status).toBe(200);
    for (const headers of [{ authorization: `Bearer ${other}` }, {} as Record<string, string>]) {
      expect((await call(`/v1/jobs/${row.id}`, { headers })).status).toBe(404);
      expect((await call(`/v1/jobs/${row.id}?wait=1`, { headers })).status).toBe(404);
      expect((await call(`/v1/jobs/${row.id}`, { method: "DELETE", headers })).status).toBe(404);
      const list = await json<{ jobs: JobBody[] }>(await call("/v1/jobs?limit=100", { headers }));
      expect(list.jobs.map((job) => job.id)).not.toContain(row.id);
    }
    expect((await call(`/v1/jobs/${row.id}`)).status).toBe(404);
  });

  it("requires a key in production", async () => {
    const response = await callWithVars({ ENVIRONMENT: "production" }, "/v1/jobs");
    expect(response.status).toBe(401);
    const submitted = await callWithVars({ ENVIRONMENT: "production" }, "/v1/jobs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(program("1")),
    });
    expect(submitted.status).toBe(401);
  });
});

describe("backpressure", () => {
  it("429 + Retry-After once the lane holds JOBS_MAX_QUEUED_* queued jobs; the other lane still accepts", async () => {
    // Rows without queue messages stay queued, so the lane is reliably full.
    await queuedRow("jobs-pressure");
    const full = await callWithVars({ JOBS_MAX_QUEUED_INTERACTIVE: "1" }, "/v1/jobs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(program("console.log('no room')")),
    });
    expect(full.status).toBe(429);
    expect(full.headers.get("retry-after")).toBe("5");
    const body = await json<ErrorBody>(full);
    expect(body.error.code).toBe("rate_limited");
    expect(body.message).toContain("interactive lane");

    const batchLane = await callWithVars({ JOBS_MAX_QUEUED_INTERACTIVE: "1" }, "/v1/jobs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(program("console.log('room')", { priority: "batch" })),
    });
    expect(batchLane.status).toBe(202);

    const batch = await callWithVars({ JOBS_MAX_QUEUED_INTERACTIVE: "1" }, "/v1/jobs/batch", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jobs: [program("1")] }),
    });
    expect(batch.status).toBe(429);
    expect(batch.headers.get("retry-after")).toBe("5");
  });
});

describe("callback secret", () => {
  it("is created on first read, stable, and replaced by rotate", async () => {
    const first = await json<{ secret: string }>(await call("/v1/jobs/callback-secret"));
    expect(first.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(await json<{ secret: string }>(await call("/v1/jobs/callback-secret"))).toEqual(first);
    const rotated = await call("/v1/jobs/callback-secret/rotate", { method: "POST" });
    expect(rotated.status).toBe(200);
    const second = await json<{ secret: string }>(rotated);
    expect(second.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(second.secret).not.toBe(first.secret);
    expect(await json<{ secret: string }>(await call("/v1/jobs/callback-secret"))).toEqual(second);
    expect(await tenantCallbackSecret(db(), DEV)).toBe(second.secret);
  });

  it("is per tenant", async () => {
    const key = await createTenantWithKey("jobs-secret");
    const theirs = await json<{ secret: string }>(await call("/v1/jobs/callback-secret", { headers: { authorization: `Bearer ${key}` } }));
    const mine = await json<{ secret: string }>(await call("/v1/jobs/callback-secret"));
    expect(theirs.secret).not.toBe(mine.secret);
  });
});

describe("methods", () => {
  it("answers 405 with Allow on every jobs path", async () => {
    const cases: Array<[string, string, string]> = [
      ["PUT", "/v1/jobs", "GET, POST, HEAD"],
      ["GET", "/v1/jobs/batch", "POST"],
      ["POST", "/v1/jobs/callback-secret", "GET, HEAD"],
      ["GET", "/v1/jobs/callback-secret/rotate", "POST"],
      ["POST", "/v1/jobs/some-id", "GET, DELETE, HEAD"],
    ];
    for (const [method, path, allow] of cases) {
      const response = await call(path, { method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get("allow")).toBe(allow);
      expect((await json<ErrorBody>(response)).error.code).toBe("method_not_allowed");
    }
  });
});

describe("OpenAPI", () => {
  it("documents the jobs and dead-letter routes from the same schemas", async () => {
    const doc = await json<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }>> }>(
      await call("/openapi.json"),
    );
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/jobs",
        "/v1/jobs/batch",
        "/v1/jobs/{jobId}",
        "/v1/jobs/callback-secret",
        "/v1/jobs/callback-secret/rotate",
        "/v1/admin/dead-letters",
        "/v1/admin/dead-letters/{deadLetterId}/replay",
      ]),
    );
    expect(Object.keys(doc.paths["/v1/jobs"])).toEqual(expect.arrayContaining(["get", "post"]));
    expect(Object.keys(doc.paths["/v1/jobs/{jobId}"])).toEqual(expect.arrayContaining(["get", "delete"]));
    const submitBody = doc.paths["/v1/jobs"].post.requestBody!.content["application/json"].schema;
    expect(Object.keys(submitBody.properties)).toEqual(expect.arrayContaining(["language", "code", "files", "limits", "priority", "callbackUrl"]));
  });
});
