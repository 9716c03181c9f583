import { clearKeyCache } from "../../workers/api/middleware/authenticate";
import { env } from "../helpers/bindings";
import { describe, expect, it } from "vitest";
import { call, callWithVars, postJson } from "../helpers/http";

interface Envelope {
  message: string;
  error: { code: string; status: number; message: string; request_id: string; details?: unknown[] };
}

async function envelope(response: Response): Promise<Envelope> {
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await response.json()) as Envelope;
  expect(body.error.request_id).toBe(response.headers.get("x-request-id"));
  expect(body.error.status).toBe(response.status);
  expect(body.message).toBe(body.error.message);
  return body;
}

describe("the error envelope", () => {
  it("404 for unknown routes", async () => {
    const response = await call("/nope");
    expect(response.status).toBe(404);
    expect((await envelope(response)).error.code).toBe("not_found");
  });

  it.each([
    ["GET", "/v1/executions", "POST"],
    ["DELETE", "/api/v2/execute", "POST"],
    ["POST", "/api/v2/runtimes", "GET, HEAD"],
    ["PUT", "/v1/health", "GET, HEAD"],
  ])("405 for %s %s with Allow", async (method, path, allow) => {
    const response = await call(path, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe(allow);
    expect((await envelope(response)).error.code).toBe("method_not_allowed");
  });

  it("415 for a body that is not declared JSON", async () => {
    const response = await call("/v1/executions", { method: "POST", body: "language=js" , headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(response.status).toBe(415);
    expect((await envelope(response)).error.code).toBe("unsupported_media_type");
  });

  it("413 for a body over the cap, by Content-Length", async () => {
    const big = JSON.stringify({ language: "js", code: "x".repeat(Number(env.MAX_BODY_BYTES) + 10) });
    const response = await postJson("/v1/executions", big);
    expect(response.status).toBe(413);
    expect((await envelope(response)).error.code).toBe("payload_too_large");
  });

  it("413 for a streamed body over the cap without Content-Length", async () => {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    const total = Number(env.MAX_BODY_BYTES) + chunk.length;
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await call("/v1/executions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      // @ts-expect-error: workerd needs duplex for streamed request bodies
      duplex: "half",
    });
    expect(response.status).toBe(413);
  });

  it("400 for malformed JSON", async () => {
    const response = await postJson("/v1/executions", '{"language": "js",');
    expect(response.status).toBe(400);
    const body = await envelope(response);
    expect(body.error.code).toBe("invalid_json");
    expect(body.message).toMatch(/not valid JSON/);
  });

  it("400 for bytes that are not UTF-8", async () => {
    const response = await call("/v1/executions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    });
    expect(response.status).toBe(400);
    expect((await envelope(response)).message).toBe("request body is not valid UTF-8");
  });

  it("400 for an empty body and for JSON that is not an object", async () => {
    expect((await postJson("/v1/executions", "")).status).toBe(400);
    const response = await postJson("/api/v2/execute", "[1,2]");
    expect(response.status).toBe(400);
    expect((await envelope(response)).message).toBe("request body must be a JSON object");
  });

  it("500 hides internals but keeps the request id", async () => {
    clearKeyCache();
    await env.DB.exec("DROP TABLE api_keys");
    const response = await callWithVars({ ENVIRONMENT: "production" }, "/v1/executions", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer ebx_00000000000000000000000000000000" },
      body: JSON.stringify({ language: "js", code: "1" }),
    });
    expect(response.status).toBe(500);
    const body = await envelope(response);
    expect(body.error.code).toBe("internal_error");
    expect(body.error.request_id).toMatch(/\S/);
    // The request id is random hex and may contain "d1" by chance: check everything but it.
    const { request_id: _requestId, ...rest } = body.error;
    expect(JSON.stringify({ ...body, error: rest })).not.toMatch(/api_keys|SQL|D1/i);
  });
});

describe("request id and trace context", () => {
  it("echoes a caller's X-Request-Id and continues its trace", async () => {
    const response = await call("/v1/runtimes", {
      headers: { "x-request-id": "client-42", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
    });
    expect(response.headers.get("x-request-id")).toBe("client-42");
    expect(response.headers.get("traceparent")).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(response.headers.get("traceparent")).not.toContain("00f067aa0ba902b7");
  });

  it("mints both when the caller sends none", async () => {
    const response = await call("/v1/runtimes");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("traceparent")).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
