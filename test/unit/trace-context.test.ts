import { describe, expect, it } from "vitest";
import { formatTraceparent, parseTraceparent, startServerSpan } from "../../workers/observability/trace-context";
import { chooseRequestId } from "../../workers/observability/request-id";

const VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("W3C traceparent", () => {
  it("parses a valid header", () => {
    expect(parseTraceparent(VALID)).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      parentSpanId: "00f067aa0ba902b7",
      flags: 1,
    });
  });

  it.each([
    ["garbage"],
    ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7"],
    ["ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
    ["00-00000000000000000000000000000000-00f067aa0ba902b7-01"],
    ["00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"],
    ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"],
    ["00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"],
  ])("rejects %s", (header) => {
    expect(parseTraceparent(header)).toBeNull();
  });

  it("accepts future versions with extra fields", () => {
    expect(parseTraceparent(`01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-ever`)?.traceId).toBe(
      "4bf92f3577b34da6a3ce929d0e0e4736",
    );
  });

  it("continues the caller's trace with a new span", () => {
    const span = startServerSpan(VALID);
    expect(span.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(span.parentSpanId).toBe("00f067aa0ba902b7");
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span.spanId).not.toBe("00f067aa0ba902b7");
    expect(formatTraceparent(span)).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${span.spanId}-01`);
  });

  it("keeps the caller's not-sampled flag", () => {
    const span = startServerSpan("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    expect(formatTraceparent(span).endsWith("-00")).toBe(true);
  });

  it("starts a new trace without a valid header", () => {
    const span = startServerSpan(undefined);
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.parentSpanId).toBeNull();
  });
});

describe("request id", () => {
  it("keeps a safe caller id and replaces unsafe ones", () => {
    expect(chooseRequestId("abc-123_x.y:z")).toBe("abc-123_x.y:z");
    expect(chooseRequestId("bad id with spaces")).toMatch(/^[0-9a-f-]{36}$/);
    expect(chooseRequestId("x".repeat(129))).toMatch(/^[0-9a-f-]{36}$/);
    expect(chooseRequestId(null)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
