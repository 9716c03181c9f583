import type { D1Migration } from "cloudflare:test";
import { env as workersEnv, exports as workersExports } from "cloudflare:workers";

/** Bindings that exist only under vitest (see vitest.config.ts). */
export interface TestEnv extends Env {
  TEST_MIGRATIONS: D1Migration[];
  ADMIN_SECRET: string;
}

// `cloudflare:workers` is typed twice (by the generated worker-configuration.d.ts and by the
// workers-types copy drizzle-orm pulls in); name the project's own types explicitly here.
export const env = workersEnv as unknown as TestEnv;
export const worker = (workersExports as unknown as { default: Fetcher }).default;
