import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Every test runs inside workerd with the bindings from wrangler.toml. The D1 migrations are read
// here (Node side) from the same folder wrangler uses and applied by test/setup/apply-migrations.ts.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // Tests run as local development does (anonymous dev tenant); production mode is tested
          // by overriding ENVIRONMENT per request (test/helpers/http.ts).
          bindings: { TEST_MIGRATIONS: migrations, ADMIN_SECRET: "test-admin-secret", ENVIRONMENT: "development" },
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup/apply-migrations.ts"],
      // Request logs are JSON lines on stdout; show them only for failing tests.
      silent: "passed-only" as const,
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  };
});
