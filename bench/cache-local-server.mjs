// Starts `wrangler dev` for the cache benchmark and checks: fresh (or given) local state, migrations
// applied, a free port, its own process group so stopping it reaches workerd too. Small on purpose;
// bench/run.mjs has the full-featured harness for the general benchmark.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import { freePort } from "./free-port.mjs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };
const READY_TIMEOUT_MS = 120_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function wrangler(args) {
  const bin = path.join(path.dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");
  return [bin, ...args];
}

/** Applies the D1 migrations to the local state in `persistTo` (as `npm start` does). */
export function applyMigrations(persistTo) {
  execFileSync(process.execPath, wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]), {
    cwd: ROOT,
    env: WRANGLER_ENV,
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 120_000,
  });
}

/**
 * `wrangler dev` in development mode (keyless requests act as the anonymous tenant) on a free port,
 * with `persistTo` as its local state; output goes to `logFile`. Resolves once GET /v1/health is 200.
 */
export async function startWranglerDev({ persistTo, logFile, vars = {} }) {
  const port = await freePort();
  const inspectorPort = await freePort();
  const varArgs = Object.entries({ ENVIRONMENT: "development", ...vars }).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const log = openSync(logFile, "w");
  const child = spawn(
    process.execPath,
    wrangler(["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort), "--persist-to", persistTo, "--show-interactive-dev-session=false", ...varArgs]),
    { cwd: ROOT, env: WRANGLER_ENV, detached: true, stdio: ["ignore", log, log] },
  );
  closeSync(log);
  let exited = null;
  child.on("exit", (code, signal) => (exited = { code, signal }));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    for (const signal of ["SIGTERM", "SIGKILL"]) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        return;
      }
      for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
      if (exited !== null) return;
    }
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`wrangler dev exited early (${JSON.stringify(exited)}); see ${logFile}`);
    try {
      const response = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(5_000) });
      if (response.status === 200) return { url, port, pid: child.pid, stop };
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  await stop();
  throw new Error(`wrangler dev was not ready within ${READY_TIMEOUT_MS} ms; see ${logFile}`);
}
