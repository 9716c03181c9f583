#!/usr/bin/env node
// Chaos benchmark (docs/resilience.md#chaos-benchmark):
//   npm run bench:chaos [-- --rate 40 --latency 5 --baseline 15 --one-down 20 --region-down 20 --recovery 25 --steady 15]
// (npm runs the pinned Node 22, which this script needs: it imports the .ts fakes and
// test/e2e/local-server.ts directly, with Node's type stripping.)
//
// One command, one run, every number from that run:
//   1. Three fake Piston v2 servers (test/fakes/fake-piston.ts) in a Node child process of their
//      own, each answering after a fixed --latency (default 5 ms). Two in region `east` (e1, e2),
//      one in region `west` (w1). The child takes commands on stdin, so a fake can be stopped
//      (server closed, open connections destroyed: connection refused from then on) and started
//      again ON THE SAME PORT, so the URL the service stored keeps working.
//   2. The service under `wrangler dev` (test/e2e/local-server.ts: fresh local D1, ENVIRONMENT
//      development, ADMIN_SECRET for the admin API). Regions and backends are created through the
//      admin API, both regions `round_robin`. East is the default region AND the nearer one to the
//      client: requests under `wrangler dev` carry Miniflare's placeholder request.cf (Austin, TX,
//      30.27/-97.74), so they are ranked by distance (east ≈ 2,000 km, west ≈ 2,600 km); without
//      coordinates the default region would rank first. Either way east first, west is the failover.
//   3. Open-loop load: POST /api/v2/execute python 3.12.0 (a runtime only the fakes have) with
//      `Cache-Control: no-store` at a fixed --rate (default 40 req/s), sent on schedule whatever the
//      answers do. Every request is recorded: send time, status, latency, X-Edgebox-Backend,
//      X-Edgebox-Attempts, X-Edgebox-Region, and stdout (the fake's id, then the request's own
//      number sent as stdin: the answer must be for this request and name the backend the header
//      names).
//   4. Phases: warm-up (discarded) → baseline → e1 stopped → e2 stopped too (all of east down) →
//      e1 and e2 started again on their ports → steady. Phases are split at the instant the fakes'
//      process acted, and requests belong to the phase in which they were SENT.
//   5. Meanwhile, once a second: both pools' live view (ejections, breaker views, in-flight,
//      limits), the stored backends (the `healthy` flag the routing view reads) and the fakes' own
//      count of probes received. At the end: every backend's breaker/probe transitions
//      (GET /v1/admin/backends/:id/health), with their timestamps.
//   6. Prints tables and writes bench/results/chaos-latest.json (or --out) with the machine's
//      description. --records FILE also writes every request as NDJSON.
//   With --snapshot (or --rev REV) the service runs from a private `git archive` of HEAD (or REV)
//   with this checkout's node_modules, so edits others make to the checkout meanwhile neither
//   reload the Worker nor end up in the measurement.
//
// Metrics (docs/resilience.md#chaos-benchmark):
//   - client-visible errors: non-200 answers, connection errors/timeouts, and 200s that fail the
//     checks; error rate over all measured phases vs the 0.1 % target.
//   - after a kill at K, over the requests in flight at K or sent after it and answered before the
//     next action: "served elsewhere" = from K to the first send instant after which no request
//     failed or was served by a dead backend (0 when none did); "no failed first attempts" = from K
//     to the last request that needed a retry (X-Edgebox-Attempts > 1: its first attempt went to a
//     dead backend — requests answered before the first kill must need none, which is checked);
//     both vs the 5 s target.
//   - after the restart at R: time to the first request each restarted backend served, and to the
//     last request the failover region served.
//   - per phase: requests, errors, retried requests, p50/p90/p99/max latency (every answer, errors
//     included: the client waited for them too), share per backend.
//
// A run is INVALID (exit 1) when the setup or the preflight fails, when the load generator could
// not keep the schedule (more than MAX_OUTSTANDING requests in flight), when the Worker's sources
// change during the run (wrangler dev would reload the Worker mid-measurement), or when a region
// pool restarts (its snapshot loses its backends: a reload, whatever caused it). A missed target
// does not make a run invalid: the report says FAIL.

import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, watch, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { commandLine, listProcesses, machineBusySeconds } from "./lib/proc.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const DEFAULT_OUT = path.join(ROOT, "bench", "results", "chaos-latest.json");
const require = createRequire(import.meta.url);

const REGIONS = [
  // Ashburn and The Dalles; the client (Miniflare's placeholder request.cf) is in Austin, TX.
  { id: "east", name: "Chaos east", latitude: 39.04, longitude: -77.49, locationHint: "enam", policy: "round_robin", isDefault: true },
  { id: "west", name: "Chaos west", latitude: 45.6, longitude: -121.18, locationHint: "wnam", policy: "round_robin", isDefault: false },
];
const BACKENDS = [
  { id: "e1", regionId: "east" },
  { id: "e2", regionId: "east" },
  { id: "w1", regionId: "west" },
];
/** Far above the load's concurrency: admission never turns a request away (AIMD starts at 10). */
const MAX_CONCURRENCY = 64;
/** The service's own deadline for a 5 s program is 15 s; a request slower than this is an error. */
const REQUEST_TIMEOUT_MS = 20_000;
/** More requests in flight than this and the open loop cannot keep its schedule: the run is invalid. */
const MAX_OUTSTANDING = 200;
const POLL_INTERVAL_MS = 1_000;
const TARGET_ERROR_RATE = 0.001;
const TARGET_MOVED_S = 5;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Options

function readOptions() {
  const { values } = parseArgs({
    options: {
      rate: { type: "string", default: "40" },
      latency: { type: "string", default: "5" },
      warmup: { type: "string", default: "3" },
      baseline: { type: "string", default: "15" },
      "one-down": { type: "string", default: "20" },
      "region-down": { type: "string", default: "20" },
      recovery: { type: "string", default: "25" },
      steady: { type: "string", default: "15" },
      out: { type: "string", default: DEFAULT_OUT },
      records: { type: "string" },
      snapshot: { type: "boolean", default: false },
      rev: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(`usage: npm run bench:chaos -- [options]
  --rate N          requests per second, open loop (default 40)
  --latency MS      fixed delay of every fake backend answer (default 5)
  --warmup S        unmeasured load before the baseline (default 3)
  --baseline S      all backends up (default 15)
  --one-down S      e1 stopped (default 20)
  --region-down S   e1 and e2 stopped: all of east (default 20)
  --recovery S      from restarting e1 and e2 on their ports (default 25)
  --steady S        after the recovery phase (default 15)
  --out FILE        results JSON (default bench/results/chaos-latest.json)
  --records FILE    also write every request as NDJSON
  --snapshot        run the service from a private copy of the committed HEAD (git archive, with
                    this checkout's node_modules), so edits others make to the working tree during
                    the run neither reload the Worker nor end up in the measurement
  --rev REV         with --snapshot (implied): that commit instead of HEAD`);
    process.exit(0);
  }
  const num = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${values[name]}`);
    return n;
  };
  return {
    rate: num("rate", 1),
    latencyMs: num("latency", 0),
    warmupS: num("warmup", 0),
    phasesS: { baseline: num("baseline", 1), oneDown: num("one-down", 1), regionDown: num("region-down", 1), recovery: num("recovery", 1), steady: num("steady", 1) },
    out: path.resolve(values.out),
    records: values.records ? path.resolve(values.records) : null,
    snapshot: values.snapshot || values.rev !== undefined,
    rev: values.rev ?? "HEAD",
  };
}

// ---------------------------------------------------------------------------------------------
// The fakes' process: `node chaos-bench.mjs --serve-fakes '{"ids":[…],"latencyMs":5}'`. Commands
// and answers are JSON lines: {n, cmd: "start"|"stop"|"stats", ids} → {n, ok, began, at, fakes, stats}
// or {n, ok: false, error}. `began`/`at`: epoch ms when the command began / was done (closed, or
// listening again).

async function serveFakes() {
  const { startFakePistonServer } = await import("../test/fakes/serve-fake-piston.ts");
  const { ids, latencyMs } = JSON.parse(process.argv[3]);
  const servers = new Map();
  const ports = new Map();
  const start = async (id) => {
    if (servers.has(id)) return;
    const server = await startFakePistonServer({ id, latencyMs, port: ports.get(id) ?? 0 });
    servers.set(id, server);
    ports.set(id, Number(new URL(server.url).port));
  };
  const stop = async (id) => {
    const server = servers.get(id);
    if (!server) return;
    servers.delete(id);
    await server.close();
  };
  const answer = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
  const fakes = () => ids.map((id) => ({ id, url: `http://127.0.0.1:${ports.get(id)}`, up: servers.has(id) }));

  await Promise.all(ids.map(start));
  answer({ n: 0, ok: true, at: Date.now(), fakes: fakes() });
  const lines = readline.createInterface({ input: process.stdin });
  lines.on("line", async (line) => {
    let command;
    try {
      command = JSON.parse(line);
      // A stop takes effect when it begins (the servers stop accepting at once); a start when it is done.
      const began = Date.now();
      // Both at once: "stop e1 and e2" is one instant, not two.
      if (command.cmd === "start") await Promise.all(command.ids.map(start));
      else if (command.cmd === "stop") await Promise.all(command.ids.map(stop));
      else if (command.cmd !== "stats") throw new Error(`unknown command ${command.cmd}`);
      const at = Date.now();
      const stats = Object.fromEntries([...servers].map(([id, server]) => [id, server.fake.stats()]));
      for (const s of Object.values(stats)) delete s.lastExecute;
      answer({ n: command.n, ok: true, at, began, fakes: fakes(), stats });
    } catch (error) {
      answer({ n: command?.n ?? -1, ok: false, error: String(error?.stack ?? error) });
    }
  });
  const shutdown = async () => {
    await Promise.allSettled([...servers.keys()].map(stop));
    process.exit(0);
  };
  lines.on("close", shutdown); // the parent exited
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", () => {}); // the parent decides when we stop
}

async function startFakes(latencyMs) {
  const child = spawn(process.execPath, [SELF, "--serve-fakes", JSON.stringify({ ids: BACKENDS.map((b) => b.id), latencyMs })], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const waiting = new Map();
  const lines = readline.createInterface({ input: child.stdout });
  let first;
  const ready = new Promise((resolve, reject) => {
    first = resolve;
    child.once("exit", (code) => reject(new Error(`the fakes' process exited (${code})`)));
    setTimeout(() => reject(new Error("the fakes did not start within 15 s")), 15_000).unref();
  });
  lines.on("line", (line) => {
    const message = JSON.parse(line);
    if (message.n === 0) return first(message);
    waiting.get(message.n)?.(message);
    waiting.delete(message.n);
  });
  const hello = await ready;
  let counter = 0;
  const command = (cmd, ids = []) =>
    new Promise((resolve, reject) => {
      const n = ++counter;
      waiting.set(n, (message) => (message.ok ? resolve(message) : reject(new Error(`fakes: ${cmd} ${ids}: ${message.error}`))));
      child.stdin.write(`${JSON.stringify({ n, cmd, ids })}\n`);
    });
  return {
    pid: child.pid,
    fakes: hello.fakes,
    command,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin.end();
      await Promise.race([exited, sleep(3_000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers and the service's topology

async function json(method, url, body, headers = {}) {
  const response = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

async function admin(ctx, method, pathname, body) {
  const response = await json(method, `${ctx.serviceUrl}${pathname}`, body, { authorization: `Bearer ${ctx.adminSecret}` });
  if (response.status >= 300) throw new Error(`${method} ${pathname}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

async function createTopology(ctx) {
  for (const region of REGIONS) await admin(ctx, "POST", "/v1/admin/regions", region);
  const created = [];
  for (const backend of BACKENDS) {
    const fake = ctx.fakes.find((f) => f.id === backend.id);
    const answer = await admin(ctx, "POST", "/v1/admin/backends", {
      id: backend.id, regionId: backend.regionId, kind: "piston", url: fake.url, maxConcurrency: MAX_CONCURRENCY,
    });
    const python = answer.runtimes?.some((runtime) => runtime.language === "python" && runtime.version === "3.12.0");
    if (answer.healthy !== true || !python) throw new Error(`backend ${backend.id} was not probed healthy with python 3.12.0: ${JSON.stringify(answer)}`);
    created.push({ id: answer.id, regionId: answer.regionId, url: answer.url, maxConcurrency: answer.maxConcurrency, healthy: answer.healthy });
  }
  return created;
}

// ---------------------------------------------------------------------------------------------
// One request, recorded

const NO_STORE = { "content-type": "application/json", "cache-control": "no-store" };
const body = (i) => JSON.stringify({ language: "python", version: "3.12.0", files: [{ name: "main.py", content: "print(input())" }], stdin: `${i}\n` });

/** Sends request i and records everything about its answer. Never throws. */
async function sendOne(ctx, i, t0) {
  const sentAt = Date.now();
  const started = performance.now();
  const record = { i, t: sentAt - t0, status: 0, ms: null, backend: null, attempts: 1, region: null, degraded: null, error: null };
  try {
    const response = await fetch(`${ctx.serviceUrl}/api/v2/execute`, { method: "POST", headers: NO_STORE, body: body(i), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    record.ms = performance.now() - started;
    record.status = response.status;
    record.backend = response.headers.get("x-edgebox-backend");
    record.attempts = Number(response.headers.get("x-edgebox-attempts") ?? 1);
    record.region = response.headers.get("x-edgebox-region");
    record.degraded = response.headers.get("x-edgebox-degraded");
    if (response.status !== 200) {
      let message;
      try {
        message = JSON.parse(text).message;
      } catch {
        // not the service's JSON envelope
      }
      record.error = `HTTP ${response.status}: ${message ?? text.slice(0, 300)}`;
    } else {
      const answer = JSON.parse(text);
      const [served, echoed] = String(answer.run?.stdout ?? "").split("\n");
      if (response.headers.get("x-cache") !== "BYPASS") record.error = `X-Cache ${response.headers.get("x-cache")}, expected BYPASS`;
      else if (served !== record.backend) record.error = `stdout names ${JSON.stringify(served)}, X-Edgebox-Backend ${record.backend}`;
      else if (echoed !== String(i)) record.error = `stdout echoes ${JSON.stringify(echoed)}, not this request's ${i}`;
      else if (answer.run.code !== 0 || answer.language !== "python") record.error = `run.code ${answer.run.code}, language ${answer.language}`;
    }
  } catch (error) {
    record.ms = performance.now() - started;
    record.error = `${error.name}: ${error.cause?.code ?? error.cause?.message ?? error.message}`;
  }
  record.ms = Math.round(record.ms * 100) / 100;
  return record;
}

/**
 * Open loop: request i is due at startAt + i / rate, whatever the earlier ones are doing. Runs until
 * stop() is called; returns every record (after the stragglers answered or timed out).
 */
function startLoad(ctx, rate, t0) {
  const records = [];
  const pending = new Set();
  const lateness = [];
  let stopped = false;
  let skipped = 0;
  let i = 0;
  const startAt = performance.now();
  const loop = (async () => {
    while (!stopped) {
      const due = startAt + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (stopped) break;
      lateness.push(performance.now() - due);
      if (pending.size >= MAX_OUTSTANDING) {
        skipped++;
      } else {
        const promise = sendOne(ctx, i, t0).then((record) => {
          records.push(record);
          pending.delete(promise);
        });
        pending.add(promise);
      }
      i++;
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      await Promise.all(pending);
      records.sort((a, b) => a.i - b.i);
      return { records, skipped, lateness };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The service's view, polled once a second

function startPolling(ctx, t0) {
  const samples = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const at = Date.now();
      try {
        const [east, west, stored, fakes] = await Promise.all([
          admin(ctx, "GET", "/v1/admin/regions/east/pool"),
          admin(ctx, "GET", "/v1/admin/regions/west/pool"),
          admin(ctx, "GET", "/v1/admin/backends"),
          ctx.fakesCommand("stats"),
        ]);
        const pools = [...east.backends, ...west.backends];
        samples.push({
          t: at - t0,
          backends: Object.fromEntries(
            BACKENDS.map(({ id }) => {
              const pool = pools.find((b) => b.id === id);
              const row = stored.backends.find((b) => b.id === id);
              return [
                id,
                {
                  healthy: row?.healthy ?? null,
                  breaker: pool?.breaker ?? null,
                  ejectedUntil: pool?.ejectedUntil ? pool.ejectedUntil - t0 : null,
                  inFlight: pool?.inFlight ?? null,
                  limit: pool?.limit ?? null,
                  // The fake's own count of GET /api/v2/runtimes: the service's probes (zeroed by a restart; null while down).
                  probesReceived: fakes.stats[id]?.runtimesCalls ?? null,
                },
              ];
            }),
          ),
        });
      } catch (error) {
        samples.push({ t: at - t0, error: String(error.message ?? error) });
      }
      const wait = at + POLL_INTERVAL_MS - Date.now();
      if (wait > 0) await sleep(wait);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return samples;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Analysis

function percentile(sorted, rank) {
  return sorted.length ? sorted[Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1)] : null;
}

function latencyStats(records) {
  const sorted = Float64Array.from(records.map((r) => r.ms)).sort();
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.length ? sorted[sorted.length - 1] : null };
}

const isError = (r) => r.error !== null;
const round = (n, digits = 2) => (n === null || n === undefined ? null : Math.round(n * 10 ** digits) / 10 ** digits);

/** Runs of times (s) closer than `gapS` to each other: [{fromS, toS, count}]. */
function clusters(timesS, gapS = 1) {
  const out = [];
  for (const t of timesS) {
    const last = out[out.length - 1];
    if (last && t - last.toS <= gapS) {
      last.toS = t;
      last.count++;
    } else out.push({ fromS: t, toS: t, count: 1 });
  }
  return out.map((c) => ({ fromS: round(c.fromS), toS: round(c.toS), count: c.count }));
}

function phaseSummary(phase, records) {
  const byBackend = {};
  for (const r of records) if (!isError(r) && r.backend) byBackend[r.backend] = (byBackend[r.backend] ?? 0) + 1;
  const ok = records.filter((r) => !isError(r)).length;
  const errors = records.filter(isError);
  const retried = records.filter((r) => r.attempts > 1);
  const attempts = {};
  for (const r of records) attempts[r.attempts] = (attempts[r.attempts] ?? 0) + 1;
  return {
    name: phase.name,
    label: phase.label,
    startS: round(phase.startT / 1000),
    durationS: round((phase.endT - phase.startT) / 1000),
    requests: records.length,
    ok,
    errors: errors.length,
    errorRate: records.length ? errors.length / records.length : 0,
    errorSamples: errors.slice(0, 5).map((r) => ({ tS: round((r.t - phase.startT) / 1000), status: r.status, error: r.error })),
    retried: retried.length,
    attempts,
    latencyMs: latencyStats(records),
    retriedLatencyMs: retried.length ? latencyStats(retried) : null,
    byBackend,
    share: Object.fromEntries(BACKENDS.map(({ id }) => [id, ok ? (byBackend[id] ?? 0) / ok : 0])),
    degraded: records.filter((r) => r.degraded).length,
    cpuPercent: phase.cpuPercent ?? null,
  };
}

/**
 * After a kill at `atT` (ms since t0), with `dead` down, until the next action at `nextT`: how long
 * until traffic had moved. Counts the requests the kill could affect and the next action could not:
 * those still in flight at atT or sent after it, answered before nextT.
 */
function failoverMetrics(records, atT, nextT, dead) {
  const after = records.filter((r) => r.t + r.ms >= atT && r.t + r.ms < nextT);
  // A request in flight at the kill may still have been answered by the backend just before it died.
  const servedByDead = (r) => !isError(r) && dead.includes(r.backend) && r.t >= atT;
  const bad = after.filter((r) => isError(r) || servedByDead(r));
  const retried = after.filter((r) => r.attempts > 1);
  const rel = (r) => (r.t - atT) / 1000;
  const interval = after.length > 1 ? (after[after.length - 1].t - after[0].t) / (after.length - 1) / 1000 : 0;
  return {
    requests: after.length,
    clientVisibleErrors: after.filter(isError).length,
    servedByDead: after.filter(servedByDead).length,
    // 0 when every request sent after the kill succeeded elsewhere.
    servedElsewhereAfterS: bad.length ? round(Math.max(0, rel(bad[bad.length - 1]) + interval)) : 0,
    retried: retried.length,
    firstRetryS: retried.length ? round(rel(retried[0])) : null,
    lastRetryS: retried.length ? round(rel(retried[retried.length - 1])) : null,
    // The instant after which no request needed a retry (its first attempt hit a dead backend).
    noFailedFirstAttemptsAfterS: retried.length ? round(Math.max(0, rel(retried[retried.length - 1]) + interval)) : 0,
    retryClusters: clusters(retried.map(rel)),
    maxLatencyMs: after.length ? Math.max(...after.map((r) => r.ms)) : null,
  };
}

/** After the restart at `atT`: when each restarted backend served again, when failover traffic ended. */
function recoveryMetrics(records, atT, restarted, failoverBackends) {
  const after = records.filter((r) => r.t >= atT);
  const rel = (r) => round((r.t - atT) / 1000);
  const firstServedS = {};
  for (const id of restarted) {
    const first = after.find((r) => !isError(r) && r.backend === id);
    firstServedS[id] = first ? rel(first) : null;
  }
  const elsewhere = after.filter((r) => !isError(r) && failoverBackends.includes(r.backend));
  const retried = after.filter((r) => r.attempts > 1);
  return {
    requests: after.length,
    clientVisibleErrors: after.filter(isError).length,
    firstServedS,
    lastServedByFailoverS: elsewhere.length ? rel(elsewhere[elsewhere.length - 1]) : null,
    servedByFailover: elsewhere.length,
    retried: retried.length,
    retryClusters: clusters(retried.map((r) => (r.t - atT) / 1000)),
  };
}

function timeline(records, t0Offset, endT) {
  const buckets = [];
  for (let start = t0Offset; start < endT; start += 1000) {
    const inBucket = records.filter((r) => r.t >= start && r.t < start + 1000);
    const byBackend = {};
    for (const r of inBucket) if (!isError(r)) byBackend[r.backend] = (byBackend[r.backend] ?? 0) + 1;
    const sorted = Float64Array.from(inBucket.map((r) => r.ms)).sort();
    buckets.push({
      s: round(start / 1000, 0),
      sent: inBucket.length,
      errors: inBucket.filter(isError).length,
      retried: inBucket.filter((r) => r.attempts > 1).length,
      byBackend,
      p50Ms: round(percentile(sorted, 50), 1),
      maxMs: round(sorted.length ? sorted[sorted.length - 1] : null, 1),
    });
  }
  return buckets;
}

/** Server-side transitions: breaker/probe events, and ejections / `healthy` flips seen by polling. */
function serverEvents(health, samples, t0) {
  const events = [];
  for (const [id, details] of Object.entries(health)) {
    for (const e of details?.events ?? []) events.push({ tS: round((e.at - t0) / 1000), backend: id, what: `${e.kind} ${e.from} -> ${e.to}`, reason: e.reason });
  }
  const last = {};
  for (const sample of samples) {
    if (!sample.backends) continue;
    for (const [id, view] of Object.entries(sample.backends)) {
      const before = last[id];
      if (before && before.healthy !== view.healthy) events.push({ tS: round(sample.t / 1000), backend: id, what: `stored healthy ${before.healthy} -> ${view.healthy}`, reason: "poll (≤ 1 s late)" });
      if (view.ejectedUntil !== null && before?.ejectedUntil !== view.ejectedUntil) {
        events.push({ tS: round(sample.t / 1000), backend: id, what: `ejected until ${round(view.ejectedUntil / 1000)} s`, reason: "poll (≤ 1 s late)" });
      }
      // Probes that reach a backend still stored unhealthy: the recovery's clock.
      if (view.healthy === false && view.probesReceived !== null && (before?.probesReceived ?? null) !== null && view.probesReceived > before.probesReceived) {
        events.push({ tS: round(sample.t / 1000), backend: id, what: `received ${view.probesReceived - before.probesReceived} probe(s)`, reason: "fake's counter, poll (≤ 1 s late)" });
      }
      if (before && before.probesReceived === null && view.probesReceived !== null) {
        events.push({ tS: round(sample.t / 1000), backend: id, what: `up again, ${view.probesReceived} probe(s) received so far`, reason: "fake's counter, poll (≤ 1 s late)" });
      }
      if (before && before.inFlight !== null && view.inFlight === null) {
        events.push({ tS: round(sample.t / 1000), backend: id, what: "POOL RESTARTED: its view of this backend is gone (leases, limits, ejections, breaker view start over)", reason: "poll (≤ 1 s late)" });
      }
      if (before && before.breaker !== view.breaker) events.push({ tS: round(sample.t / 1000), backend: id, what: `pool's breaker view ${before.breaker} -> ${view.breaker}`, reason: "poll (≤ 1 s late)" });
      last[id] = view;
    }
  }
  return events.sort((a, b) => a.tS - b.tS);
}

/** Times (ms since t0) at which a pool's snapshot lost backends it had: the pool Durable Object restarted. */
function poolRestarts(samples) {
  const times = [];
  let last = null;
  for (const sample of samples) {
    if (!sample.backends) continue;
    if (last && Object.entries(sample.backends).some(([id, view]) => view.inFlight === null && last[id]?.inFlight !== null && last[id] !== undefined)) times.push(sample.t);
    last = sample.backends;
  }
  return times;
}

// ---------------------------------------------------------------------------------------------
// Processes: CPU time (/proc), to show how busy the machine was

/** The process group of the `wrangler dev` listening on `port` (startLocalServer starts it detached). */
function findServerGroup(port) {
  const wrangler = listProcesses().find((p) => p.pid === p.pgrp && / dev /.test(commandLine(p.pid)) && commandLine(p.pid).includes(`--port ${port} `));
  return wrangler?.pgrp ?? null;
}

function cpuSnapshot(ctx) {
  let server = 0;
  let fakes = 0;
  for (const p of listProcesses({ zombies: true })) {
    if (p.pid === ctx.fakesPid) fakes += p.cpuS;
    else if (ctx.serverGroup !== null && p.pgrp === ctx.serverGroup) server += p.cpuS;
  }
  const own = process.cpuUsage();
  return { server, fakes, loadgen: (own.user + own.system) / 1e6, machine: machineBusySeconds(), at: performance.now() };
}

function cpuPercent(before, after) {
  const seconds = (after.at - before.at) / 1000;
  const pct = (key) => round((100 * (after[key] - before[key])) / seconds, 0);
  const out = { server: pct("server"), fakes: pct("fakes"), loadgen: pct("loadgen"), machine: pct("machine") };
  out.other = Math.max(0, out.machine - out.server - out.fakes - out.loadgen);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? "–" : n.toFixed(digits));
const pct = (share, digits = 1) => `${(share * 100).toFixed(digits)}%`;

function machineInfo() {
  const cpus = os.cpus();
  const version = (pkg) => {
    try {
      return require(`${pkg}/package.json`).version;
    } catch {
      return null;
    }
  };
  let commit = null;
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "workers", "durable-objects", "wrangler.toml", "migrations"], { cwd: ROOT, encoding: "utf8" }).trim();
    if (dirty) commit += " (uncommitted changes in workers/, durable-objects/, migrations/ or wrangler.toml)";
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    loadAverageAtStart: os.loadavg().map((n) => round(n)),
    cpuCount: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    wrangler: version("wrangler"),
    commit,
  };
}

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  rows.forEach((row) => console.log(line(row)));
}

const seconds = (s) => (s === null || s === undefined ? "never" : `${fmt(s, 2)} s`);
const signed = (n, digits) => `${n >= 0 ? "+" : "−"}${fmt(Math.abs(n), digits)}`;
const clusterText = (list) => (list.length ? list.map((c) => `${signed(c.fromS, 1)}…${signed(c.toS, 1)} s (${c.count})`).join(", ") : "none");

function printReport(results) {
  const { machine, config } = results;
  console.log(
    `\nedgebox chaos benchmark — ${machine.date}\n` +
      `machine: ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, load average ${machine.loadAverageAtStart.join(" ")} at start\n` +
      `software: node ${machine.node}, wrangler ${machine.wrangler}, commit ${machine.commit ?? "?"}\n` +
      `topology: east (default, nearest; round_robin) e1 e2 — west (round_robin) w1; fakes ${config.latencyMs} ms fixed latency\n` +
      `load: ${config.rate} req/s open loop, POST /api/v2/execute python 3.12.0, no-store; CPU over the measured phases: ` +
      `server ${results.cpuPercent.server}%, fakes ${results.cpuPercent.fakes}%, load generator ${results.cpuPercent.loadgen}%, other programs ${results.cpuPercent.other}% (of one core; ${machine.cpuCount * 100}% in all)\n`,
  );
  console.log("Per phase (requests by send time; latency over every answer, errors included)");
  table(
    ["phase", "s", "requests", "errors", "error rate", "retried", "p50 ms", "p90 ms", "p99 ms", "max ms", "e1", "e2", "w1", "CPU server/other"],
    results.phases.map((p) => [
      p.label, fmt(p.durationS, 1), p.requests, p.errors, pct(p.errorRate, 2), p.retried, fmt(p.latencyMs.p50), fmt(p.latencyMs.p90), fmt(p.latencyMs.p99), fmt(p.latencyMs.max),
      pct(p.share.e1), pct(p.share.e2), pct(p.share.w1), p.cpuPercent ? `${p.cpuPercent.server}%/${p.cpuPercent.other}%` : "–",
    ]),
  );
  const o = results.overall;
  console.log(`\noverall: ${o.requests} requests, ${o.errors} client-visible errors = ${pct(o.errorRate, 3)} (target ≤ ${pct(TARGET_ERROR_RATE, 1)}: ${o.errorRate <= TARGET_ERROR_RATE ? "PASS" : "FAIL"}), ${o.retried} needed a retry`);
  for (const { kind, count } of o.errorKinds) console.log(`  ${String(count).padStart(5)} × ${kind}`);

  for (const f of results.failovers) {
    console.log(
      `\n${f.label} (at +${fmt(f.atS, 2)} s): ${f.requests} requests after it, ${f.clientVisibleErrors} client-visible errors, ${f.servedByDead} served by a dead backend\n` +
        `  served elsewhere:           after ${seconds(f.servedElsewhereAfterS)}  (target < ${TARGET_MOVED_S} s: ${f.servedElsewhereAfterS < TARGET_MOVED_S ? "PASS" : "FAIL"})\n` +
        `  no failed first attempts:   after ${seconds(f.noFailedFirstAttemptsAfterS)}  (target < ${TARGET_MOVED_S} s: ${f.noFailedFirstAttemptsAfterS < TARGET_MOVED_S ? "PASS" : "FAIL"}); ${f.retried} requests needed a retry: ${clusterText(f.retryClusters)}`,
    );
  }
  const r = results.recovery;
  console.log(
    `\n${r.label} (at +${fmt(r.atS, 2)} s): ${r.clientVisibleErrors} client-visible errors after it\n` +
      Object.entries(r.firstServedS).map(([id, s]) => `  ${id} served again after ${seconds(s)}\n`).join("") +
      `  west served its last request after ${seconds(r.lastServedByFailoverS)} (${r.servedByFailover} in all after the restart); retries after the restart: ${clusterText(r.retryClusters)}`,
  );

  console.log("\nServer side (breaker/probe transitions from the backends' breakers; the rest polled once a second), seconds since the load started:");
  for (const e of results.serverEvents) console.log(`  ${fmt(e.tS, 2).padStart(7)}  ${e.backend}  ${e.what}  (${e.reason})`);
  console.log(`\nphase starts: ${results.phases.map((p) => `${p.name} +${fmt(p.startS, 2)}`).join(", ")}`);
  console.log(`open loop: ${results.load.sent} sent, ${results.load.skipped} skipped; send lateness p99 ${fmt(results.load.latenessMs.p99, 1)} ms, max ${fmt(results.load.latenessMs.max, 1)} ms`);

  if (results.warnings.length) {
    console.log("\nwarnings:");
    results.warnings.forEach((w) => console.log(`  - ${w}`));
  }
  if (results.problems.length) {
    console.log("\nINVALID RUN — these numbers cannot be trusted:");
    results.problems.forEach((p) => console.log(`  - ${p}`));
  }
}

function writeResults(file, results) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(tmp, file);
}

/** A private copy of a commit to run the service from (--snapshot); node_modules is this checkout's. */
function snapshotOf(rev) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "edgebox-chaos-src-"));
  const tar = execFileSync("git", ["archive", "--format=tar", rev], { cwd: ROOT, maxBuffer: 512 * 1024 * 1024 });
  execFileSync("tar", ["-x", "-C", dir], { input: tar });
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Main

let service = null;
let fakesHost = null;
let serverGroup = null;
let stopLoad = null;
let snapshotDir = null;

async function cleanup() {
  await stopLoad?.().catch(() => {});
  stopLoad = null;
  await Promise.allSettled([service?.stop(), fakesHost?.stop()]);
  service = null;
  fakesHost = null;
  if (snapshotDir) {
    process.chdir(ROOT);
    // Removes the node_modules symlink, never what it points to.
    rmSync(snapshotDir, { recursive: true, force: true });
    snapshotDir = null;
  }
}

function installSignalHandlers() {
  let stopping = false;
  const onSignal = (signal) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping the server and the fakes…`);
    cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("exit", () => {
    // Last resort, synchronous: never leave wrangler/workerd running.
    if (service && serverGroup) {
      try {
        process.kill(-serverGroup, "SIGKILL");
      } catch {
        // gone
      }
    }
  });
}

/** Edits to the Worker's sources make wrangler dev reload it mid-run; they are recorded. */
function watchSources(root) {
  const changes = [];
  const watchers = [];
  for (const dir of ["workers", "durable-objects"]) {
    try {
      watchers.push(watch(path.join(root, dir), { recursive: true }, (_event, file) => changes.push(`${dir}/${file}`)));
    } catch {
      // not watchable here: nothing recorded
    }
  }
  return { changes, close: () => watchers.forEach((w) => w.close()) };
}

async function main() {
  const options = readOptions();
  installSignalHandlers();
  const machine = machineInfo();
  const startedAt = performance.now();
  if (options.snapshot) {
    const commit = execFileSync("git", ["rev-parse", "--short", options.rev], { cwd: ROOT, encoding: "utf8" }).trim();
    snapshotDir = snapshotOf(options.rev);
    machine.commit = `${commit} (${options.rev}, run from a private copy: --snapshot)`;
    console.log(`running the service from a copy of ${options.rev} (${commit}) in ${snapshotDir}`);
  }

  console.log(`starting 3 fake Piston backends (${options.latencyMs} ms latency) in a child process…`);
  fakesHost = await startFakes(options.latencyMs);
  const adminSecret = `chaos-${randomUUID()}`;
  console.log("starting the service (wrangler dev, fresh local D1)…");
  const { startLocalServer } = await import("../test/e2e/local-server.ts");
  // wrangler dev runs in the current directory: the checkout, or the snapshot.
  if (snapshotDir) process.chdir(snapshotDir);
  service = await startLocalServer({ ADMIN_SECRET: adminSecret });
  const servicePort = Number(new URL(service.url).port);
  serverGroup = findServerGroup(servicePort);
  const ctx = { serviceUrl: service.url, adminSecret, fakes: fakesHost.fakes, fakesPid: fakesHost.pid, serverGroup, fakesCommand: fakesHost.command };

  console.log("creating regions east (default, e1 e2) and west (w1)…");
  const backends = await createTopology(ctx);

  // Preflight: sequential requests, checked in full; east serves them, both of its backends.
  const seen = new Set();
  for (let i = 0; i < 12; i++) {
    const record = await sendOne(ctx, -1 - i, Date.now());
    if (record.error) throw new Error(`preflight request failed: ${record.error}`);
    if (record.region !== "east") throw new Error(`preflight: served in region ${record.region}, expected east (the nearest and default region)`);
    if (record.attempts !== 1) throw new Error(`preflight: ${record.attempts} attempts with every backend up`);
    seen.add(record.backend);
  }
  if (!seen.has("e1") || !seen.has("e2")) throw new Error(`preflight: 12 requests reached only ${[...seen].join(", ")}`);

  const sources = watchSources(snapshotDir ?? ROOT);
  const t0 = Date.now();
  const phases = [];
  const plan = [
    { name: "warmup", label: "warm-up (discarded)", seconds: options.warmupS, action: null },
    { name: "baseline", label: "baseline: all up", seconds: options.phasesS.baseline, action: null },
    { name: "one-down", label: "e1 down", seconds: options.phasesS.oneDown, action: { cmd: "stop", ids: ["e1"] } },
    { name: "region-down", label: "east down (e1+e2)", seconds: options.phasesS.regionDown, action: { cmd: "stop", ids: ["e2"] } },
    { name: "recovery", label: "east restarted", seconds: options.phasesS.recovery, action: { cmd: "start", ids: ["e1", "e2"] } },
    { name: "steady", label: "steady", seconds: options.phasesS.steady, action: null },
  ].filter((phase) => phase.seconds > 0 || phase.name !== "warmup");
  const totalS = plan.reduce((sum, p) => sum + p.seconds, 0);
  console.log(`load: ${options.rate} req/s for ${totalS} s — ${plan.map((p) => `${p.name} ${p.seconds} s`).join(", ")}`);

  const load = startLoad(ctx, options.rate, t0);
  stopLoad = load.stop;
  const poller = startPolling(ctx, t0);
  let cpuBefore = null;
  let plannedAt = 0;
  for (const phase of plan) {
    const wait = t0 + plannedAt - Date.now();
    if (wait > 0) await sleep(wait);
    const cpu = cpuSnapshot(ctx);
    if (phase.name === "baseline") cpuBefore = cpu;
    let startT = Date.now() - t0;
    if (phase.action) {
      const answer = await fakesHost.command(phase.action.cmd, phase.action.ids);
      startT = (phase.action.cmd === "stop" ? answer.began : answer.at) - t0;
    }
    if (phases.length) {
      phases[phases.length - 1].endT = startT;
      phases[phases.length - 1].cpuPercent = cpuPercent(phases[phases.length - 1].cpu, cpu);
    }
    phases.push({ name: phase.name, label: phase.label, startT, endT: null, action: phase.action, cpu });
    console.log(`  +${fmt(startT / 1000, 2)} s  ${phase.label}`);
    plannedAt += phase.seconds * 1000;
  }
  const endWait = t0 + plannedAt - Date.now();
  if (endWait > 0) await sleep(endWait);
  phases[phases.length - 1].endT = Date.now() - t0;
  const cpuAfter = cpuSnapshot(ctx);
  phases[phases.length - 1].cpuPercent = cpuPercent(phases[phases.length - 1].cpu, cpuAfter);
  stopLoad = null;
  const { records, skipped, lateness } = await load.stop();
  const samples = await poller.stop();
  sources.close();

  const health = {};
  for (const { id } of BACKENDS) health[id] = await admin(ctx, "GET", `/v1/admin/backends/${id}/health`).catch((error) => ({ error: error.message }));
  const pools = {};
  for (const region of REGIONS) pools[region.id] = await admin(ctx, "GET", `/v1/admin/regions/${region.id}/pool`).catch((error) => ({ error: error.message }));
  const fakeStats = (await fakesHost.command("stats")).stats;
  await cleanup();

  // Analysis: requests by the phase they were sent in.
  const inPhase = (phase) => records.filter((r) => r.t >= phase.startT && r.t < phase.endT);
  const measured = phases.filter((p) => p.name !== "warmup");
  const measuredRecords = records.filter((r) => r.t >= measured[0].startT && r.t < measured[measured.length - 1].endT);
  const phaseResults = measured.map((p) => phaseSummary(p, inPhase(p)));
  const phaseByName = Object.fromEntries(phases.map((p) => [p.name, p]));
  const failover = (name, label, dead) => {
    const phase = phaseByName[name];
    return { ...failoverMetrics(measuredRecords, phase.startT, phase.endT, dead), phase: name, label, atS: round(phase.startT / 1000), dead };
  };
  const failovers = [failover("one-down", "e1 stopped", ["e1"]), failover("region-down", "e2 stopped too (all of east down)", ["e1", "e2"])];
  const recovery = {
    ...recoveryMetrics(measuredRecords, phaseByName.recovery.startT, ["e1", "e2"], ["w1"]),
    phase: "recovery",
    label: "e1 and e2 started again on their ports",
    atS: round(phaseByName.recovery.startT / 1000),
  };
  const errors = measuredRecords.filter(isError);
  const latenessSorted = Float64Array.from(lateness).sort();

  const problems = [];
  if (skipped) problems.push(`${skipped} requests were not sent: more than ${MAX_OUTSTANDING} in flight (the open loop fell behind)`);
  const restarts = poolRestarts(samples);
  if (restarts.length) {
    problems.push(
      `a region pool restarted during the run (at ${restarts.map((r) => `+${fmt(r / 1000, 1)} s`).join(", ")}): wrangler dev reloaded the Worker or the Durable Object was reset, so leases and learnt limits started over — not part of the scenario`,
    );
  }
  if (sources.changes.length) problems.push(`the Worker's sources changed during the run (wrangler dev reloads): ${[...new Set(sources.changes)].slice(0, 5).join(", ")}`);
  // Retries are attributed to the kills: with every backend up (requests answered before the first kill) there must be none.
  const calmRetries = measuredRecords.filter((r) => r.t + r.ms < phaseByName["one-down"].startT && r.attempts > 1).length;
  if (calmRetries) problems.push(`${calmRetries} requests answered before the first kill needed a retry with every backend up: retries cannot be attributed to the kills`);
  const warnings = [];
  if (machine.loadAverageAtStart[0] > 1) warnings.push(`load average was ${machine.loadAverageAtStart[0]} at start: something else was using the machine`);
  const cpu = cpuBefore ? cpuPercent(cpuBefore, cpuAfter) : null;
  if (cpu && cpu.other > 25) warnings.push(`other programs used ${cpu.other}% of a core during the measured phases`);
  if (serverGroup === null) warnings.push("could not find wrangler's process group: server CPU reads 0");

  const results = {
    machine,
    config: {
      rate: options.rate,
      latencyMs: options.latencyMs,
      warmupS: options.warmupS,
      phasesS: options.phasesS,
      maxConcurrency: MAX_CONCURRENCY,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      regions: REGIONS,
      request: "POST /api/v2/execute {language: python, version: 3.12.0, files: [print(input())], stdin: <request number>} with Cache-Control: no-store",
      snapshot: options.snapshot,
      command: `npm run bench:chaos${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    },
    server: { command: "wrangler dev --var ENVIRONMENT:development --var ADMIN_SECRET:<random> (test/e2e/local-server.ts, fresh local D1)" },
    targets: { errorRate: TARGET_ERROR_RATE, movedS: TARGET_MOVED_S },
    backends,
    overall: {
      requests: measuredRecords.length,
      errors: errors.length,
      errorRate: measuredRecords.length ? errors.length / measuredRecords.length : 0,
      retried: measuredRecords.filter((r) => r.attempts > 1).length,
      latencyMs: latencyStats(measuredRecords),
      // The same failure for different backends counts as one kind.
      errorKinds: Object.entries(
        errors.reduce((kinds, r) => {
          const kind = r.error.replace(/\([a-z0-9, -]+\)/g, "(…)");
          kinds[kind] = (kinds[kind] ?? 0) + 1;
          return kinds;
        }, {}),
      ).map(([kind, count]) => ({ kind, count })),
      errorRatePass: errors.length / Math.max(1, measuredRecords.length) <= TARGET_ERROR_RATE,
    },
    phases: phaseResults,
    failovers,
    recovery,
    verdicts: {
      errorRate: errors.length / Math.max(1, measuredRecords.length) <= TARGET_ERROR_RATE ? "PASS" : "FAIL",
      ...Object.fromEntries(
        failovers.flatMap((f) => [
          [`${f.phase}.servedElsewhere`, f.servedElsewhereAfterS < TARGET_MOVED_S ? "PASS" : "FAIL"],
          [`${f.phase}.noFailedFirstAttempts`, f.noFailedFirstAttemptsAfterS < TARGET_MOVED_S ? "PASS" : "FAIL"],
        ]),
      ),
    },
    serverEvents: serverEvents(health, samples, t0),
    errorsInFull: errors.slice(0, 50),
    timeline: timeline(measuredRecords, measured[0].startT - (measured[0].startT % 1000), measured[measured.length - 1].endT),
    polls: samples,
    backendHealthAtEnd: health,
    poolsAtEnd: pools,
    fakeStatsAtEnd: fakeStats,
    cpuPercent: cpu,
    load: {
      sent: records.length,
      skipped,
      latenessMs: { p50: round(percentile(latenessSorted, 50)), p99: round(percentile(latenessSorted, 99)), max: round(latenessSorted[latenessSorted.length - 1] ?? null) },
    },
    t0: new Date(t0).toISOString(),
    elapsedS: round((performance.now() - startedAt) / 1000, 1),
    problems,
    warnings,
    valid: problems.length === 0,
  };
  writeResults(options.out, results);
  if (options.records) writeFileSync(options.records, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  printReport(results);
  console.log(`\nresults written to ${path.relative(process.cwd(), options.out) || options.out}${options.records ? `, every request to ${options.records}` : ""}`);
  console.log(`total ${fmt(results.elapsedS, 0)} s`);
  return results.valid ? 0 : 1;
}

if (process.argv[2] === "--serve-fakes") {
  await serveFakes();
} else {
  main().then(
    (code) => process.exit(code),
    async (error) => {
      console.error(`\nchaos benchmark failed: ${error.stack ?? error.message}`);
      await cleanup();
      process.exit(1);
    },
  );
}
