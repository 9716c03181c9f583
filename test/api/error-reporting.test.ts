import { describe, expect, it } from "vitest";
import { env } from "../helpers/bindings";
import { callWithVars } from "../helpers/http";

const SOURCE_MARKER = "const secretSourceMarker = 'do-not-send'";
const STDIN_MARKER = "stdin-marker-do-not-send";

async function captured(): Promise<Array<{ url: string; body: string }>> {
  return (await fetch("http://outbound.test/captured")).json();
}

async function failingRequest(vars: Record<string, string>) {
  await env.DB.exec("DROP TABLE IF EXISTS api_keys");
  return callWithVars(vars, "/v1/executions?token=query-secret", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer ebx_00000000000000000000000000000000", cookie: "session=cookie-secret" },
    body: JSON.stringify({ language: "js", code: SOURCE_MARKER, stdin: STDIN_MARKER }),
  });
}

describe("error reporting (toucan-js)", () => {
  it("stays silent without SENTRY_DSN", async () => {
    await captured();
    const response = await failingRequest({ ENVIRONMENT: "production" });
    expect(response.status).toBe(500);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await captured()).toEqual([]);
  });

  it("reports an unhandled error with its request id and route, and nothing of the program, query, cookies or key", async () => {
    await captured();
    const response = await failingRequest({ ENVIRONMENT: "production", SENTRY_DSN: "https://publickey@sentry.example.test/42" });
    expect(response.status).toBe(500);
    const requestId = response.headers.get("x-request-id")!;
    let events: Array<{ url: string; body: string }> = [];
    for (let attempt = 0; attempt < 50 && events.length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      events = await captured();
    }
    expect(events.length).toBeGreaterThan(0);
    const sent = events.map((event) => event.body).join("\n");
    expect(events[0].url).toContain("sentry.example.test");
    expect(sent).toContain(requestId);
    expect(sent).toContain("/v1/executions");
    for (const secret of ["do-not-send", STDIN_MARKER, "query-secret", "cookie-secret", "ebx_0000"]) {
      expect(sent).not.toContain(secret);
    }
  });
});
