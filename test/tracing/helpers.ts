import { expect } from "vitest";
import type { SpanRecord } from "../../workers/tracing/span";
import { ADMIN, BASE } from "../helpers/http";
import { worker } from "../helpers/bindings";

export interface TraceView {
  traceId: string;
  spans: SpanRecord[];
}

export const randomHexId = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");

/** A caller's traceparent: a fresh trace id and parent span id. */
export function callerContext(sampled = true) {
  const traceId = randomHexId(16);
  const parentSpanId = randomHexId(8);
  return { traceId, parentSpanId, traceparent: `00-${traceId}-${parentSpanId}-${sampled ? "01" : "00"}` };
}

export async function getTrace(traceId: string): Promise<Response> {
  return worker.fetch(new Request(`${BASE}/v1/traces/${traceId}`, { headers: ADMIN }));
}

/**
 * Spans are flushed after the response (waitUntil), and Durable Objects and consumers flush their
 * own: poll until the trace has what the test waits for.
 */
export async function waitForTrace(traceId: string, ready: (spans: SpanRecord[]) => boolean, timeoutMs = 10_000): Promise<TraceView> {
  const deadline = Date.now() + timeoutMs;
  let last: TraceView | null = null;
  for (;;) {
    const response = await getTrace(traceId);
    if (response.status === 200) {
      last = (await response.json()) as TraceView;
      if (ready(last.spans)) return last;
    } else {
      await response.body?.cancel();
    }
    if (Date.now() > deadline) {
      expect.fail(`trace ${traceId} not complete after ${timeoutMs} ms; spans: ${JSON.stringify(last?.spans.map((span) => span.name) ?? null)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const named = (spans: SpanRecord[], name: string) => spans.filter((span) => span.name === name);
export const one = (spans: SpanRecord[], name: string, kind?: SpanRecord["kind"]) => {
  const found = spans.filter((span) => span.name === name && (kind === undefined || span.kind === kind));
  expect(found, `exactly one ${kind ?? ""} span "${name}" in ${JSON.stringify(spans.map((span) => `${span.kind}:${span.name}`))}`).toHaveLength(1);
  return found[0];
};

export function parseTraceparentHeader(value: string | null) {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/.exec(value ?? "");
  expect(match, `a version-00 traceparent, got ${value}`).not.toBeNull();
  return { traceId: match![1], spanId: match![2], sampled: match![3] === "01" };
}
