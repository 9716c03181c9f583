import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramToRun } from "../../workers/execution/execute-program";
import { findRuntime } from "../../workers/execution/runtime-catalog";
import { runRouted } from "../../workers/pools/execution-router";
import { topologyFor } from "../../workers/pools/topology-cache";
import { remoteRuntimes } from "../../workers/routing/route-plan";
import { LIMIT_DEFAULTS } from "../../workers/sandbox";
import type { SpanRecord } from "../../workers/tracing/span";
import { runInSpan, Tracer } from "../../workers/tracing/tracer";
import { ADMIN, BASE } from "../helpers/http";
import { env, worker } from "../helpers/bindings";
import { callerContext, named, one, parseTraceparentHeader, waitForTrace } from "./helpers";

// Trace context across the execution path to remote backends: Worker → RegionPool Durable Object
// (a client span here, a server span recorded inside the object) → fake Piston backend
// (<name>.piston.test, vitest.config.ts), which is sent a traceparent naming the client span.

async function admin(path: string, body: unknown) {
  const response = await worker.fetch(
    new Request(`${BASE}${path}`, { method: "POST", headers: { "content-type": "application/json", ...ADMIN }, body: JSON.stringify(body) }),
  );
  if (response.status >= 300) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  await response.body?.cancel();
}

async function control(host: string, body: Record<string, unknown>) {
  const response = await fetch(`http://${host}.piston.test/__fake/control`, { method: "POST", body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  await response.body?.cancel();
}

function execute(traceparent: string, region: string) {
  return worker.fetch(
    new Request(`${BASE}/api/v2/execute`, {
      method: "POST",
      headers: { "content-type": "application/json", "cache-control": "no-store", traceparent, "X-Edgebox-Region": region },
      body: JSON.stringify({ language: "python", version: "3.12.0", files: [{ content: "print(input())" }], stdin: "secret-stdin" }),
    }),
  );
}

const backendCalls = (spans: SpanRecord[]) => named(spans, "POST /api/v2/execute").filter((span) => span.kind === "client");
const complete = (spans: SpanRecord[]) =>
  spans.some((span) => span.name === "RegionPool.acquire" && span.kind === "server") && backendCalls(spans).length > 0;

beforeAll(async () => {
  await admin("/v1/admin/regions", { id: "trc-eu", name: "Tracing EU", latitude: 50.1, longitude: 8.7, policy: "round_robin" });
  await admin("/v1/admin/backends", { id: "trc-eu-a", regionId: "trc-eu", kind: "piston", url: "http://trc-eu-a.piston.test", maxConcurrency: 20 });
  await admin("/v1/admin/regions", { id: "trc-retry", name: "Tracing retries", latitude: 50.1, longitude: 8.7, policy: "round_robin" });
  await admin("/v1/admin/backends", { id: "trc-retry-ok", regionId: "trc-retry", kind: "piston", url: "http://trc-retry-ok.piston.test", maxConcurrency: 20 });
  await admin("/v1/admin/backends", { id: "trc-retry-bad", regionId: "trc-retry", kind: "piston", url: "http://trc-retry-bad.piston.test", maxConcurrency: 20 });
});

describe("trace context through a Durable Object to a remote backend", () => {
  it("records the lease on both sides of the RegionPool call and the backend call, in the caller's trace", async () => {
    const caller = callerContext();
    const response = await execute(caller.traceparent, "trc-eu");
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Edgebox-Backend")).toBe("trc-eu-a");
    const serverSpanId = parseTraceparentHeader(response.headers.get("traceparent")).spanId;
    await response.body?.cancel();

    const { spans } = await waitForTrace(caller.traceId, complete);
    expect(spans.every((span) => span.traceId === caller.traceId)).toBe(true);
    const server = one(spans, "POST /api/v2/execute", "server");
    expect(server.spanId).toBe(serverSpanId);
    expect(server.attributes).toMatchObject({ "http.route": "/api/v2/execute", "edgebox.region": "trc-eu", "edgebox.backend": "trc-eu-a" });
    const route = one(spans, "execution.route");
    expect(route.parentSpanId).toBe(server.spanId);
    expect(route.attributes).toMatchObject({ "edgebox.runtime.language": "python", "edgebox.region": "trc-eu", "edgebox.backend": "trc-eu-a", "edgebox.attempts": 1 });

    // Worker → Durable Object: the object's server span is a child of the Worker's client span.
    const acquireClient = one(spans, "RegionPool.acquire", "client");
    const acquireServer = one(spans, "RegionPool.acquire", "server");
    expect(acquireClient.parentSpanId).toBe(route.spanId);
    expect(acquireServer.parentSpanId).toBe(acquireClient.spanId);
    for (const side of [acquireClient, acquireServer]) {
      expect(side.attributes).toMatchObject({ "rpc.service": "RegionPool", "edgebox.region": "trc-eu", "edgebox.pool.outcome": "leased", "edgebox.backend": "trc-eu-a" });
    }

    // Worker → remote backend.
    const call = one(spans, "POST /api/v2/execute", "client");
    expect(call.parentSpanId).toBe(route.spanId);
    expect(call.attributes).toMatchObject({
      "http.request.method": "POST",
      "url.full": "http://trc-eu-a.piston.test/api/v2/execute",
      "server.address": "trc-eu-a.piston.test",
      "http.response.status_code": 200,
      "edgebox.backend": "trc-eu-a",
      "edgebox.execution.status": "ok",
    });
    expect(call.status.code).toBe("unset");
    expect(JSON.stringify(spans)).not.toContain("secret-stdin");
  });

  it("sends the backend a traceparent in the same trace, naming the client span", async () => {
    const sent: Array<{ url: string; traceparent: string | null }> = [];
    const recordingFetch: typeof fetch = (input, init) => {
      const request = new Request(input, init);
      sent.push({ url: request.url, traceparent: request.headers.get("traceparent") });
      return fetch(request);
    };
    const before = (await (await fetch("http://trc-eu-a.piston.test/__fake/stats")).json()) as { executes: number };

    const topology = await topologyFor(env as unknown as Env, Date.now());
    const runtime = findRuntime("python", "3.12.0", remoteRuntimes(topology.backends))!;
    const program: ProgramToRun = { runtime, files: [{ name: "main.py", content: "print(1)" }], stdin: "", args: [], limits: LIMIT_DEFAULTS };
    const tracer = new Tracer();
    const root = tracer.startSpan("test", null, { kind: "server" });
    const routed = await runInSpan(tracer, root, () =>
      runRouted({ env: env as unknown as Env, waitUntil: () => undefined, fetcher: recordingFetch }, topology, program, { location: {}, pinnedRegionId: "trc-eu" }),
    );
    root.end();
    expect(routed.route.backendId).toBe("trc-eu-a");

    const after = (await (await fetch("http://trc-eu-a.piston.test/__fake/stats")).json()) as { executes: number; lastExecute: { language: string } };
    expect(after.executes).toBe(before.executes + 1);
    expect(after.lastExecute.language).toBe("python");
    expect(sent).toHaveLength(1);
    expect(sent[0].url).toBe("http://trc-eu-a.piston.test/api/v2/execute");
    const received = parseTraceparentHeader(sent[0].traceparent);
    expect(received.traceId).toBe(root.traceId);
    const client = one(tracer.take(), "POST /api/v2/execute", "client");
    expect(received.spanId).toBe(client.spanId);
  });

  it("shows a retry as one client span per attempt, the failed one an error", async () => {
    await control("trc-retry-bad", { failure: "http503" });
    try {
      let spans: SpanRecord[] = [];
      for (let i = 0; i < 4 && backendCalls(spans).length < 2; i++) {
        const caller = callerContext();
        const response = await execute(caller.traceparent, "trc-retry");
        expect(response.status).toBe(200);
        await response.body?.cancel();
        spans = (await waitForTrace(caller.traceId, complete)).spans;
      }
      const calls = backendCalls(spans);
      expect(calls).toHaveLength(2);
      const [failed, succeeded] = calls;
      expect(failed).toMatchObject({
        status: { code: "error" },
        attributes: { "edgebox.backend": "trc-retry-bad", "error.type": "http", "http.response.status_code": 503, "edgebox.retryable": true },
      });
      expect(failed.events?.[0]).toMatchObject({ name: "exception", attributes: { "exception.type": "BackendError" } });
      expect(succeeded).toMatchObject({ status: { code: "unset" }, attributes: { "edgebox.backend": "trc-retry-ok", "http.response.status_code": 200 } });
      expect(named(spans, "RegionPool.acquire").filter((span) => span.kind === "client").map((span) => span.attributes["edgebox.retry"])).toEqual([false, true]);
      expect(one(spans, "execution.route").attributes["edgebox.attempts"]).toBe(2);
    } finally {
      await control("trc-retry-bad", { failure: "none" });
    }
  });
});
