import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";

// The dashboard's page and files, served by the Worker (workers/api/routes/dashboard.ts). The page
// itself is driven in a real browser by test/e2e/dashboard.test.ts.

describe("GET /dashboard/", () => {
  it("redirects /dashboard to /dashboard/, keeping the query", async () => {
    const response = await call("/dashboard?interval=2&minutes=60", { redirect: "manual" });
    expect(response.status).toBe(308);
    expect(response.headers.get("location")).toBe("/dashboard/?interval=2&minutes=60");
  });

  it("serves the page and its files with their types and a strict Content-Security-Policy", async () => {
    const expected: Record<string, { type: RegExp; contains: string }> = {
      "": { type: /^text\/html/, contains: 'src="dashboard.js"' },
      "index.html": { type: /^text\/html/, contains: 'href="dashboard.css"' },
      "dashboard.css": { type: /^text\/css/, contains: "{" },
      "dashboard.js": { type: /^text\/javascript/, contains: "/v1/metrics" },
    };
    for (const [file, { type, contains }] of Object.entries(expected)) {
      const response = await call(`/dashboard/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers.get("content-type"), file).toMatch(type);
      expect(response.headers.get("content-security-policy"), file).toContain("default-src 'none'; script-src 'self'");
      expect(response.headers.get("x-content-type-options"), file).toBe("nosniff");
      expect(response.headers.get("cache-control"), file).toBe("no-cache");
      expect(await response.text(), file).toContain(contains);
    }
  });

  it("answers unknown files with the API's JSON 404 and other methods with 405", async () => {
    const missing = await call("/dashboard/../wrangler.toml");
    expect(missing.status).toBe(404);
    const unknown = await call("/dashboard/secrets.json");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "not_found" } });
    const post = await call("/dashboard/", { method: "POST" });
    expect(post.status).toBe(405);
    expect(await post.json()).toMatchObject({ error: { code: "method_not_allowed" } });
  });
});
