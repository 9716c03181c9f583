import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Two projects:
// - workers: every test under test/ except e2e runs inside workerd with the bindings from
//   wrangler.toml. D1 migrations are read here (Node side) from the same folder wrangler uses and
//   applied by test/setup/apply-migrations.ts.
// - e2e: Node-side tests that start `wrangler dev` and talk to it over real HTTP.

// Outbound fetches from the Worker under test (e.g. Sentry reports) never leave the machine: they
// land here, and tests read what was sent from http://outbound.test/captured.
const captured: Array<{ url: string; method: string; body: string }> = [];
async function outboundService(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.hostname === "outbound.test" && url.pathname === "/captured") {
    return Response.json(captured.splice(0));
  }
  captured.push({ url: request.url, method: request.method, body: await request.text() });
  return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    test: {
      // Request logs are JSON lines on stdout; show them only for failing tests.
      silent: "passed-only" as const,
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                outboundService,
                // Tests run as local development does (anonymous dev tenant); production mode is
                // tested by overriding ENVIRONMENT per request (test/helpers/http.ts).
                bindings: { TEST_MIGRATIONS: migrations, ADMIN_SECRET: "test-admin-secret", ENVIRONMENT: "development" },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/**/*.test.ts"],
            exclude: ["test/e2e/**"],
            setupFiles: ["./test/setup/apply-migrations.ts"],
            testTimeout: 30_000,
            hookTimeout: 30_000,
          },
        },
        {
          test: {
            name: "e2e",
            include: ["test/e2e/**/*.test.ts"],
            environment: "node",
            testTimeout: 60_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  };
});
