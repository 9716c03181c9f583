// The service under test, started as `npm start` starts it: `wrangler dev` in development mode,
// on a fresh local D1 with the migrations applied, in its own process group so it can be stopped
// whole. Shared by `npm run bench` (bench/run.mjs) and `npm run bench:profile` (bench/profile.mjs).

import { closeSync, openSync, readFileSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { listProcesses } from "./proc.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const require = createRequire(import.meta.url);

const MIGRATIONS_TIMEOUT_MS = 120_000;
const READY_TIMEOUT_MS = 90_000;
/** Once the Worker answers, it is loaded: still unhealthy after this long, it is broken. */
const UNHEALTHY_GRACE_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

export const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Node arguments that run the project's own wrangler with `args`. */
export function wranglerArgs(args) {
  return [path.join(path.dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js"), ...args];
}

/** Applies the local D1 migrations into `state`; without them the D1 queries fail. */
export function applyMigrations(state) {
  try {
    execFileSync(process.execPath, wranglerArgs(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state]), {
      cwd: ROOT,
      env: WRANGLER_ENV,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: MIGRATIONS_TIMEOUT_MS,
    });
  } catch (error) {
    throw new Error(`local D1 migrations failed:\n${error.stdout ?? ""}${error.stderr ?? ""}${error.message}`);
  }
}

/**
 * `wrangler dev` as `npm start` runs it (development mode: keyless requests act as the anonymous
 * tenant), plus `vars` ("KEY:VALUE"), on the given ports. It gets its own process group (detached)
 * so that stopping it reaches workerd and esbuild too, and so a Ctrl-C in the terminal reaches only
 * us: we then stop it ourselves. Its output goes straight to `logFile`: reading a log line per
 * request through a pipe would cost the load generator CPU.
 */
export function startDevServer({ port, inspectorPort, state, logFile, vars = [] }) {
  const logFd = openSync(logFile, "w");
  const args = [
    "dev", "--var", "ENVIRONMENT:development", ...vars.flatMap((entry) => ["--var", entry]),
    "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort),
    "--persist-to", state, "--show-interactive-dev-session=false",
  ];
  const child = spawn(process.execPath, wranglerArgs(args), { cwd: ROOT, env: WRANGLER_ENV, detached: true, stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  const server = {
    pgid: child.pid,
    port,
    inspectorPort,
    logFile,
    command: `wrangler dev --var ENVIRONMENT:development ${vars.map((entry) => `--var ${entry} `).join("")}--ip 127.0.0.1 --port <free> --persist-to <fresh state>`,
    exited: null,
    stopped: false,
  };
  child.on("exit", (code, signal) => {
    server.exited = { code, signal };
  });
  child.on("error", (error) => {
    server.exited = { error: error.message };
  });
  return server;
}

/** The last lines of the server's log, for error messages. */
export function logTail(server, lines = 30) {
  try {
    return readFileSync(server.logFile, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no server log)";
  }
}

/** Polls GET /v1/health (which also runs a tiny program through the sandbox) until it answers 200. */
export async function waitReady(server) {
  let deadline = Date.now() + READY_TIMEOUT_MS;
  let last = "no answer";
  let answered = false;
  while (Date.now() < deadline) {
    if (server.exited) throw new Error(`wrangler dev exited (${JSON.stringify(server.exited)}) before it was ready:\n${logTail(server)}`);
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/v1/health`, { signal: AbortSignal.timeout(5_000) });
      const body = await response.text();
      if (response.status === 200) return;
      last = `${response.status} ${body.slice(0, 300)}`;
      if (!answered) deadline = Math.min(deadline, Date.now() + UNHEALTHY_GRACE_MS);
      answered = true;
    } catch (error) {
      last = String(error.cause?.code ?? error.message);
    }
    await sleep(250);
  }
  throw new Error(`GET /v1/health did not answer 200 in time; last answer: ${last}\n${logTail(server)}`);
}

/** SIGTERM to the whole group, then SIGKILL whatever is left; bounded in time. */
export async function stopServer(server) {
  if (!server || server.stopped) return;
  server.stopped = true;
  const alive = (zombies = false) => listProcesses({ zombies }).some((p) => p.pgrp === server.pgid);
  for (const signal of ["SIGTERM", "SIGKILL"]) {
    try {
      process.kill(-server.pgid, signal);
    } catch {
      return; // the group is already gone
    }
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (Date.now() < deadline && alive()) await sleep(100);
    if (!alive()) {
      // workerd's exited processes linger as zombies until init reaps them; give it a moment.
      const reaped = Date.now() + 2_000;
      while (Date.now() < reaped && alive(true)) await sleep(100);
      return;
    }
  }
  console.error(`warning: processes of group ${server.pgid} survived SIGKILL`);
}
