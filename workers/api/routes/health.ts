import { Hono } from "hono";
import { executeProgram } from "../../execution/execute-program";
import { findRuntime } from "../../execution/runtime-catalog";
import type { AppEnv } from "../app-env";
import { methodNotAllowed } from "../method-not-allowed";

type CheckStatus = "ok" | "failing";

async function checkDatabase(db: D1Database): Promise<CheckStatus> {
  try {
    const row = await db.prepare("SELECT 1 AS one").first<{ one: number }>();
    return row?.one === 1 ? "ok" : "failing";
  } catch {
    return "failing";
  }
}

/** Runs a tiny known program and checks its output: a sandbox that answers but computes wrong is not ready. */
async function checkSandbox(limits: Parameters<typeof executeProgram>[0]["limits"]): Promise<CheckStatus> {
  const runtime = findRuntime("javascript", "*");
  if (!runtime) return "failing";
  try {
    const result = await executeProgram({
      runtime,
      files: [{ name: "health.js", content: "console.log(6 * 7)" }],
      stdin: "",
      args: [],
      limits,
    });
    return result.status === "ok" && result.stdout === "42\n" ? "ok" : "failing";
  } catch {
    return "failing";
  }
}

/** `GET /v1/health`: 200 when the service can serve executions, 503 (same body) when it cannot. */
export function healthRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/", async (c) => {
    const [database, sandbox] = await Promise.all([
      checkDatabase(c.env.DB),
      checkSandbox(c.get("config").limitDefaults),
    ]);
    const healthy = database === "ok" && sandbox === "ok";
    return c.json(
      { status: healthy ? "ok" : "unavailable", checks: { database, sandbox }, time: new Date().toISOString() },
      healthy ? 200 : 503,
    );
  });
  app.all("/", methodNotAllowed("GET"));
  return app;
}
