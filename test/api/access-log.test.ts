import { afterEach, describe, expect, it, vi } from "vitest";
import { callWithVars } from "../helpers/http";

// The access log (ACCESS_LOG, README "Configuration"): one JSON line per logged request, written by
// the request-context middleware once the response is final.

interface LogLine {
  level: string;
  message: string;
  requestId?: string;
  method?: string;
  path?: string;
  status?: number;
  durationMs?: number;
}

/** The access-log lines written while `send` runs (other log lines are ignored). */
async function accessLines(send: () => Promise<Response>): Promise<{ response: Response; lines: LogLine[] }> {
  const spy = vi.spyOn(console, "log").mockImplementation(() => undefined);
  const response = await send();
  await response.arrayBuffer();
  const lines = spy.mock.calls
    .map(([line]) => {
      try {
        return JSON.parse(String(line)) as LogLine;
      } catch {
        return null;
      }
    })
    .filter((line): line is LogLine => line !== null && line.message === "request");
  spy.mockRestore();
  return { response, lines };
}

afterEach(() => vi.restoreAllMocks());

describe("access log", () => {
  it("by default logs a failed request with its status and request id, and not a successful one", async () => {
    const ok = await accessLines(() => callWithVars({ ENVIRONMENT: "development" }, "/"));
    expect(ok.response.status).toBe(200);
    expect(ok.lines).toEqual([]);

    const missing = await accessLines(() => callWithVars({ ENVIRONMENT: "development" }, "/no-such-route", { headers: { "x-request-id": "req-access-log-1" } }));
    expect(missing.response.status).toBe(404);
    expect(missing.lines).toHaveLength(1);
    expect(missing.lines[0]).toMatchObject({ level: "info", requestId: "req-access-log-1", method: "GET", path: "/no-such-route", status: 404 });
    expect(missing.lines[0].durationMs).toBeGreaterThanOrEqual(0);
  });

  it("logs every request with ACCESS_LOG=all and none with ACCESS_LOG=off", async () => {
    const all = await accessLines(() => callWithVars({ ENVIRONMENT: "development", ACCESS_LOG: "all" }, "/"));
    expect(all.lines).toHaveLength(1);
    expect(all.lines[0]).toMatchObject({ level: "info", method: "GET", path: "/", status: 200 });

    const off = await accessLines(() => callWithVars({ ENVIRONMENT: "development", ACCESS_LOG: "off" }, "/no-such-route"));
    expect(off.response.status).toBe(404);
    expect(off.lines).toEqual([]);
  });
});
