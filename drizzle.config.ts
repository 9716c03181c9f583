import { defineConfig } from "drizzle-kit";

// Only `drizzle-kit generate` is used: it writes SQL migrations into the folder wrangler applies.
export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/db/schema.ts",
  out: "./migrations",
});
