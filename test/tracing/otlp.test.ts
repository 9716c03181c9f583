import { describe, expect, it } from "vitest";
import { readTracingConfig, sampledByRatio } from "../../workers/tracing/config";
import { encodeOtlp, resourceAttributes, unixNanos } from "../../workers/tracing/otlp";
import type { SpanRecord } from "../../workers/tracing/span";
import { inSpan, runInSpan, startSpan, Tracer } from "../../workers/tracing/tracer";
import { callWithVars } from "../helpers/http";
import { callerContext, parseTraceparentHeader } from "./helpers";

// OTLP/HTTP JSON: the encoding is checked against the shape of opentelemetry-proto's
// ExportTraceServiceRequest in its JSON mapping (hex ids, enums as integers, 64-bit integers as
// decimal strings), and the export is observed at a capturing receiver (<name>.receiver.test,
// vitest.config.ts) when OTEL_EXPORTER_OTLP_ENDPOINT is set.

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const UINT = /^\d+$/;

function checkKeyValues(list: unknown, where: string): Map<string, unknown> {
  expect(Array.isArray(list), `${where}: attributes is a list`).toBe(true);
  const seen = new Map<string, unknown>();
  for (const entry of list as Array<Record<string, unknown>>) {
    expect(Object.keys(entry).sort(), `${where}: {key, value}`).toEqual(["key", "value"]);
    expect(typeof entry.key).toBe("string");
    const value = entry.value as Record<string, unknown>;
    const kinds = Object.keys(value);
    expect(kinds, `${where}.${entry.key}: exactly one value field`).toHaveLength(1);
    const [kind] = kinds;
    const v = value[kind];
    if (kind === "stringValue") expect(typeof v).toBe("string");
    else if (kind === "intValue") expect(v).toMatch(/^-?\d+$/);
    else if (kind === "doubleValue") expect(typeof v).toBe("number");
    else if (kind === "boolValue") expect(typeof v).toBe("boolean");
    else expect.fail(`${where}.${entry.key}: unexpected value kind ${kind}`);
    expect(seen.has(entry.key as string), `${where}: duplicate key ${entry.key}`).toBe(false);
    seen.set(entry.key as string, v);
  }
  return seen;
}

/** Validates an ExportTraceServiceRequest in OTLP JSON; returns its spans. */
function checkOtlpTraces(body: unknown): Array<Record<string, unknown>> {
  const request = body as { resourceSpans: Array<{ resource: { attributes: unknown }; scopeSpans: Array<{ scope: { name: string }; spans: Array<Record<string, unknown>> }> }> };
  expect(Array.isArray(request.resourceSpans)).toBe(true);
  const spans: Array<Record<string, unknown>> = [];
  for (const resourceSpans of request.resourceSpans) {
    const resource = checkKeyValues(resourceSpans.resource.attributes, "resource");
    expect(typeof resource.get("service.name")).toBe("string");
    for (const scopeSpans of resourceSpans.scopeSpans) {
      expect(typeof scopeSpans.scope.name).toBe("string");
      for (const span of scopeSpans.spans) {
        expect(span.traceId).toMatch(HEX32);
        expect(span.spanId).toMatch(HEX16);
        if ("parentSpanId" in span) expect(span.parentSpanId).toMatch(HEX16);
        expect(typeof span.name).toBe("string");
        expect([1, 2, 3, 4, 5]).toContain(span.kind);
        expect(span.startTimeUnixNano).toMatch(UINT);
        expect(span.endTimeUnixNano).toMatch(UINT);
        expect(BigInt(span.endTimeUnixNano as string) >= BigInt(span.startTimeUnixNano as string)).toBe(true);
        checkKeyValues(span.attributes, `span ${span.name}`);
        const status = span.status as { code: number; message?: string };
        expect([0, 1, 2]).toContain(status.code);
        for (const event of (span.events as Array<Record<string, unknown>> | undefined) ?? []) {
          expect(event.timeUnixNano).toMatch(UINT);
          expect(typeof event.name).toBe("string");
          checkKeyValues(event.attributes, `event ${event.name}`);
        }
        for (const link of (span.links as Array<Record<string, unknown>> | undefined) ?? []) {
          expect(link.traceId).toMatch(HEX32);
          expect(link.spanId).toMatch(HEX16);
        }
        spans.push(span);
      }
    }
  }
  return spans;
}

function attribute(span: Record<string, unknown>, key: string): unknown {
  const found = (span.attributes as Array<{ key: string; value: Record<string, unknown> }>).find((entry) => entry.key === key);
  return found ? Object.values(found.value)[0] : undefined;
}

describe("OTLP/HTTP JSON encoding", () => {
  it("encodes spans as a valid ExportTraceServiceRequest", async () => {
    const tracer = new Tracer();
    const root = tracer.startSpan("GET /v1/thing", null, { kind: "server", attributes: { "http.request.method": "GET", "http.response.status_code": 200 } });
    await runInSpan(tracer, root, async () => {
      await inSpan("work", { kind: "internal", attributes: { ratio: 0.25, cached: false } }, async () => undefined);
      await inSpan("fails", { kind: "client" }, async () => {
        throw new TypeError("boom");
      }).catch(() => undefined);
      startSpan("send q", { kind: "producer", links: [{ traceId: "a".repeat(32), spanId: "b".repeat(16) }] }).end();
    });
    const consumer = tracer.startSpan("process q", { traceId: root.traceId, spanId: root.spanId, sampled: true }, { kind: "consumer" });
    consumer.setStatus("ok").end();
    root.end();
    const records = tracer.take();
    const encoded = encodeOtlp(records, resourceAttributes({ serviceName: "edgebox", environment: "development" }));
    // What is sent is JSON as is: no BigInt, no undefined.
    expect(JSON.parse(JSON.stringify(encoded))).toEqual(encoded);
    const spans = checkOtlpTraces(encoded);
    expect(spans.map((span) => [span.name, span.kind])).toEqual([
      ["work", 1],
      ["fails", 3],
      ["send q", 4],
      ["process q", 5],
      ["GET /v1/thing", 2],
    ]);
    const byName = new Map(spans.map((span) => [span.name as string, span]));
    const server = byName.get("GET /v1/thing")!;
    expect(server.parentSpanId).toBeUndefined();
    expect(server.traceId).toBe(root.traceId);
    expect(attribute(server, "http.response.status_code")).toBe("200");
    expect(attribute(byName.get("work")!, "ratio")).toBe(0.25);
    expect(attribute(byName.get("work")!, "cached")).toBe(false);
    expect(byName.get("work")!.parentSpanId).toBe(root.spanId);
    expect(byName.get("fails")!.status).toEqual({ code: 2, message: "boom" });
    expect((byName.get("fails")!.events as Array<{ name: string }>)[0].name).toBe("exception");
    expect(byName.get("send q")!.links).toEqual([{ traceId: "a".repeat(32), spanId: "b".repeat(16), attributes: [] }]);
    expect(byName.get("process q")!.status).toEqual({ code: 1 });
    const record = records.find((span) => span.name === "GET /v1/thing")!;
    expect(server.startTimeUnixNano).toBe(`${record.startTime}000000`);
    const resource = encoded.resourceSpans[0].resource.attributes;
    expect(resource).toContainEqual({ key: "service.name", value: { stringValue: "edgebox" } });
    expect(encoded.resourceSpans[0].scopeSpans[0].scope.name).toBe("edgebox");
  });

  it("writes times as Unix nanoseconds without losing precision", () => {
    expect(unixNanos(1_700_000_000_123)).toBe("1700000000123000000");
    expect(unixNanos(1_700_000_000_123.456)).toBe("1700000000123456000");
  });
});

describe("tracing configuration", () => {
  it("reads the OTLP endpoint, headers and sampler the way OpenTelemetry names them", () => {
    expect(readTracingConfig({}).otlpTracesUrl).toBeNull();
    expect(readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector.example:4318/" }).otlpTracesUrl).toBe("https://collector.example:4318/v1/traces");
    expect(
      readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://a.example", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://b.example/custom" }).otlpTracesUrl,
    ).toBe("https://b.example/custom");
    expect(readTracingConfig({ OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=abc%20def, authorization=Bearer t=1,broken" }).otlpHeaders).toEqual({
      "x-api-key": "abc def",
      authorization: "Bearer t=1",
    });
    expect(readTracingConfig({ OTEL_TRACES_SAMPLER_ARG: "0.25" }).sampleRatio).toBe(0.25);
    expect(readTracingConfig({ OTEL_TRACES_SAMPLER_ARG: "nonsense" }).sampleRatio).toBe(1);
  });

  it("samples new traces by trace id, deterministically", () => {
    const ids = Array.from({ length: 2000 }, () => crypto.randomUUID().replace(/-/g, ""));
    expect(ids.every((id) => sampledByRatio(id, 1))).toBe(true);
    expect(ids.some((id) => sampledByRatio(id, 0))).toBe(false);
    const share = ids.filter((id) => sampledByRatio(id, 0.25)).length / ids.length;
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.32);
    expect(ids.map((id) => sampledByRatio(id, 0.5))).toEqual(ids.map((id) => sampledByRatio(id, 0.5)));
  });

  it("applies the sampler to new traces only; a caller's decision stands", async () => {
    const fresh = await callWithVars({ OTEL_TRACES_SAMPLER_ARG: "0" }, "/v1/runtimes");
    expect(parseTraceparentHeader(fresh.headers.get("traceparent")).sampled).toBe(false);
    const caller = callerContext();
    const continued = await callWithVars({ OTEL_TRACES_SAMPLER_ARG: "0" }, "/v1/runtimes", { headers: { traceparent: caller.traceparent } });
    expect(parseTraceparentHeader(continued.headers.get("traceparent"))).toMatchObject({ traceId: caller.traceId, sampled: true });
  });
});

describe("OTLP export", () => {
  const receiver = (name: string) => `http://${name}.receiver.test`;
  async function exported(name: string, traceId: string): Promise<{ headers: Record<string, string>; path: string; method: string; body: string }> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const received = (await (await fetch(`${receiver(name)}/__receiver/requests`)).json()) as Array<{ headers: Record<string, string>; path: string; method: string; body: string }>;
      const found = received.find((request) => request.body.includes(traceId));
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return expect.fail(`nothing with trace ${traceId} was exported to ${name}`);
  }

  it("POSTs the request's spans as OTLP/HTTP JSON to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces", async () => {
    const caller = callerContext();
    const response = await callWithVars(
      { OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver("otlp-export")}/`, OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=otlp-secret" },
      "/v1/executions",
      {
        method: "POST",
        headers: { "content-type": "application/json", traceparent: caller.traceparent },
        body: JSON.stringify({ language: "javascript", code: "console.log(1)", cache: "bypass" }),
      },
    );
    expect(response.status).toBe(200);
    const request = await exported("otlp-export", caller.traceId);
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v1/traces");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["x-api-key"]).toBe("otlp-secret");
    const spans = checkOtlpTraces(JSON.parse(request.body));
    // One batch per request: the server span and its children together.
    expect(spans.map((span) => span.name).sort()).toEqual(["POST /v1/executions", "execution.route", "sandbox.execute"]);
    expect(spans.every((span) => span.traceId === caller.traceId)).toBe(true);
    const server = spans.find((span) => span.kind === 2)!;
    expect(server.parentSpanId).toBe(caller.parentSpanId);
    expect(server.spanId).toBe(parseTraceparentHeader(response.headers.get("traceparent")).spanId);
    expect(attribute(server, "http.route")).toBe("/v1/executions");
  });

  it("never fails or delays the response when the receiver fails", async () => {
    await fetch(`${receiver("otlp-down")}/__receiver/control`, { method: "POST", body: JSON.stringify({ status: 503 }) });
    const caller = callerContext();
    const response = await callWithVars({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver("otlp-down") }, "/v1/runtimes", { headers: { traceparent: caller.traceparent } });
    expect(response.status).toBe(200);
    await exported("otlp-down", caller.traceId);
  });
});

describe("tracer", () => {
  it("hands out no-op spans when no tracer is active: nothing recorded, nothing propagated", async () => {
    const span = startSpan("orphan", { kind: "client" });
    expect(span.recording).toBe(false);
    expect(span.traceparent()).toBeUndefined();
    expect(span.headers()).toEqual({});
    expect(await inSpan("orphan", {}, async (inner) => inner.traceparent())).toBeUndefined();
  });

  it("keeps spans bounded and hands spans that end after close to the late handler", async () => {
    const tracer = new Tracer(3);
    const root = tracer.startSpan("root", null);
    const late: SpanRecord[] = [];
    let lingering: ReturnType<typeof startSpan> | undefined;
    runInSpan(tracer, root, () => {
      for (let i = 0; i < 5; i++) startSpan(`child ${i}`).setAttribute("n", i).setAttribute("skip", null).end();
      lingering = startSpan("background");
    });
    expect(tracer.dropped).toBe(2);
    root.end();
    expect(tracer.close((records) => late.push(...records)).map((span) => span.name)).toEqual(["child 0", "child 1", "child 2"]);
    lingering!.end();
    lingering!.end();
    expect(late.map((span) => span.name)).toEqual(["background"]);
    expect(late[0].parentSpanId).toBe(root.spanId);
  });

  it("caps attributes and truncates long strings", () => {
    const tracer = new Tracer();
    const span = tracer.startSpan("big", null);
    for (let i = 0; i < 100; i++) span.setAttribute(`k${i}`, i);
    span.setAttribute("k0", "x".repeat(5000));
    span.end();
    const [record] = tracer.take();
    expect(Object.keys(record.attributes)).toHaveLength(64);
    expect((record.attributes.k0 as string).length).toBe(1024);
  });
});
