#!/usr/bin/env node
// Routing benchmark (docs/routing.md#benchmark):
//   npm run bench:routing [-- --duration 10 --connections 8 --warmup 2 --latency 2]
// (npm runs the pinned Node 22, which this script needs: it imports the .ts fakes and
// test/e2e/local-server.ts directly, with Node's type stripping.)
//
// One command, one run, every number from that run:
//   1. Three fake Piston v2 servers (test/fakes/fake-piston.ts) in a Node child process of their
//      own, each answering every API call after a fixed --latency (default 2 ms, a fast backend),
//      so neither the load generator's event loop nor theirs delays the other's answers.
//   2. The service under `wrangler dev` (test/e2e/local-server.ts: fresh local D1, ENVIRONMENT
//      development, ADMIN_SECRET for the admin API). One region (`weighted_round_robin`) and three
//      piston backends with weights 1, 2, 3 (maxConcurrency 64, well above the load's concurrency)
//      are created through the admin API; each create response must say healthy with runtimes.
//   3. Overhead: POST /api/v2/execute for python (a runtime only the fakes have) (a) straight to one
//      fake and (b) through the service with `Cache-Control: no-store`, on 1 and on --connections
//      connections, --duration s each after --warmup s; added latency = (b) − (a).
//   4. Fairness: the fakes' own counters (GET /__fake/stats, reset before the phase) over the
//      --connections run of (b), then again after PATCHing the region's policy to `random` and to
//      `least_connections` (6 s after each PATCH, for isolates that cached the old topology;
//      shorter phases). Shares served vs the expected 1/6, 2/6, 3/6, cross-checked against the
//      backend each response names.
//   5. For reference: the built-in path (POST /v1/executions javascript, no-store: no Durable
//      Object call, the program runs in the Worker) and GET / (the floor: wrangler's proxy and the
//      middleware, no execution), on 1 and N connections / on 1 connection.
//   6. Prints tables and writes bench/results/routing-latest.json with the machine's description.
//
// Correctness is part of the measurement, as in bench/run.mjs: every response is checked (status
// 200, X-Cache BYPASS, stdout's first line is a backend id that matches X-Edgebox-Backend, exit
// code 0; one in 50 parsed in full). Any connection error, timeout, non-2xx or failed check makes
// the run invalid (exit 1). So does a change to the Worker's sources during the run (wrangler dev
// would reload the Worker mid-measurement).

import { spawn, execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, renameSync, watch, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { commandLine, isWorkerdProxy, listProcesses, machineBusySeconds } from "./lib/proc.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const RESULTS_FILE = path.join(ROOT, "bench", "results", "routing-latest.json");
const require = createRequire(import.meta.url);

const REGION_ID = "bench";
const BACKENDS = [
  { id: "rb-w1", weight: 1 },
  { id: "rb-w2", weight: 2 },
  { id: "rb-w3", weight: 3 },
];
/** Far above the load's concurrency: admission never turns a request away (AIMD starts at 10). */
const MAX_CONCURRENCY = 64;
/** The service re-reads its topology within 5 s; wrangler dev may run several isolates. */
const AFTER_PATCH_WAIT_MS = 6_000;
/** Parse and check in full one response in this many (the others get the cheap checks). */
const SAMPLE_EVERY = 50;
/** A request slower than this counts as a timeout, not a latency. */
const REQUEST_TIMEOUT_S = 10;
const NOISY_OTHER_CPU_PERCENT = 25;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Options

function readOptions() {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "10" },
      warmup: { type: "string", default: "2" },
      connections: { type: "string", default: "8" },
      latency: { type: "string", default: "2" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(`usage: npm run bench:routing -- [options]
  --duration S      measured seconds of each overhead run (default 10); the policy, built-in
                    and GET / runs take half of it (at least 2 s)
  --warmup S        unmeasured seconds before each run (default 2)
  --connections N   keep-alive connections of the loaded runs (default 8); 1 is always run too
  --latency MS      fixed delay of every fake backend answer (default 2)`);
    process.exit(0);
  }
  const int = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${values[name]}`);
    return n;
  };
  return { durationS: int("duration", 1), warmupS: int("warmup", 0), connections: int("connections", 1), latencyMs: int("latency", 0) };
}

// ---------------------------------------------------------------------------------------------
// Requests and their checks

const PYTHON_BODY = JSON.stringify({ language: "python", version: "3.12.0", files: [{ name: "main.py", content: "print(1)" }] });
const NO_STORE = { "content-type": "application/json", "cache-control": "no-store" };

/** First line of Piston's run.stdout, read with a regex (cheap enough for every response). */
const STDOUT_FIRST_LINE = /"run":\{"stdout":"([^"\\]*)\\n/;

function header(headers, name) {
  for (const key of Object.keys(headers ?? {})) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

/** A Piston answer from a fake: stdout's first line is its id, code 0. */
function checkPiston(text, full, allowed) {
  const served = STDOUT_FIRST_LINE.exec(text)?.[1];
  if (!served || !allowed.includes(served)) return { problem: `stdout does not start with a backend id (${allowed.join(", ")})` };
  if (!text.includes('"code":0')) return { problem: "run.code is not 0" };
  if (full) {
    const json = JSON.parse(text);
    if (json.language !== "python") return { problem: `language ${JSON.stringify(json.language)}` };
    if (json.run?.stdout !== `${served}\n`) return { problem: `run.stdout ${JSON.stringify(json.run?.stdout)}` };
    if (json.run.code !== 0 || json.run.signal !== null) return { problem: `run.code ${json.run.code}, signal ${json.run.signal}` };
  }
  return { served };
}

function scenarios(fakes) {
  const ids = BACKENDS.map((backend) => backend.id);
  return {
    direct: {
      id: "direct",
      label: `POST /api/v2/execute python, straight to fake ${fakes[0].id}`,
      target: "fake",
      method: "POST",
      path: "/api/v2/execute",
      headers: { "content-type": "application/json" },
      body: PYTHON_BODY,
      check: (text, _headers, full) => checkPiston(text, full, [fakes[0].id]),
    },
    routed: {
      id: "routed",
      label: "POST /api/v2/execute python, through the service (no-store)",
      target: "service",
      method: "POST",
      path: "/api/v2/execute",
      headers: NO_STORE,
      body: PYTHON_BODY,
      check: (text, headers, full) => {
        if (header(headers, "x-cache") !== "BYPASS") return { problem: `X-Cache ${header(headers, "x-cache")}, expected BYPASS` };
        if (header(headers, "x-edgebox-region") !== REGION_ID) return { problem: `X-Edgebox-Region ${header(headers, "x-edgebox-region")}` };
        const result = checkPiston(text, full, ids);
        if (result.problem) return result;
        const named = header(headers, "x-edgebox-backend");
        if (named !== result.served) return { problem: `X-Edgebox-Backend ${named} but stdout says ${result.served}` };
        return result;
      },
    },
    builtin: {
      id: "builtin",
      label: "POST /v1/executions javascript console.log(1), built-in (no-store, no DO call)",
      target: "service",
      method: "POST",
      path: "/v1/executions",
      headers: NO_STORE,
      body: JSON.stringify({ language: "javascript", code: "console.log(1)" }),
      check: (text, headers, full) => {
        if (header(headers, "x-cache") !== "BYPASS") return { problem: `X-Cache ${header(headers, "x-cache")}, expected BYPASS` };
        if (header(headers, "x-edgebox-backend") !== `builtin-${REGION_ID}`) return { problem: `X-Edgebox-Backend ${header(headers, "x-edgebox-backend")}` };
        if (!text.includes('"status":"ok"') || !text.includes('"stdout":"1\\n"')) return { problem: "status/stdout" };
        if (full) {
          const json = JSON.parse(text);
          if (json.status !== "ok" || json.stdout !== "1\n" || json.exitCode !== 0) return { problem: `status ${json.status}, stdout ${JSON.stringify(json.stdout)}` };
        }
        return {};
      },
    },
    root: {
      id: "root",
      label: "GET / (floor: proxy + middleware, nothing executed)",
      target: "service",
      method: "GET",
      path: "/",
      headers: {},
      body: undefined,
      check: (text) => (text.includes('"service":"edgebox"') ? {} : { problem: "not the service's index" }),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Processes: CPU time by role (/proc)

/** The process group of the `wrangler dev` listening on `port` (startLocalServer starts it detached). */
function findServerGroup(port) {
  const wrangler = listProcesses().find((p) => p.pid === p.pgrp && / dev /.test(commandLine(p.pid)) && commandLine(p.pid).includes(`--port ${port} `));
  return wrangler?.pgrp ?? null;
}

/**
 * CPU seconds so far by role: the workerd running the Worker ("runtime"), wrangler's proxy workerd
 * ("proxy"), wrangler itself (node; it also prints every log line), the fakes' process, this process
 * (the load generator), and the whole machine.
 */
function cpuSnapshot(ctx) {
  const processes = new Map();
  for (const p of listProcesses()) {
    let role = null;
    if (p.pid === ctx.fakesPid) role = "fakes";
    else if (ctx.serverGroup !== null && p.pgrp === ctx.serverGroup) {
      role = p.comm !== "workerd" ? "wrangler" : isWorkerdProxy(p.pid, ctx.servicePort) ? "proxy" : "runtime";
    }
    if (role) processes.set(p.pid, { role, cpuS: p.cpuS });
  }
  const own = process.cpuUsage();
  return { processes, loadgen: (own.user + own.system) / 1e6, machine: machineBusySeconds(), at: performance.now() };
}

/**
 * % of one core per role between two snapshots, counted per process: a process that started in
 * between counts from zero; one that exited in between is lost (and reported, with any change of the
 * workerd runtime process, which would mean the Worker was restarted mid-run).
 */
function cpuPercent(before, after) {
  const seconds = (after.at - before.at) / 1000;
  const used = { runtime: 0, proxy: 0, wrangler: 0, fakes: 0 };
  for (const [pid, p] of after.processes) used[p.role] += p.cpuS - (before.processes.get(pid)?.cpuS ?? 0);
  const out = Object.fromEntries(Object.entries(used).map(([role, cpuS]) => [role, (100 * cpuS) / seconds]));
  out.loadgen = (100 * (after.loadgen - before.loadgen)) / seconds;
  out.server = out.runtime + out.proxy + out.wrangler;
  out.other = Math.max(0, (100 * (after.machine - before.machine)) / seconds - out.server - out.fakes - out.loadgen);
  const pids = (snapshot, role) => [...snapshot.processes].filter(([, p]) => p.role === role).map(([pid]) => pid).sort().join(",");
  out.runtimeProcessChanged = pids(before, "runtime") !== pids(after, "runtime");
  out.exitedProcesses = [...before.processes.keys()].filter((pid) => !after.processes.has(pid)).length;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Load

function percentiles(values, ranks) {
  const sorted = Float64Array.from(values).sort();
  const out = {};
  for (const rank of ranks) out[`p${rank}`] = sorted.length ? sorted[Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1)] : null;
  return out;
}

let currentLoad = null;

/** One autocannon run; every response checked; per-backend counts from the responses. */
function runLoad(scenario, baseUrl, { connections, durationS }) {
  const latencies = [];
  const counts = { seen: 0, bad: 0, firstBad: null, byBackend: {} };
  const onResponse = (status, text, _context, headers) => {
    if (status < 200 || status > 299) return; // autocannon counts these as non-2xx
    counts.seen++;
    let result;
    try {
      result = scenario.check(text, headers, counts.seen % SAMPLE_EVERY === 1);
    } catch (error) {
      result = { problem: `unparseable body (${error.message})` };
    }
    if (result.problem) {
      counts.bad++;
      counts.firstBad ??= `${result.problem}: ${text.slice(0, 300)}`;
    } else if (result.served) {
      counts.byBackend[result.served] = (counts.byBackend[result.served] ?? 0) + 1;
    }
  };
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let lastResponseAt = startedAt;
    const instance = autocannon(
      {
        url: baseUrl,
        requests: [{ method: scenario.method, path: scenario.path, headers: scenario.headers, body: scenario.body, onResponse }],
        connections,
        duration: durationS,
        timeout: REQUEST_TIMEOUT_S,
      },
      (error, result) => {
        currentLoad = null;
        if (error) return reject(error);
        const elapsedS = (lastResponseAt - startedAt) / 1000;
        resolve({
          connections,
          durationS: elapsedS,
          requests: result.requests.total,
          ok: result["2xx"],
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          badBodies: counts.bad,
          firstBadBody: counts.firstBad,
          byBackend: counts.byBackend,
          requestsPerSecond: result["2xx"] / elapsedS,
          latencyMs: percentiles(latencies, [50, 90, 99]),
        });
      },
    );
    instance.on("response", (_client, _status, _bytes, responseTimeMs) => {
      latencies.push(responseTimeMs);
      lastResponseAt = performance.now();
    });
    currentLoad = instance;
  });
}

/** Warm-up (discarded), `beforeMeasure` (e.g. zero the fakes' counters), then the measured run. */
async function measure(ctx, scenario, { connections, durationS, warmupS, beforeMeasure }) {
  const baseUrl = scenario.target === "fake" ? ctx.fakes[0].url : ctx.serviceUrl;
  process.stdout.write(`  ${scenario.id}, ${connections} connection(s): ${warmupS} s warm-up + ${durationS} s… `);
  if (warmupS > 0) await runLoad(scenario, baseUrl, { connections, durationS: warmupS });
  await beforeMeasure?.();
  const before = cpuSnapshot(ctx);
  const load = await runLoad(scenario, baseUrl, { connections, durationS });
  const cpu = cpuPercent(before, cpuSnapshot(ctx));
  console.log(`${fmt(load.requestsPerSecond, 0)} req/s, p50 ${fmt(load.latencyMs.p50, 2)} ms, p99 ${fmt(load.latencyMs.p99, 2)} ms`);
  // CPU time per answered request (ms), by role: which part of the local stack each request costs.
  const perRequest = (percent) => (load.requestsPerSecond > 0 ? (percent * 10) / load.requestsPerSecond : null);
  const cpuMsPerRequest = Object.fromEntries(["server", "runtime", "proxy", "wrangler", "fakes", "loadgen"].map((role) => [role, perRequest(cpu[role])]));
  const run = { scenario: scenario.id, label: scenario.label, ...load, cpuPercent: cpu, cpuMsPerRequest };
  ctx.runs.push(run);
  return run;
}

// ---------------------------------------------------------------------------------------------
// Service and fakes

async function startFakes(latencyMs) {
  const child = spawn(process.execPath, [SELF, "--serve-fakes", JSON.stringify({ ids: BACKENDS.map((b) => b.id), latencyMs })], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const line = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the fakes' process exited (${code})`)));
    setTimeout(() => reject(new Error("the fakes did not start within 15 s")), 15_000).unref();
  });
  const { fakes } = JSON.parse(line);
  return {
    pid: child.pid,
    fakes,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin.end();
      await Promise.race([exited, sleep(3_000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

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
  await admin(ctx, "POST", "/v1/admin/regions", {
    id: REGION_ID, name: "Routing benchmark", latitude: 0, longitude: 0, policy: "weighted_round_robin", isDefault: true,
  });
  const created = [];
  for (const [i, backend] of BACKENDS.entries()) {
    const answer = await admin(ctx, "POST", "/v1/admin/backends", {
      id: backend.id, regionId: REGION_ID, kind: "piston", url: ctx.fakes[i].url, weight: backend.weight, maxConcurrency: MAX_CONCURRENCY,
    });
    const python = answer.runtimes?.some((runtime) => runtime.language === "python");
    if (answer.healthy !== true || !python) throw new Error(`backend ${backend.id} was not probed healthy with python: ${JSON.stringify(answer)}`);
    created.push({ id: answer.id, url: answer.url, weight: answer.weight, maxConcurrency: answer.maxConcurrency, healthy: answer.healthy, runtimes: answer.runtimes.map((r) => `${r.language}-${r.version}`) });
  }
  return created;
}

async function setPolicy(ctx, policy) {
  const region = await admin(ctx, "PATCH", `/v1/admin/regions/${REGION_ID}`, { policy });
  if (region.policy !== policy) throw new Error(`PATCH policy ${policy} answered ${JSON.stringify(region)}`);
}

async function resetFakes(ctx) {
  for (const fake of ctx.fakes) {
    const response = await json("POST", `${fake.url}/__fake/reset`);
    if (response.status !== 200) throw new Error(`reset ${fake.id}: ${response.status}`);
  }
}

async function fakeStats(ctx) {
  const stats = {};
  for (const fake of ctx.fakes) stats[fake.id] = (await json("GET", `${fake.url}/__fake/stats`)).body;
  return stats;
}

/**
 * Shares served per backend. The fakes also count the pool's health probes (every 10 s while the
 * pool is in use: one runtimes call plus one JavaScript execute each), so served = executes −
 * runtimesCalls; the client-side count (the backend each response named) is reported beside it.
 */
function fairness(policy, stats, run) {
  const totalWeight = BACKENDS.reduce((sum, b) => sum + b.weight, 0);
  const served = Object.fromEntries(BACKENDS.map((b) => [b.id, stats[b.id].executes - stats[b.id].runtimesCalls]));
  const total = Object.values(served).reduce((a, b) => a + b, 0);
  const clientTotal = Object.values(run.byBackend).reduce((a, b) => a + b, 0);
  const backends = BACKENDS.map((b) => {
    const expected = b.weight / totalWeight;
    const share = served[b.id] / total;
    return {
      id: b.id,
      weight: b.weight,
      expectedShare: expected,
      executes: stats[b.id].executes,
      probes: stats[b.id].runtimesCalls,
      served: served[b.id],
      share,
      deviation: share - expected,
      clientSideCount: run.byBackend[b.id] ?? 0,
      clientSideShare: (run.byBackend[b.id] ?? 0) / clientTotal,
      maxInFlight: stats[b.id].maxInFlight,
    };
  });
  return {
    policy,
    connections: run.connections,
    durationS: run.durationS,
    requests: total,
    backends,
    maxAbsDeviation: Math.max(...backends.map((b) => Math.abs(b.deviation))),
    clientSideMaxAbsDeviation: Math.max(...backends.map((b) => Math.abs(b.clientSideShare - b.expectedShare))),
    requestsPerSecond: run.requestsPerSecond,
    latencyMs: run.latencyMs,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n, digits) => (n === null || n === undefined || Number.isNaN(n) ? "–" : n.toFixed(digits));
const signed = (n, digits) => (n === null || n === undefined ? "–" : `${n >= 0 ? "+" : ""}${n.toFixed(digits)}`);
const pct = (share) => `${(share * 100).toFixed(1)}%`;

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
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "workers", "durable-objects", "wrangler.toml", "package.json"], { cwd: ROOT, encoding: "utf8" }).trim();
    if (dirty) commit += " (uncommitted changes in workers/, durable-objects/ or config)";
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    loadAverageAtStart: os.loadavg().map((n) => Math.round(n * 100) / 100),
    cpuCount: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    wrangler: version("wrangler"),
    autocannon: version("autocannon"),
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

function printReport(results) {
  const { machine, config } = results;
  console.log(
    `\nedgebox routing benchmark — ${machine.date}\n` +
      `machine: ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, load average ${machine.loadAverageAtStart.join(" ")} at start\n` +
      `software: node ${machine.node}, wrangler ${machine.wrangler}, autocannon ${machine.autocannon}, commit ${machine.commit ?? "?"}\n` +
      `backends: 3 fake Piston servers (one Node process), ${config.latencyMs} ms fixed latency, weights 1:2:3, maxConcurrency ${MAX_CONCURRENCY}\n` +
      `runs: ${config.durationS} s measured after ${config.warmupS} s warm-up (policy/reference runs ${config.shortS} s); CPU columns in % of one core\n`,
  );

  console.log("Overhead: POST /api/v2/execute python, straight to a fake vs through the service");
  const rows = [];
  for (const o of results.overhead) {
    for (const [name, r] of [["direct → fake", o.direct], ["via service (WRR)", o.routed]]) {
      rows.push([
        `${name}, ${o.connections} conn`, fmt(r.requestsPerSecond, 0), fmt(r.latencyMs.p50, 2), fmt(r.latencyMs.p90, 2), fmt(r.latencyMs.p99, 2),
        r.requests, `${r.errors + r.timeouts}/${r.non2xx}/${r.badBodies}`,
        `${fmt(r.cpuPercent.server, 0)}%=${fmt(r.cpuPercent.runtime, 0)}+${fmt(r.cpuPercent.proxy, 0)}+${fmt(r.cpuPercent.wrangler, 0)}`,
        `${fmt(r.cpuPercent.fakes, 0)}%`, `${fmt(r.cpuPercent.loadgen, 0)}%`, `${fmt(r.cpuPercent.other, 0)}%`,
        r.scenario === "direct" ? "" : `${fmt(r.cpuMsPerRequest.runtime, 2)}/${fmt(r.cpuMsPerRequest.server, 2)}`,
      ]);
    }
    rows.push([`added by the service, ${o.connections} conn`, "", signed(o.addedMs.p50, 2), "", signed(o.addedMs.p99, 2), "", "", "", "", "", "", ""]);
  }
  table(["run", "req/s", "p50 ms", "p90 ms", "p99 ms", "requests", "err/non2xx/bad", "server CPU (rt+proxy+wr)", "fakes", "loadgen", "other", "CPU ms/req rt/server"], rows);

  console.log(`\nFairness at ${config.connections} connections (fakes' counters, health probes subtracted; expected 16.7% / 33.3% / 50.0%)`);
  table(
    ["policy", "requests", ...BACKENDS.map((b) => `${b.id} (w${b.weight})`), "max |dev|", "client-side max |dev|", "max in flight w1/w2/w3", "req/s", "p50 ms", "p99 ms"],
    results.fairness.map((f) => [
      f.policy, f.requests, ...f.backends.map((b) => pct(b.share)), `${(f.maxAbsDeviation * 100).toFixed(2)} pp`,
      `${(f.clientSideMaxAbsDeviation * 100).toFixed(2)} pp`, f.backends.map((b) => b.maxInFlight).join("/"),
      fmt(f.requestsPerSecond, 0), fmt(f.latencyMs.p50, 2), fmt(f.latencyMs.p99, 2),
    ]),
  );

  console.log("\nReference: the built-in path (no Durable Object call) and GET / (no execution) vs the remote path, through the service");
  table(
    ["run", "req/s", "p50 ms", "p90 ms", "p99 ms", "CPU ms/req rt/server"],
    results.reference.map((r) => [
      `${r.label}, ${r.connections} conn`, fmt(r.requestsPerSecond, 0), fmt(r.latencyMs.p50, 2), fmt(r.latencyMs.p90, 2), fmt(r.latencyMs.p99, 2),
      `${fmt(r.cpuMsPerRequest.runtime, 2)}/${fmt(r.cpuMsPerRequest.server, 2)}`,
    ]),
  );

  if (results.warnings.length) {
    console.log("\nwarnings:");
    results.warnings.forEach((w) => console.log(`  - ${w}`));
  }
  if (results.problems.length) {
    console.log("\nINVALID RUN — these numbers cannot be trusted:");
    results.problems.forEach((p) => console.log(`  - ${p}`));
  }
  console.log(`\nresults written to ${path.relative(process.cwd(), RESULTS_FILE) || RESULTS_FILE}`);
}

function writeResults(results) {
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  const tmp = `${RESULTS_FILE}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(tmp, RESULTS_FILE);
}

// ---------------------------------------------------------------------------------------------
// Main

let service = null;
let fakesHost = null;
let serverGroup = null;

async function cleanup() {
  currentLoad?.stop();
  await Promise.allSettled([service?.stop(), fakesHost?.stop()]);
  service = null;
  fakesHost = null;
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
function watchSources() {
  const changes = [];
  const watchers = [];
  for (const dir of ["workers", "durable-objects"]) {
    try {
      watchers.push(watch(path.join(ROOT, dir), { recursive: true }, (_event, file) => changes.push(`${dir}/${file}`)));
    } catch {
      // not watchable here: nothing recorded
    }
  }
  return { changes, close: () => watchers.forEach((w) => w.close()) };
}

async function main() {
  const options = readOptions();
  const shortS = Math.max(2, Math.round(options.durationS / 2));
  installSignalHandlers();
  const machine = machineInfo();
  const startedAt = performance.now();

  console.log(`starting 3 fake Piston backends (${options.latencyMs} ms latency) in a child process…`);
  fakesHost = await startFakes(options.latencyMs);
  const adminSecret = `bench-${randomUUID()}`;
  console.log("starting the service (wrangler dev, fresh local D1)…");
  const { startLocalServer } = await import("../test/e2e/local-server.ts");
  service = await startLocalServer({ ADMIN_SECRET: adminSecret });
  const servicePort = Number(new URL(service.url).port);
  serverGroup = findServerGroup(servicePort);
  const sources = watchSources();
  const ctx = { serviceUrl: service.url, servicePort, serverGroup, adminSecret, fakes: fakesHost.fakes, fakesPid: fakesHost.pid, runs: [] };
  if (serverGroup === null) console.log("  (could not find wrangler's process group: server CPU will read 0)");

  console.log(`creating region '${REGION_ID}' (weighted_round_robin) and backends ${BACKENDS.map((b) => `${b.id}:w${b.weight}`).join(", ")}…`);
  const backends = await createTopology(ctx);
  const all = scenarios(ctx.fakes);

  // Preflight: one checked answer of each kind; 12 routed requests must reach all three backends.
  for (const scenario of Object.values(all)) {
    const seen = new Set();
    for (let i = 0; i < (scenario.id === "routed" ? 12 : 1); i++) {
      const base = scenario.target === "fake" ? ctx.fakes[0].url : ctx.serviceUrl;
      const response = await fetch(`${base}${scenario.path}`, { method: scenario.method, headers: scenario.headers, body: scenario.body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_S * 1000) });
      const text = await response.text();
      const result = response.status === 200 ? scenario.check(text, Object.fromEntries(response.headers), true) : { problem: `HTTP ${response.status}` };
      if (result.problem) throw new Error(`preflight ${scenario.id}: ${result.problem}\n  body: ${text.slice(0, 500)}`);
      if (result.served) seen.add(result.served);
    }
    if (scenario.id === "routed" && seen.size !== BACKENDS.length) throw new Error(`preflight: 12 routed requests reached only ${[...seen].join(", ")}`);
  }

  const connectionCounts = [...new Set([1, options.connections])];
  const overhead = [];
  const fairnessResults = [];
  console.log("overhead (weighted_round_robin):");
  for (const connections of connectionCounts) {
    const direct = await measure(ctx, all.direct, { connections, durationS: options.durationS, warmupS: options.warmupS });
    const loaded = connections === options.connections;
    const routed = await measure(ctx, all.routed, {
      connections, durationS: options.durationS, warmupS: options.warmupS, beforeMeasure: loaded ? () => resetFakes(ctx) : undefined,
    });
    routed.policy = "weighted_round_robin";
    if (loaded) fairnessResults.push(fairness("weighted_round_robin", await fakeStats(ctx), routed));
    overhead.push({
      connections,
      direct,
      routed,
      addedMs: { p50: routed.latencyMs.p50 - direct.latencyMs.p50, p90: routed.latencyMs.p90 - direct.latencyMs.p90, p99: routed.latencyMs.p99 - direct.latencyMs.p99 },
    });
  }

  for (const policy of ["random", "least_connections"]) {
    await setPolicy(ctx, policy);
    console.log(`policy → ${policy}; waiting ${AFTER_PATCH_WAIT_MS / 1000} s for every isolate to see it`);
    await sleep(AFTER_PATCH_WAIT_MS);
    const run = await measure(ctx, all.routed, {
      connections: options.connections, durationS: shortS, warmupS: Math.min(1, options.warmupS), beforeMeasure: () => resetFakes(ctx),
    });
    run.policy = policy;
    fairnessResults.push(fairness(policy, await fakeStats(ctx), run));
  }

  console.log("reference:");
  const reference = [];
  for (const connections of connectionCounts) {
    const run = await measure(ctx, all.builtin, { connections, durationS: shortS, warmupS: options.warmupS });
    reference.push({ ...run, label: "built-in: POST /v1/executions javascript (no DO call)" });
  }
  reference.push({ ...(await measure(ctx, all.root, { connections: 1, durationS: shortS, warmupS: options.warmupS })), label: "GET / (no execution)" });
  for (const o of overhead) reference.push({ ...o.routed, label: "remote: POST /api/v2/execute python (WRR)" });
  reference.sort((a, b) => a.connections - b.connections);

  const pool = await admin(ctx, "GET", `/v1/admin/regions/${REGION_ID}/pool`).catch((error) => ({ error: error.message }));
  sources.close();
  await cleanup();

  const problems = [];
  for (const run of ctx.runs) {
    const where = `${run.scenario}, ${run.connections} conn${run.policy ? `, ${run.policy}` : ""}`;
    if (run.errors || run.timeouts) problems.push(`${where}: ${run.errors} connection errors, ${run.timeouts} timeouts`);
    if (run.non2xx) problems.push(`${where}: ${run.non2xx} non-2xx responses`);
    if (run.badBodies) problems.push(`${where}: ${run.badBodies} failed checks, first: ${run.firstBadBody}`);
    if (run.cpuPercent.runtimeProcessChanged) problems.push(`${where}: the workerd process running the Worker changed during the run (restarted?)`);
  }
  if (sources.changes.length) problems.push(`the Worker's sources changed during the run (wrangler dev reloads): ${[...new Set(sources.changes)].slice(0, 5).join(", ")}`);
  const warnings = [];
  if (machine.loadAverageAtStart[0] > 1) warnings.push(`load average was ${machine.loadAverageAtStart[0]} at start: something else was using the machine`);
  for (const run of ctx.runs) {
    if (run.cpuPercent.exitedProcesses) warnings.push(`${run.scenario}, ${run.connections} conn: ${run.cpuPercent.exitedProcesses} server process(es) exited during the run; their CPU is not counted`);
    if (run.cpuPercent.other > NOISY_OTHER_CPU_PERCENT) warnings.push(`${run.scenario}, ${run.connections} conn: other programs used ${fmt(run.cpuPercent.other, 0)}% of a core`);
  }

  const results = {
    machine,
    config: { ...options, shortS, sampleEvery: SAMPLE_EVERY, afterPatchWaitMs: AFTER_PATCH_WAIT_MS, maxConcurrency: MAX_CONCURRENCY, requestBody: JSON.parse(PYTHON_BODY) },
    server: { command: "wrangler dev --var ENVIRONMENT:development --var ADMIN_SECRET:<random> (test/e2e/local-server.ts, fresh local D1)", runtime: "local workerd via wrangler dev" },
    backends,
    overhead,
    fairness: fairnessResults,
    reference: reference.map(({ label, connections, requestsPerSecond, latencyMs, requests, cpuPercent: cpu, cpuMsPerRequest }) => ({ label, connections, requestsPerSecond, latencyMs, requests, cpuPercent: cpu, cpuMsPerRequest })),
    poolSnapshotAtEnd: pool,
    runs: ctx.runs,
    elapsedS: (performance.now() - startedAt) / 1000,
    problems,
    warnings,
    valid: problems.length === 0,
  };
  writeResults(results);
  printReport(results);
  console.log(`total ${fmt(results.elapsedS, 0)} s`);
  return results.valid ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// Child mode: host the fakes (`node routing-bench.mjs --serve-fakes '<json>'`). Prints one JSON
// line with their URLs, then serves until its stdin closes (the parent exited) or SIGTERM.

if (process.argv[2] === "--serve-fakes") {
  const { startFakePistonServer } = await import("../test/fakes/serve-fake-piston.ts");
  const { ids, latencyMs } = JSON.parse(process.argv[3]);
  const servers = await Promise.all(ids.map((id) => startFakePistonServer({ id, latencyMs })));
  const stop = async () => {
    await Promise.allSettled(servers.map((server) => server.close()));
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", () => {}); // the parent decides when we stop
  process.stdin.on("end", stop).resume();
  process.stdout.write(`${JSON.stringify({ fakes: servers.map((server, i) => ({ id: ids[i], url: server.url })) })}\n`);
} else {
  main().then(
    (code) => process.exit(code),
    async (error) => {
      console.error(`\nrouting benchmark failed: ${error.stack ?? error.message}`);
      await cleanup();
      process.exit(1);
    },
  );
}
