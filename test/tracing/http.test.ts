import { describe, expect, it } from "vitest";
import { ADMIN, BASE, callWithVars, postJson } from "../helpers/http";
import { worker } from "../helpers/bindings";
import { callerContext, getTrace, one, parseTraceparentHeader, randomHexId, waitForTrace } from "./helpers";

// The HTTP server span: a request that carries a traceparent stays in the caller's trace, the
// response's traceparent names the server span, and GET /v1/traces/:traceId shows it.

describe("HTTP server span", () => {
  it("keeps the caller's trace id and answers with a traceparent naming the server span", async () => {
    const caller = callerContext();
    const response = await worker.fetch(new Request(`${BASE}/v1/runtimes`, { headers: { traceparent: caller.traceparent, "x-request-id": "trace-req-1" } }));
    expect(response.status).toBe(200);
    const answered = parseTraceparentHeader(response.headers.get("traceparent"));
    expect(answered.traceId).toBe(caller.traceId);
    expect(answered.spanId).not.toBe(caller.parentSpanId);
    expect(answered.sampled).toBe(true);

    const trace = await waitForTrace(caller.traceId, (spans) => spans.some((span) => span.kind === "server"));
    expect(trace.traceId).toBe(caller.traceId);
    const server = one(trace.spans, "GET /v1/runtimes", "server");
    expect(server).toMatchObject({
      traceId: caller.traceId,
      spanId: answered.spanId,
      parentSpanId: caller.parentSpanId,
      status: { code: "unset" },
      attributes: {
        "http.request.method": "GET",
        "http.route": "/v1/runtimes",
        "http.response.status_code": 200,
        "url.path": "/v1/runtimes",
        "edgebox.request_id": "trace-req-1",
      },
    });
    expect(server.endTime).toBeGreaterThanOrEqual(server.startTime);
    expect(server.startTime).toBeGreaterThan(Date.now() - 60_000);
  });

  it("starts a new trace without a (valid) traceparent", async () => {
    const response = await worker.fetch(new Request(`${BASE}/v1/runtimes`, { headers: { traceparent: "00-00000000000000000000000000000000-0000000000000000-01" } }));
    const answered = parseTraceparentHeader(response.headers.get("traceparent"));
    expect(answered.traceId).not.toMatch(/^0+$/);
    const trace = await waitForTrace(answered.traceId, (spans) => spans.length > 0);
    expect(one(trace.spans, "GET /v1/runtimes", "server").parentSpanId).toBeNull();
  });

  it("records executions: the server span, routing and the sandbox run, with what happened", async () => {
    const caller = callerContext();
    const response = await postJson(
      "/v1/executions",
      { language: "javascript", code: "console.log('traced')", cache: "bypass" },
      { traceparent: caller.traceparent },
    );
    expect(response.status).toBe(200);
    const trace = await waitForTrace(caller.traceId, (spans) => spans.some((span) => span.name === "sandbox.execute"));
    const server = one(trace.spans, "POST /v1/executions", "server");
    expect(server.attributes).toMatchObject({
      "http.route": "/v1/executions",
      "http.response.status_code": 200,
      "edgebox.tenant": "dev",
      "edgebox.region": "local",
      "edgebox.cache.status": "BYPASS",
    });
    const route = one(trace.spans, "execution.route", "internal");
    expect(route.parentSpanId).toBe(server.spanId);
    expect(route.attributes).toMatchObject({ "edgebox.runtime.language": "javascript", "edgebox.region": "local", "edgebox.attempts": 1 });
    const sandbox = one(trace.spans, "sandbox.execute", "internal");
    expect(sandbox.parentSpanId).toBe(route.spanId);
    expect(sandbox.attributes).toMatchObject({ "edgebox.execution.status": "ok", "edgebox.execution.exit_code": 0, "edgebox.runtime.engine": "quickjs" });
    // Spans never carry the program, its input or its output.
    expect(JSON.stringify(trace)).not.toContain("traced");
    // Sorted by start time, the server span first.
    expect(trace.spans[0].spanId).toBe(server.spanId);
    const starts = trace.spans.map((span) => span.startTime);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it("marks a server error, and leaves a client error's status unset", async () => {
    const caller = callerContext();
    const response = await worker.fetch(new Request(`${BASE}/v1/no-such-route`, { headers: { traceparent: caller.traceparent } }));
    expect(response.status).toBe(404);
    const trace = await waitForTrace(caller.traceId, (spans) => spans.length > 0);
    expect(trace.spans[0]).toMatchObject({ kind: "server", name: "GET", status: { code: "unset" }, attributes: { "http.response.status_code": 404 } });
    expect(trace.spans[0].attributes["http.route"]).toBeUndefined();
  });

  it("records nothing for a caller that did not sample its trace, and still propagates", async () => {
    const caller = callerContext(false);
    const response = await worker.fetch(new Request(`${BASE}/v1/runtimes`, { headers: { traceparent: caller.traceparent } }));
    const answered = parseTraceparentHeader(response.headers.get("traceparent"));
    expect(answered).toMatchObject({ traceId: caller.traceId, sampled: false });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await getTrace(caller.traceId)).status).toBe(404);
  });
});

describe("GET /v1/traces/:traceId", () => {
  it("is 404 for an unknown trace and 400 for something that is not a trace id", async () => {
    const unknown = await getTrace(randomHexId(16));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("not_found");
    const invalid = await getTrace("not-a-trace");
    expect(invalid.status).toBe(400);
    await invalid.body?.cancel();
    const post = await worker.fetch(new Request(`${BASE}/v1/traces/${randomHexId(16)}`, { method: "POST" }));
    expect(post.status).toBe(405);
    await post.body?.cancel();
  });

  it("accepts an upper-case id", async () => {
    const caller = callerContext();
    await (await worker.fetch(new Request(`${BASE}/v1/runtimes`, { headers: { traceparent: caller.traceparent } }))).body?.cancel();
    await waitForTrace(caller.traceId, (spans) => spans.length > 0);
    const upper = await getTrace(caller.traceId.toUpperCase());
    expect(upper.status).toBe(200);
    expect(((await upper.json()) as { traceId: string }).traceId).toBe(caller.traceId);
  });

  it("needs the admin secret in production and is open in development", async () => {
    const caller = callerContext();
    await (await worker.fetch(new Request(`${BASE}/v1/runtimes`, { headers: { traceparent: caller.traceparent } }))).body?.cancel();
    await waitForTrace(caller.traceId, (spans) => spans.length > 0);

    const open = await worker.fetch(new Request(`${BASE}/v1/traces/${caller.traceId}`));
    expect(open.status).toBe(200);
    await open.body?.cancel();

    const anonymous = await callWithVars({ ENVIRONMENT: "production" }, `/v1/traces/${caller.traceId}`);
    expect(anonymous.status).toBe(401);
    const wrong = await callWithVars({ ENVIRONMENT: "production" }, `/v1/traces/${caller.traceId}`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(403);
    const admin = await callWithVars({ ENVIRONMENT: "production" }, `/v1/traces/${caller.traceId}`, { headers: ADMIN });
    expect(admin.status).toBe(200);
    expect(((await admin.json()) as { spans: unknown[] }).spans.length).toBeGreaterThan(0);
  });
});
