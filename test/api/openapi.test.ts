import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";

describe("GET /openapi.json", () => {
  it("documents every public route from the zod schemas", async () => {
    const response = await call("/openapi.json");
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> } }>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v2/execute",
        "/api/v2/runtimes",
        "/v1/executions",
        "/v1/runtimes",
        "/v1/health",
        "/v1/cache/invalidate",
        "/v1/cache/stats",
        "/v1/cache/settings",
      ]),
    );
    const piston = doc.paths["/api/v2/execute"].post.requestBody!.content["application/json"].schema;
    expect(Object.keys(piston.properties)).toEqual(expect.arrayContaining(["language", "version", "files", "stdin", "args", "run_timeout"]));
    expect(piston.required).toEqual(expect.arrayContaining(["language", "version", "files"]));
    const native = doc.paths["/v1/executions"].post.requestBody!.content["application/json"].schema;
    expect(Object.keys(native.properties)).toEqual(expect.arrayContaining(["language", "code", "files", "limits"]));
  });
});
