import { applyD1Migrations } from "cloudflare:test";
import { env } from "../helpers/bindings";

// Storage is isolated per test file; apply the schema to each file's fresh D1 before its tests.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
