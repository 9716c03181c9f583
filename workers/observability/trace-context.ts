// W3C Trace Context (https://www.w3.org/TR/trace-context/): parse an incoming `traceparent`,
// continue its trace with a new span of our own, or start a new trace when it is absent/invalid.

export interface TraceContext {
  traceId: string; // 32 lowercase hex
  spanId: string; // 16 lowercase hex: this service's span
  parentSpanId: string | null; // the caller's span, when the request carried one
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZERO = /^0+$/;

export interface ParsedTraceparent {
  traceId: string;
  parentSpanId: string;
  flags: number;
}

/** Returns null for anything the spec says to ignore (bad shape, version ff, all-zero ids). */
export function parseTraceparent(header: string | null | undefined): ParsedTraceparent | null {
  if (!header) return null;
  const match = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!match) return null;
  const [, version, traceId, parentSpanId, flags, rest] = match;
  if (version === "ff") return null;
  // Version 00 has exactly four fields; later versions may append more.
  if (version === "00" && rest !== undefined) return null;
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(parentSpanId)) return null;
  return { traceId, parentSpanId, flags: parseInt(flags, 16) };
}

export function randomHex(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buffer, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Continue the caller's trace (new span id) or start a fresh, sampled one. */
export function startServerSpan(header: string | null | undefined): TraceContext {
  const parent = parseTraceparent(header);
  if (parent) {
    return {
      traceId: parent.traceId,
      spanId: randomHex(8),
      parentSpanId: parent.parentSpanId,
      sampled: (parent.flags & 1) === 1,
    };
  }
  return { traceId: randomHex(16), spanId: randomHex(8), parentSpanId: null, sampled: true };
}

export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.sampled ? "01" : "00"}`;
}
