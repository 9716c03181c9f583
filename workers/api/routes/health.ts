import { Hono } from "hono";
import { executeProgram } from "../../execution/execute-program";
import { findRuntime } from "../../execution/runtime-catalog";
import { breakerStub } from "../../pools/start-region-pools";
import { topologyFor } from "../../pools/topology-cache";
import type { BackendHealthDetails } from "../../resilience/breaker-protocol";
import type { AppEnv } from "../app-env";
import { buildHealthReport } from "../health-report";
import { methodNotAllowed } from "../method-not-allowed";

type CheckStatus = "ok" | "failing";

/** A breaker that does not answer within this long is reported from the stored topology instead. */
const BREAKER_QUERY_TIMEOUT_MS = 2_000;

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

async function breakerDetails(env: Env, backendId: string): Promise<BackendHealthDetails | undefined> {
  const timeout = new Promise<undefined>((resolve) => setTimeout(resolve, BREAKER_QUERY_TIMEOUT_MS, undefined));
  try {
    return await Promise.race([breakerStub(env, backendId).details() as Promise<BackendHealthDetails>, timeout]);
  } catch {
    return undefined;
  }
}

/**
 * `GET /v1/health`: overall status plus every region and backend (probe, breaker, last probe,
 * latency). 200 while the service can serve executions — the built-in runtime and D1 work — even
 * when remote regions are degraded or critical (that is in the body); 503 when it cannot.
 * `GET /v1/health/ready`: the same readiness as a bare status for load balancers.
 */
export function healthRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/", async (c) => {
    const [database, sandbox, topology] = await Promise.all([
      checkDatabase(c.env.DB),
      checkSandbox(c.get("config").limitDefaults),
      topologyFor(c.env, Date.now()).catch(() => undefined),
    ]);
    const ready = database === "ok" && sandbox === "ok";
    const remote = topology?.backends.filter((backend) => backend.kind === "piston") ?? [];
    const details = new Map(
      await Promise.all(remote.map(async (backend) => [backend.id, await breakerDetails(c.env, backend.id)] as const)),
    );
    const report = topology ? buildHealthReport(topology.regions, topology.backends, (id) => details.get(id)) : undefined;
    return c.json(
      {
        status: ready ? "ok" : "unavailable",
        regionsStatus: report?.status ?? "unknown",
        checks: { database, sandbox },
        regions: report?.regions ?? [],
        time: new Date().toISOString(),
      },
      ready ? 200 : 503,
    );
  });
  app.all("/", methodNotAllowed("GET"));

  app.get("/ready", async (c) => {
    const [database, sandbox] = await Promise.all([checkDatabase(c.env.DB), checkSandbox(c.get("config").limitDefaults)]);
    const ready = database === "ok" && sandbox === "ok";
    return c.json({ ready }, ready ? 200 : 503);
  });
  app.all("/ready", methodNotAllowed("GET"));
  return app;
}
