#!/usr/bin/env node
// edgebox benchmark: `npm run bench [-- --duration 10 --connections 8 --executions 100000 --port N --skip-memory]`
//
// One command, one run, numbers from the machine it runs on:
//   1. apply the local D1 migrations and start the service as `npm start` does (`wrangler dev`,
//      i.e. the real Worker on local workerd), on a free port, and wait for GET /v1/health = 200;
//   2. measure requests/s and latency p50/p90/p99 for (a) GET /, (b) a trivial JS execution,
//      (c) a CPU-bound program, (d) the trivial program through Piston's POST /api/v2/execute and
//      (e) the trivial program answered from the result cache, each at saturation (N busy
//      connections) and on one connection;
//   3. measure the latency of (a) and (b) under an open-loop load well below capacity: requests
//      arrive at a fixed mean rate (half of (b)'s saturated throughput in this run, Poisson
//      arrivals) whether or not earlier ones have been answered — the latency a client sees when
//      the service is busy but not overloaded, which is what the p50 target is judged on (run
//      right after (a) and (b), before (c)–(e));
//   4. run N trivial executions (default 100,000) and sample the RSS of the workerd process that
//      runs the Worker every N/10, to show whether memory stays flat;
//   5. print a table and write the same numbers to bench/results/latest.json;
//   6. stop the server (its whole process group, workerd included) whatever happens.
//
// Load generator: autocannon's programmatic API. It drives keep-alive connections with its own
// lean HTTP parser, so on a 2-core machine, where the generator and the server share the CPU, it
// takes less of it than a client built on node:http would; it also bounds every run by duration or
// request count and counts errors, timeouts, non-2xx and body mismatches. Latency percentiles are
// computed here from every response's high-resolution time (autocannon's own histogram keeps whole
// milliseconds, too coarse for a sub-10 ms target).
//
// Correctness: every response body is checked cheaply (substring) and one in SAMPLE_EVERY is parsed
// and checked in full (execution status "ok", exact stdout), so a broken service cannot produce a
// fast-looking benchmark. Executions are sent with `Cache-Control: no-store` and every response
// must say `X-Cache: BYPASS`, so (b)–(d) measure programs that really ran, not result-cache hits
// ((e) measures the hits on purpose). Any error, timeout, non-2xx or failed check makes the run
// invalid (exit 1).

import { execFileSync } from "node:child_process";
import { seededRandom } from "../workers/cache/zipf.ts";
import http from "node:http";
import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { freePort } from "./free-port.mjs";
import { applyMigrations, startDevServer, stopServer, waitReady } from "./lib/dev-server.mjs";
import { SCENARIOS } from "./scenarios.mjs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { isWorkerdProxy, listProcesses, machineBusySeconds, rssBytes } from "./lib/proc.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS_FILE = path.join(ROOT, "bench", "results", "latest.json");
const require = createRequire(import.meta.url);

/** Parse and check in full one response in this many (the first one always). */
const SAMPLE_EVERY = 50;
/** Targets from the performance brief. */
const TARGET_RATIO = 0.5;
const TARGET_P50_MS = 10;
const TARGET_RSS_GROWTH = 0.1;
/** Above these, another program was competing for the CPU and the run is flagged as noisy. */
const NOISY_LOAD_AVERAGE = 1;
const NOISY_OTHER_CPU_PERCENT = 25;
/** Upper bounds on the waits, so the harness always stops by itself. */
/** A memory-phase step (N/10 executions) that takes longer than this is stopped and reported. */
const MEMORY_STEP_TIMEOUT_MS = 300_000;
/** Seconds of the one-connection latency run per scenario (after the loaded run, so already warm). */
const SINGLE_CONNECTION_S = 5;
/** Open-loop load: mean arrival rate as a share of (b)'s saturated requests/s, and the scenarios. */
const OPEN_LOOP_SHARE = 0.5;
const OPEN_LOOP_SCENARIOS = ["a", "b"];
/** Fixed seed for the open-loop arrival times, so every run sends the same schedule. */
const OPEN_LOOP_SEED = 0x5eed;
/** Per-request timeout (s): a request that takes longer counts as a timeout, not a latency. */
const REQUEST_TIMEOUT_S = 10;

// ---------------------------------------------------------------------------------------------
// Options

function readOptions() {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "10" },
      warmup: { type: "string", default: "2" },
      connections: { type: "string", default: "8" },
      executions: { type: "string", default: "100000" },
      port: { type: "string" },
      "skip-memory": { type: "boolean", default: false },
      var: { type: "string", multiple: true, default: [] },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(`usage: npm run bench -- [options]
  --duration S       measured seconds per scenario (default 10)
  --warmup S         unmeasured warm-up seconds before each scenario (default 2)
  --connections N    concurrent keep-alive connections (default 8)
  --executions N     trivial executions for the memory check (default 100000; RSS sampled every N/10)
  --port N           port for wrangler dev (default: a free one)
  --skip-memory      skip the memory check
  --var KEY:VALUE    extra variable for the server (repeatable), for diagnostic runs, e.g.
                     --var OTEL_TRACES_SAMPLER_ARG:0; such a run does not measure the defaults`);
    process.exit(0);
  }
  const positiveInt = (name, value, min = 1) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${value}`);
    return n;
  };
  return {
    durationS: positiveInt("duration", values.duration),
    warmupS: positiveInt("warmup", values.warmup, 0),
    connections: positiveInt("connections", values.connections),
    executions: positiveInt("executions", values.executions, 10),
    port: values.port === undefined ? null : positiveInt("port", values.port),
    skipMemory: values["skip-memory"],
    vars: values.var.map((entry) => {
      if (!/^[A-Z][A-Z0-9_]*:/.test(entry)) throw new Error(`--var must be KEY:VALUE, got ${entry}`);
      return entry;
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// What is measured

// The scenarios (a)–(e): requests and response checks, shared with bench/profile.mjs.
const TRIVIAL_EXECUTION = SCENARIOS[1];

// ---------------------------------------------------------------------------------------------
// Processes (/proc): finding workerd, reading its RSS and CPU time

/**
 * wrangler dev runs two workerd processes in its process group: a proxy bound to the public port,
 * and the runtime that hosts the Worker (on an internal port, with the inspector attached). The
 * runtime is the one whose memory matters; the proxy is reported alongside for completeness.
 */
function findWorkerd(server) {
  const workerds = listProcesses().filter((p) => p.pgrp === server.pgid && p.comm === "workerd");
  const isProxy = (p) => isWorkerdProxy(p.pid, server.port);
  const runtime = workerds.find((p) => !isProxy(p)) ?? null;
  const proxy = workerds.find(isProxy) ?? null;
  return { runtime: runtime?.pid ?? null, proxy: proxy?.pid ?? null };
}

/**
 * CPU seconds used so far by the server, split by role: the workerd runtime running the Worker,
 * the workerd proxy in front of it, and wrangler itself (node, which also prints every log line,
 * and esbuild).
 */
function serverCpuSeconds(server) {
  const split = { runtime: 0, proxy: 0, wrangler: 0 };
  for (const p of listProcesses()) {
    if (p.pgrp !== server.pgid) continue;
    const role = p.comm !== "workerd" ? "wrangler" : isWorkerdProxy(p.pid, server.port) ? "proxy" : "runtime";
    split[role] += p.cpuS;
  }
  return split;
}

// ---------------------------------------------------------------------------------------------
// Server lifecycle

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fails fast when a chosen port is taken: otherwise we might benchmark somebody else's server. */
function assertPortFree(port) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", () => reject(new Error(`port ${port} is in use; choose another with --port`)));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

/**
 * A throwaway directory for this run: the local D1 state (so a run neither reads nor changes the
 * developer's .wrangler/state, and always starts from the same fresh database) and the server log.
 */
function makeWorkDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "edgebox-bench-"));
  return { dir, state: path.join(dir, "state"), logFile: path.join(dir, "wrangler-dev.log") };
}

/**
 * `wrangler dev` as `npm start` runs it (bench/lib/dev-server.mjs), on our port, with a free
 * inspector port so it cannot clash with another dev session.
 */
async function startServer(port, workDir, vars) {
  return startDevServer({ port, inspectorPort: await freePort(), state: workDir.state, logFile: workDir.logFile, vars });
}

/**
 * wrangler rebuilds and reloads the Worker when a source file changes; that would skew a run.
 * The log holds a line or two per request (tens of MB), so it is scanned in chunks.
 */
function countReloads(server) {
  const marker = "Reloading local server";
  const buffer = Buffer.alloc(1 << 20);
  let count = 0;
  let carry = "";
  let fd;
  try {
    fd = openSync(server.logFile, "r");
    for (let read; (read = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) {
      const text = carry + buffer.toString("latin1", 0, read);
      count += text.split(marker).length - 1;
      carry = text.slice(-(marker.length - 1)); // a marker split across two chunks is counted once
    }
  } catch {
    // no log: nothing to count
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// Load

/**
 * Checks one response: status 200, the X-Cache header the scenario expects, the cheap body test,
 * and (when `full`) the parsed body. Returns the problem, or null; `onJson` sees parsed bodies.
 */
function checkResponse(scenario, status, text, xCache, full, onJson) {
  if (status !== 200) return `HTTP ${status}`;
  if (scenario.cache && !String(xCache ?? "").startsWith(scenario.cache)) return `X-Cache ${xCache ?? "(none)"}, expected ${scenario.cache}`;
  if (!scenario.quickCheck(text)) return "body failed the quick check";
  if (!full) return null;
  try {
    const json = JSON.parse(text);
    onJson?.(json);
    return scenario.fullCheck(json);
  } catch (error) {
    return `unparseable body (${error.message})`;
  }
}

/**
 * One fully checked request per scenario before any load: a broken service stops the run here.
 * A cache-hit scenario is asked a few times: its first answer stores the result.
 */
async function preflight(port) {
  for (const scenario of SCENARIOS) {
    let problem = null;
    for (let attempt = 0; attempt < (scenario.cache === "HIT" ? 10 : 1); attempt++) {
      if (attempt > 0) await sleep(200);
      const response = await fetch(`http://127.0.0.1:${port}${scenario.path}`, {
        method: scenario.method,
        headers: scenario.headers,
        body: scenario.body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_S * 1000),
      });
      const text = await response.text();
      problem = checkResponse(scenario, response.status, text, response.headers.get("x-cache"), true);
      if (!problem) break;
      problem = `${problem}\n  body: ${text.slice(0, 500)}`;
    }
    if (problem) throw new Error(`(${scenario.id}) ${scenario.method} ${scenario.path} is not answering correctly: ${problem}`);
  }
}

/** A response header from autocannon's raw header object (names keep the server's case). */
function headerValue(headers, name) {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

/** The autocannon instance currently running, so Ctrl-C can stop it. */
let currentLoad = null;

/**
 * Drives one scenario with autocannon, bounded by `durationS` or by `amount` requests (and then by
 * `timeoutMs` as a backstop). Returns counts, requests/s and latency percentiles (ms).
 */
function runLoad(scenario, port, { connections, durationS, amount, timeoutMs }) {
  const latencies = [];
  const bodies = { seen: 0, bad: 0, firstBad: null, sandboxMs: [] };
  const onResponse = (status, text, _context, headers) => {
    if (status < 200 || status > 299) return; // counted by autocannon as non-2xx
    bodies.seen++;
    const full = bodies.seen % SAMPLE_EVERY === 1;
    const problem = checkResponse(scenario, status, text, headerValue(headers, "x-cache"), full, (json) => {
      const ms = scenario.sandboxMs?.(json);
      if (typeof ms === "number") bodies.sandboxMs.push(ms);
    });
    if (problem) {
      bodies.bad++;
      bodies.firstBad ??= `${problem}: ${text.slice(0, 300)}`;
    }
  };

  return new Promise((resolve, reject) => {
    let backstop = null;
    let cutShort = false;
    // Our own clock for requests/s: autocannon reports its duration in whole ticks of 1 s, which is
    // coarse for short runs (a 10k-execution memory step may take only a few seconds).
    const startedAt = performance.now();
    let lastResponseAt = startedAt;
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        requests: [{ method: scenario.method, path: scenario.path, headers: scenario.headers, body: scenario.body, onResponse }],
        connections,
        ...(amount ? { amount } : { duration: durationS }),
        timeout: REQUEST_TIMEOUT_S,
      },
      (error, result) => {
        clearTimeout(backstop);
        currentLoad = null;
        if (error) return reject(error);
        resolve({
          durationS: (lastResponseAt - startedAt) / 1000,
          requests: result.requests.total,
          ok: result["2xx"],
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          badBodies: bodies.bad,
          firstBadBody: bodies.firstBad,
          stoppedByBackstop: cutShort,
          requestsPerSecond: result["2xx"] / ((lastResponseAt - startedAt) / 1000),
          latencyMs: percentiles(latencies, [50, 90, 99]),
          sandboxMsP50: bodies.sandboxMs.length ? percentiles(bodies.sandboxMs, [50]).p50 : null,
        });
      },
    );
    instance.on("response", (_client, _status, _bytes, responseTimeMs) => {
      latencies.push(responseTimeMs);
      lastResponseAt = performance.now();
    });
    currentLoad = instance;
    if (timeoutMs) {
      backstop = setTimeout(() => {
        cutShort = true;
        instance.stop();
      }, timeoutMs);
    }
  });
}

/** Nearest-rank percentiles of a list of numbers, e.g. { p50, p90, p99 }. */
function percentiles(values, ranks) {
  const sorted = Float64Array.from(values).sort();
  const out = {};
  for (const rank of ranks) {
    out[`p${rank}`] = sorted.length ? sorted[Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1)] : null;
  }
  return out;
}


/**
 * Open-loop load: requests are sent at Poisson arrival times with mean `rate` per second for
 * `durationS`, each as soon as it is due, whether or not earlier ones have been answered (unlike
 * autocannon, whose rate limit lets each connection send back to back until it has used its
 * per-second quota and then pause: bursts, not a steady rate). Requests use keep-alive sockets from
 * a pool, a new one only when all are busy. Latency runs from the moment a request is written to the
 * end of its response; `sendLagMs` is how late the client wrote requests relative to their schedule
 * (timer granularity, the client's own event loop), reported so a late client cannot hide.
 */
function runOpenLoop(scenario, port, { rate, durationS, seed }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const random = seededRandom(seed);
  const latencies = [];
  const lags = [];
  const counts = { requests: 0, ok: 0, non2xx: 0, errors: 0, timeouts: 0, badBodies: 0, firstBadBody: null };
  const body = scenario.body === undefined ? undefined : Buffer.from(scenario.body);
  const headers = { ...scenario.headers, ...(body ? { "content-length": String(body.length) } : {}) };
  let maxInFlight = 0;
  let inFlight = 0;
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const endAt = startedAt + durationS * 1000;
    let due = startedAt;
    let scheduling = true;
    let lastResponseAt = startedAt;
    const finish = () => {
      if (scheduling || inFlight > 0) return;
      agent.destroy();
      const elapsedS = (lastResponseAt - startedAt) / 1000;
      resolve({
        targetRate: rate,
        durationS: elapsedS,
        ...counts,
        achievedRate: counts.requests / durationS,
        requestsPerSecond: counts.ok / elapsedS,
        maxInFlight,
        latencyMs: percentiles(latencies, [50, 90, 99]),
        sendLagMs: { ...percentiles(lags, [50, 99]), max: lags.length ? Math.max(...lags) : null },
      });
    };
    const send = () => {
      counts.requests++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const sentAt = performance.now();
      let settled = false;
      const settle = (outcome) => {
        if (settled) return;
        settled = true;
        inFlight--;
        lastResponseAt = performance.now();
        if (outcome) counts[outcome]++;
        finish();
      };
      const request = http.request({ host: "127.0.0.1", port, method: scenario.method, path: scenario.path, headers, agent }, (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("error", () => settle("errors"));
        response.on("end", () => {
          latencies.push(performance.now() - sentAt);
          const status = response.statusCode ?? 0;
          if (status < 200 || status > 299) return settle("non2xx");
          counts.ok++;
          const text = Buffer.concat(chunks).toString("utf8");
          const problem = checkResponse(scenario, status, text, response.headers["x-cache"], counts.ok % SAMPLE_EVERY === 1);
          if (problem) {
            counts.badBodies++;
            counts.firstBadBody ??= `${problem}: ${text.slice(0, 300)}`;
          }
          settle(null);
        });
      });
      request.setTimeout(REQUEST_TIMEOUT_S * 1000, () => {
        request.destroy();
        settle("timeouts");
      });
      request.on("error", () => settle("errors"));
      request.end(body);
    };
    const pump = () => {
      const now = performance.now();
      while (due <= now && due < endAt) {
        lags.push(now - due);
        send();
        due += (-Math.log(1 - random()) * 1000) / rate;
      }
      if (due < endAt && !currentOpenLoop.stopped) {
        currentOpenLoop.timer = setTimeout(pump, Math.max(0, due - performance.now()));
      } else {
        scheduling = false;
        finish();
      }
    };
    currentOpenLoop = { stopped: false, timer: null };
    pump();
  });
}

/** runOpenLoop plus the CPU the server, the client and the rest of the machine used meanwhile. */
async function measureOpenLoop(scenario, server, options) {
  const serverBefore = serverCpuSeconds(server);
  const ownBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  const startedAt = performance.now();
  const load = await runOpenLoop(scenario, server.port, options);
  const elapsedS = (performance.now() - startedAt) / 1000;
  const own = process.cpuUsage(ownBefore);
  const serverAfter = serverCpuSeconds(server);
  const serverSeconds = Object.keys(serverAfter).reduce((sum, role) => sum + serverAfter[role] - serverBefore[role], 0);
  const ownSeconds = (own.user + own.system) / 1e6;
  const percent = (seconds) => (100 * seconds) / elapsedS;
  return {
    ...load,
    serverCpuPercent: {
      total: percent(serverSeconds),
      ...Object.fromEntries(Object.keys(serverAfter).map((role) => [role, percent(serverAfter[role] - serverBefore[role])])),
    },
    loadGeneratorCpuPercent: percent(ownSeconds),
    otherCpuPercent: Math.max(0, percent(machineBusySeconds() - machineBefore - serverSeconds - ownSeconds)),
  };
}

/** The open-loop run in progress, so Ctrl-C can stop its schedule. */
let currentOpenLoop = { stopped: false, timer: null };

/**
 * Warm-up (discarded), then the measured run with the CPU both sides used meanwhile, then a short
 * run on one connection. With N connections kept busy, latency is mostly queueing (about N divided
 * by requests/s); the one-connection run shows what a single request costs when nothing waits.
 */
async function measureScenario(scenario, server, options) {
  if (options.warmupS > 0) await runLoad(scenario, server.port, { connections: options.connections, durationS: options.warmupS });
  const serverCpuBefore = serverCpuSeconds(server);
  const ownCpuBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  const load = await runLoad(scenario, server.port, { connections: options.connections, durationS: options.durationS });
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const serverCpuAfter = serverCpuSeconds(server);
  const machineBusy = machineBusySeconds() - machineBefore;
  const percentOfCore = (seconds) => (100 * seconds) / load.durationS;
  const serverTotal = Object.keys(serverCpuAfter).reduce((sum, role) => sum + serverCpuAfter[role] - serverCpuBefore[role], 0);
  const loadGenerator = (ownCpu.user + ownCpu.system) / 1e6;
  const single = await runLoad(scenario, server.port, { connections: 1, durationS: SINGLE_CONNECTION_S });
  return {
    ...load,
    // Shares of one core over the measured run: how the 2 cores were split, and where the server's went.
    serverCpuPercent: {
      total: percentOfCore(serverTotal),
      ...Object.fromEntries(Object.keys(serverCpuAfter).map((role) => [role, percentOfCore(serverCpuAfter[role] - serverCpuBefore[role])])),
    },
    loadGeneratorCpuPercent: percentOfCore(loadGenerator),
    // Everything else the machine did meanwhile (other programs, interrupts): high means a noisy run.
    otherCpuPercent: Math.max(0, percentOfCore(machineBusy - serverTotal - loadGenerator)),
    singleConnection: {
      requestsPerSecond: single.requestsPerSecond,
      latencyMs: single.latencyMs,
      requests: single.requests,
      problems: single.errors + single.timeouts + single.non2xx + single.badBodies,
      firstBadBody: single.firstBadBody,
    },
  };
}

/**
 * Runs `executions` trivial executions in ten equal steps and samples the Worker runtime's RSS
 * before and after each step.
 */
async function measureMemory(server, options) {
  const step = Math.ceil(options.executions / 10);
  const sample = (executions, load = null) => {
    const pids = findWorkerd(server);
    return {
      executions,
      runtimePid: pids.runtime,
      runtimeRssBytes: pids.runtime ? rssBytes(pids.runtime) : null,
      proxyRssBytes: pids.proxy ? rssBytes(pids.proxy) : null,
      requestsPerSecond: load?.requestsPerSecond ?? null,
      p50Ms: load?.latencyMs.p50 ?? null,
    };
  };
  const samples = [sample(0)];
  if (!samples[0].runtimeRssBytes) throw new Error("could not find the workerd process that runs the Worker");
  const totals = { requests: 0, ok: 0, non2xx: 0, errors: 0, timeouts: 0, badBodies: 0, firstBadBody: null, cutShort: false };
  const cpuAtStart = { machine: machineBusySeconds(), server: serverCpuSeconds(server), own: process.cpuUsage(), at: performance.now() };
  for (let done = 0; done < options.executions; ) {
    const amount = Math.min(step, options.executions - done);
    const load = await runLoad(TRIVIAL_EXECUTION, server.port, {
      connections: Math.min(options.connections, amount),
      amount,
      timeoutMs: MEMORY_STEP_TIMEOUT_MS,
    });
    done += amount;
    for (const key of ["requests", "ok", "non2xx", "errors", "timeouts", "badBodies"]) totals[key] += load[key];
    totals.firstBadBody ??= load.firstBadBody;
    totals.cutShort ||= load.stoppedByBackstop;
    const point = sample(done, load);
    samples.push(point);
    console.log(
      `  ${fmtInt(done).padStart(9)} executions  RSS ${fmtMiB(point.runtimeRssBytes)} MiB  ` +
        `${fmtNum(load.requestsPerSecond, 0)} req/s  p50 ${fmtNum(load.latencyMs.p50, 2)} ms`,
    );
    if (load.stoppedByBackstop) break;
  }
  const serverCpu = serverCpuSeconds(server);
  const serverSeconds = Object.keys(serverCpu).reduce((sum, role) => sum + serverCpu[role] - cpuAtStart.server[role], 0);
  const ownCpu = process.cpuUsage(cpuAtStart.own);
  const elapsedS = (performance.now() - cpuAtStart.at) / 1000;
  const otherCpuPercent = Math.max(0, (100 * (machineBusySeconds() - cpuAtStart.machine - serverSeconds - (ownCpu.user + ownCpu.system) / 1e6)) / elapsedS);
  // Growth after warm-up: from the first step's sample to the last.
  const first = samples[1]?.runtimeRssBytes;
  const last = samples.at(-1)?.runtimeRssBytes;
  const growth = first && last ? (last - first) / first : null;
  const pidChanged = new Set(samples.map((s) => s.runtimePid)).size > 1;
  return { executions: options.executions, step, elapsedS, samples, totals, growthAfterFirstStep: growth, runtimeRestarted: pidChanged, otherCpuPercent };
}

// ---------------------------------------------------------------------------------------------
// Report

const fmtInt = (n) => (n === null || n === undefined ? "–" : Math.round(n).toLocaleString("en-US"));
const fmtNum = (n, digits) => (n === null || n === undefined || Number.isNaN(n) ? "–" : n.toFixed(digits));
const fmtMiB = (bytes) => (bytes ? (bytes / 1024 / 1024).toFixed(1) : "–");
const verdict = (ok) => (ok === null ? "n/a" : ok ? "PASS" : "FAIL");

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
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "workers", "wrangler.toml", "package.json"], { cwd: ROOT, encoding: "utf8" }).trim();
    if (dirty) commit += " (uncommitted changes in workers/ or config)";
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    // Load average when the run started: anything else busy on the machine skews the numbers.
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

/** Problems that make the numbers untrustworthy. */
function findProblems(results) {
  const problems = [];
  const check = (name, r) => {
    if (r.errors || r.timeouts) problems.push(`${name}: ${r.errors} connection errors, ${r.timeouts} timeouts`);
    if (r.non2xx) problems.push(`${name}: ${r.non2xx} non-2xx responses`);
    if (r.badBodies) problems.push(`${name}: ${r.badBodies} responses failed the body check, first: ${r.firstBadBody}`);
  };
  for (const scenario of SCENARIOS) {
    const r = results.scenarios[scenario.id];
    check(`(${scenario.id})`, r);
    if (r.singleConnection.problems) {
      problems.push(`(${scenario.id}) one connection: ${r.singleConnection.problems} failed requests, first bad body: ${r.singleConnection.firstBadBody}`);
    }
  }
  for (const [id, r] of Object.entries(results.openLoop?.scenarios ?? {})) check(`(${id}) open loop`, r);
  if (results.memory) {
    check("memory check", results.memory.totals);
    if (results.memory.totals.cutShort) problems.push(`memory check: a step took over ${MEMORY_STEP_TIMEOUT_MS / 1000} s and was stopped`);
    if (results.memory.runtimeRestarted) problems.push("memory check: the workerd runtime process changed during the run");
  }
  if (results.serverReloads) problems.push(`wrangler reloaded the Worker ${results.serverReloads} time(s) during the run (a source file changed)`);
  return problems;
}

/** Things that make the numbers noisier without making them wrong. */
function findWarnings(results) {
  const warnings = [];
  const [oneMinute] = results.machine.loadAverageAtStart;
  if (oneMinute > NOISY_LOAD_AVERAGE) warnings.push(`load average was ${oneMinute} at start: something else was using the machine`);
  for (const scenario of SCENARIOS) {
    const other = results.scenarios[scenario.id].otherCpuPercent;
    if (other > NOISY_OTHER_CPU_PERCENT) warnings.push(`(${scenario.id}): other programs used ${other.toFixed(0)}% of a core during the run`);
  }
  for (const [id, r] of Object.entries(results.openLoop?.scenarios ?? {})) {
    if (r.sendLagMs.p99 > 2) warnings.push(`(${id}) open loop: the client sent requests late (p99 ${r.sendLagMs.p99.toFixed(1)} ms behind schedule)`);
    if (r.achievedRate < 0.9 * r.targetRate) warnings.push(`(${id}) open loop: sent ${r.achievedRate.toFixed(0)} req/s of ${r.targetRate}`);
    if (r.otherCpuPercent > NOISY_OTHER_CPU_PERCENT) warnings.push(`(${id}) open loop: other programs used ${r.otherCpuPercent.toFixed(0)}% of a core during the run`);
  }
  const memoryOther = results.memory?.otherCpuPercent ?? 0;
  if (memoryOther > NOISY_OTHER_CPU_PERCENT) warnings.push(`memory check: other programs used ${memoryOther.toFixed(0)}% of a core during it`);
  return warnings;
}

function printReport(results) {
  const { machine, config } = results;
  console.log(
    `\nedgebox benchmark — ${machine.date}\n` +
      `machine: ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, load average ${machine.loadAverageAtStart.join(" ")} at start\n` +
      `software: node ${machine.node}, wrangler ${machine.wrangler}, commit ${machine.commit ?? "?"}\n` +
      `server: ${results.server.command} (local workerd); load: autocannon ${machine.autocannon}, ${config.connections} keep-alive connections, ` +
      `${config.durationS} s per scenario after ${config.warmupS} s warm-up.\n` +
      `The load generator and the server share the ${machine.cpuCount} cores (CPU columns: % of one core).\n`,
  );
  const header = ["scenario", "req/s", "p50 ms", "p90 ms", "p99 ms", "requests", "errors", "non-2xx", "bad body", "server CPU", "loadgen CPU", "other CPU", "in sandbox"];
  const rows = SCENARIOS.map((s) => {
    const r = results.scenarios[s.id];
    return [
      `(${s.id}) ${s.label}`,
      fmtNum(r.requestsPerSecond, 0),
      fmtNum(r.latencyMs.p50, 2),
      fmtNum(r.latencyMs.p90, 2),
      fmtNum(r.latencyMs.p99, 2),
      fmtInt(r.requests),
      fmtInt(r.errors + r.timeouts),
      fmtInt(r.non2xx),
      fmtInt(r.badBodies),
      `${fmtNum(r.serverCpuPercent.total, 0)}% = ${["runtime", "proxy", "wrangler"].map((role) => fmtNum(r.serverCpuPercent[role], 0)).join("+")}`,
      `${fmtNum(r.loadGeneratorCpuPercent, 0)}%`,
      `${fmtNum(r.otherCpuPercent, 0)}%`,
      r.sandboxMsP50 === null ? "" : `${fmtNum(r.sandboxMsP50, 2)} ms`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  rows.forEach((row) => console.log(line(row)));
  console.log(
    '("server CPU": workerd runtime + workerd proxy + wrangler; "other CPU": the rest of the machine meanwhile;\n' +
      ' "in sandbox": median time the program ran inside the sandbox as the service reports it, on sampled responses)\n',
  );

  console.log(`one connection, ${SINGLE_CONNECTION_S} s each (no queueing: the cost of a single request):`);
  for (const s of SCENARIOS) {
    const r = results.scenarios[s.id].singleConnection;
    console.log(
      `  (${s.id}) ${fmtNum(r.requestsPerSecond, 0).padStart(5)} req/s   p50 ${fmtNum(r.latencyMs.p50, 2).padStart(6)} ms   ` +
        `p90 ${fmtNum(r.latencyMs.p90, 2).padStart(6)} ms   p99 ${fmtNum(r.latencyMs.p99, 2).padStart(6)} ms`,
    );
  }
  console.log("");

  const ol = results.openLoop;
  console.log(`open loop, ${ol.rate} req/s (${ol.share * 100}% of (b)'s saturated throughput), Poisson arrivals, ${ol.durationS} s each:`);
  for (const [id, r] of Object.entries(ol.scenarios)) {
    console.log(
      `  (${id}) ${fmtNum(r.requestsPerSecond, 0).padStart(5)} req/s   p50 ${fmtNum(r.latencyMs.p50, 2).padStart(6)} ms   ` +
        `p90 ${fmtNum(r.latencyMs.p90, 2).padStart(6)} ms   p99 ${fmtNum(r.latencyMs.p99, 2).padStart(6)} ms   ` +
        `(${fmtInt(r.requests)} requests, at most ${r.maxInFlight} in flight, send lag p99 ${fmtNum(r.sendLagMs.p99, 2)} ms, ` +
        `server CPU ${fmtNum(r.serverCpuPercent.total, 0)}%, other CPU ${fmtNum(r.otherCpuPercent, 0)}%)`,
    );
  }
  console.log("");

  const t = results.targets;
  console.log(`(b)/(a) requests/s: ${fmtNum(t.ratio.value, 3)}   target ≥ ${TARGET_RATIO}   ${verdict(t.ratio.pass)}`);
  console.log(`p50 of (b), open loop at ${ol.rate} req/s: ${fmtNum(t.p50.value, 2)} ms   target < ${TARGET_P50_MS} ms   ${verdict(t.p50.pass)}`);
  console.log(`p50 of (b), saturated (${results.config.connections} connections): ${fmtNum(t.p50.saturatedValue, 2)} ms   (for reference: ${verdict(t.p50.saturatedPass)} against the same target)`);

  if (results.memory) {
    const m = results.memory;
    console.log(
      `\nmemory: VmRSS of the workerd process running the Worker, over ${fmtInt(m.executions)} trivial executions ` +
        `(${fmtNum(m.elapsedS, 0)} s, other programs ${fmtNum(m.otherCpuPercent, 0)}% of a core)`,
    );
    console.log(`  executions   runtime RSS MiB   proxy RSS MiB   req/s   p50 ms`);
    for (const s of m.samples) {
      console.log(
        `  ${fmtInt(s.executions).padStart(10)}   ${fmtMiB(s.runtimeRssBytes).padStart(15)}   ${fmtMiB(s.proxyRssBytes).padStart(13)}` +
          `   ${fmtNum(s.requestsPerSecond, 0).padStart(5)}   ${fmtNum(s.p50Ms, 2).padStart(6)}`,
      );
    }
    console.log(
      `  growth ${fmtInt(m.step)} → ${fmtInt(m.samples.at(-1).executions)}: ${fmtNum(m.growthAfterFirstStep * 100, 1)}%   ` +
        `target < ${TARGET_RSS_GROWTH * 100}%   ${verdict(t.memory.pass)}`,
    );
  }

  if (results.warnings.length) {
    console.log(`\nwarnings:`);
    results.warnings.forEach((w) => console.log(`  - ${w}`));
  }
  if (results.problems.length) {
    console.log(`\nINVALID RUN — these numbers cannot be trusted:`);
    results.problems.forEach((p) => console.log(`  - ${p}`));
  }
  console.log(`\nresults written to ${path.relative(process.cwd(), RESULTS_FILE) || RESULTS_FILE}`);
}

/** Written atomically (the .tmp name is git-ignored), so a crash never leaves half a file. */
function writeResults(results) {
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  const tmp = `${RESULTS_FILE}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(tmp, RESULTS_FILE);
}

// ---------------------------------------------------------------------------------------------
// Main

let server = null;
let workDir = null;

/** Ctrl-C / kill: stop the load and the server, then exit. */
function installSignalHandlers() {
  let stopping = false;
  const onSignal = (signal) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping the server…`);
    currentLoad?.stop();
    currentOpenLoop.stopped = true;
    clearTimeout(currentOpenLoop.timer);
    stopServer(server).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // Last resort if we exit some other way without stopping it (synchronous: no waiting here).
  process.on("exit", () => {
    if (server && !server.stopped) {
      try {
        process.kill(-server.pgid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });
}

async function main() {
  const options = readOptions();
  installSignalHandlers();
  const machine = machineInfo(); // before the server starts, so the load average is the machine's own

  const port = options.port ?? (await freePort());
  await assertPortFree(port);
  workDir = makeWorkDir();
  console.log("applying local D1 migrations (fresh local state)…");
  applyMigrations(workDir.state);
  console.log(`starting wrangler dev on 127.0.0.1:${port}…`);
  server = await startServer(port, workDir, options.vars);
  console.log(`  server log: ${server.logFile}`);
  await waitReady(server);
  const { runtime, proxy } = findWorkerd(server);
  console.log(`ready (workerd runtime pid ${runtime ?? "?"}, proxy pid ${proxy ?? "?"})`);
  await preflight(port);

  const results = {
    machine,
    config: { durationS: options.durationS, warmupS: options.warmupS, connections: options.connections, executions: options.skipMemory ? 0 : options.executions, sampleEvery: SAMPLE_EVERY, vars: options.vars },
    server: { command: server.command, runtime: "local workerd via wrangler dev" },
    scenarios: {},
  };
  // (a) and (b) first, then their open-loop runs at a rate taken from (b) moments earlier (the
  // nearer in time, the likelier the machine is in the same state), then the other scenarios.
  const measure = async (scenario) => {
    console.log(`(${scenario.id}) ${scenario.label}: ${options.warmupS} s warm-up + ${options.durationS} s…`);
    results.scenarios[scenario.id] = { label: scenario.label, method: scenario.method, path: scenario.path, ...(await measureScenario(scenario, server, options)) };
  };
  for (const id of ["a", "b"]) await measure(SCENARIOS.find((s) => s.id === id));
  const openLoopRate = Math.max(1, Math.round(results.scenarios.b.requestsPerSecond * OPEN_LOOP_SHARE));
  results.openLoop = { rate: openLoopRate, share: OPEN_LOOP_SHARE, durationS: options.durationS, arrivals: "Poisson", seed: OPEN_LOOP_SEED, scenarios: {} };
  for (const id of OPEN_LOOP_SCENARIOS) {
    const scenario = SCENARIOS.find((s) => s.id === id);
    console.log(`(${id}) open loop at ${openLoopRate} req/s (${OPEN_LOOP_SHARE * 100}% of (b)'s saturated throughput): ${options.durationS} s…`);
    results.openLoop.scenarios[id] = await measureOpenLoop(scenario, server, { rate: openLoopRate, durationS: options.durationS, seed: OPEN_LOOP_SEED });
  }
  for (const scenario of SCENARIOS) if (!results.scenarios[scenario.id]) await measure(scenario);
  if (!options.skipMemory) {
    console.log(`memory: ${fmtInt(options.executions)} trivial executions, ${options.connections} connections…`);
    results.memory = await measureMemory(server, options);
  }
  results.serverReloads = countReloads(server);

  const a = results.scenarios.a;
  const b = results.scenarios.b;
  const ratio = b.requestsPerSecond / a.requestsPerSecond;
  const openB = results.openLoop.scenarios.b;
  results.targets = {
    ratio: { value: ratio, target: `>= ${TARGET_RATIO}`, pass: ratio >= TARGET_RATIO },
    // Judged under the open-loop load (busy, not overloaded); the saturated p50 is reported beside it.
    p50: {
      value: openB.latencyMs.p50,
      target: `< ${TARGET_P50_MS} ms`,
      pass: openB.latencyMs.p50 < TARGET_P50_MS,
      measuredAt: `open loop, ${results.openLoop.rate} req/s`,
      saturatedValue: b.latencyMs.p50,
      saturatedPass: b.latencyMs.p50 < TARGET_P50_MS,
      measuredAtSaturated: `${options.connections} connections, closed loop`,
    },
    memory: results.memory
      ? { value: results.memory.growthAfterFirstStep, target: `< ${TARGET_RSS_GROWTH}`, pass: results.memory.growthAfterFirstStep < TARGET_RSS_GROWTH }
      : { value: null, target: `< ${TARGET_RSS_GROWTH}`, pass: null },
  };
  results.problems = findProblems(results);
  results.warnings = findWarnings(results);
  results.valid = results.problems.length === 0;

  await stopServer(server);
  writeResults(results);
  printReport(results);
  if (results.valid) rmSync(workDir.dir, { recursive: true, force: true });
  else console.log(`server log kept at ${server.logFile}`);
  return results.valid ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(`\nbenchmark failed: ${error.message}`);
    await stopServer(server);
    if (workDir) console.error(`server log and state kept in ${workDir.dir}`);
    process.exit(1);
  },
);
