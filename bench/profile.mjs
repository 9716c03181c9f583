#!/usr/bin/env node
// Where the Worker's CPU goes, per request:
//   npm run bench:profile [-- --scenario b --duration 10 --connections 8 --interval 500 --var KEY:VALUE --out FILE --top 30]
//
// A developer tool, not a benchmark: it answers "what should I make cheaper?" for one of the
// benchmark's scenarios (a)–(e) (the same requests as `npm run bench`, from bench/scenarios.mjs).
//   1. apply the local D1 migrations into a fresh throwaway directory and start `wrangler dev` on
//      free ports (as bench/run.mjs does; `--var KEY:VALUE` adds variables, e.g.
//      OTEL_TRACES_SAMPLER_ARG:0 to see what tracing costs);
//   2. connect to the Worker isolate through wrangler's inspector (Chrome DevTools protocol);
//   3. send the scenario with autocannon for 2 s unprofiled (warm-up), then for --duration s with
//      V8's sampling CPU profiler on, sampling every --interval µs. 500 µs keeps the profiler's own
//      cost small; at 50 µs it roughly halves throughput and inflates small functions;
//   4. stop the server (its whole process group) and print, per request: the profiled wall time,
//      how much of it the isolate was idle and busy, the top functions by self time (the function's
//      own code) and by inclusive time (itself plus everything it called), and the CPU time of the
//      server's processes from /proc over the same window;
//   5. write the raw profile (default bench/results/profile-<scenario>.cpuprofile, git-ignored):
//      open it in Chrome DevTools (Performance panel → Load profile) or https://www.speedscope.app
//      for flame graphs.
//
// Reading it: every number is milliseconds per request (the profile's totals divided by the
// requests answered while profiling). "busy" is the isolate's thread doing anything: JavaScript,
// wasm (the QuickJS sandbox), garbage collection, "(program)" (workerd's own native work on that
// thread, e.g. HTTP parsing and I/O); it is the number to push down. The profiler measures
// wall-clock time: when the machine has fewer free cores than busy threads (the load generator
// shares them), "busy" also holds moments the thread waited for a core and can exceed the
// "workerd (runtime)" CPU line below it; the split between functions is still roughly right.
// Locations are lines of the bundle wrangler builds (index.js, 1-based), followed by the source
// module esbuild marked there. Locally the Worker and its Durable Objects run in the same isolate,
// so Durable Object work shows up too. Inclusive times of recursive or re-entered functions count
// each sample once. The process CPU lines (from /proc) include threads the profiler does not see;
// "workerd (runtime)" is the process that runs the Worker, "workerd (proxy)" the one in front of
// it. Exits 1 if any profiled response was not a correct 2xx (the numbers would describe a broken
// service).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { freePort } from "./free-port.mjs";
import { applyMigrations, startDevServer, stopServer, waitReady } from "./lib/dev-server.mjs";
import { SCENARIOS } from "./scenarios.mjs";
import { isWorkerdProxy, listProcesses } from "./lib/proc.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const WARMUP_S = 2;
/** Upper bounds on the waits, so the tool always stops by itself. */
const INSPECTOR_TIMEOUT_MS = 15_000;
const CDP_TIMEOUT_MS = 30_000;
/** The whole run, on top of the profiled duration. */
const OVERALL_TIMEOUT_MS = 180_000;
/** Per-request timeout (s) for autocannon. */
const REQUEST_TIMEOUT_S = 10;

// ---------------------------------------------------------------------------------------------
// Options

function readOptions() {
  const { values } = parseArgs({
    options: {
      scenario: { type: "string", default: "b" },
      duration: { type: "string", default: "10" },
      connections: { type: "string", default: "8" },
      interval: { type: "string", default: "500" },
      var: { type: "string", multiple: true, default: [] },
      out: { type: "string" },
      top: { type: "string", default: "30" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(`usage: npm run bench:profile -- [options]
  --scenario a|b|c|d|e  which benchmark scenario to send (default b):
${SCENARIOS.map((s) => `                          (${s.id}) ${s.label}`).join("\n")}
  --duration S          profiled seconds, after ${WARMUP_S} s of unprofiled warm-up (default 10)
  --connections N       concurrent keep-alive connections (default 8)
  --interval US         V8 sampling interval in microseconds (default 500; smaller = more overhead)
  --var KEY:VALUE       extra variable for wrangler dev (repeatable), e.g. OTEL_TRACES_SAMPLER_ARG:0
  --out FILE            where to write the .cpuprofile (default bench/results/profile-<scenario>.cpuprofile)
  --top N               rows in each top list (default 30)
  -h, --help            this text`);
    process.exit(0);
  }
  const positiveInt = (name, value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
    return n;
  };
  const scenario = SCENARIOS.find((s) => s.id === values.scenario);
  if (!scenario) throw new Error(`--scenario must be one of ${SCENARIOS.map((s) => s.id).join(", ")}, got ${values.scenario}`);
  for (const v of values.var) if (!/^[^:]+:/.test(v)) throw new Error(`--var must look like KEY:VALUE, got ${v}`);
  return {
    scenario,
    durationS: positiveInt("duration", values.duration),
    connections: positiveInt("connections", values.connections),
    intervalUs: positiveInt("interval", values.interval),
    vars: values.var,
    out: path.resolve(values.out ?? path.join(ROOT, "bench", "results", `profile-${scenario.id}.cpuprofile`)),
    top: positiveInt("top", values.top),
  };
}

// ---------------------------------------------------------------------------------------------
// Server CPU by process (the server itself: bench/lib/dev-server.mjs)

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * CPU ms used so far by each process of the server's group, labelled by command name; workerd's two
 * processes are told apart: the proxy is the one bound to the public port.
 */
function groupCpu(server) {
  const out = {};
  for (const p of listProcesses()) {
    if (p.pgrp !== server.pgid) continue;
    let label = p.comm;
    if (p.comm === "workerd") label = isWorkerdProxy(p.pid, server.port) ? "workerd (proxy)" : "workerd (runtime)";
    if (p.comm === "node") label = "node (wrangler)";
    out[`${label}\0${p.pid}`] = p.cpuS * 1000;
  }
  return out;
}


// ---------------------------------------------------------------------------------------------
// Inspector (Chrome DevTools protocol over wrangler's inspector proxy)

async function connectInspector(server) {
  if (typeof WebSocket !== "function") throw new Error(`this needs Node 22's global WebSocket (running ${process.version}); use npm run bench:profile`);
  const deadline = Date.now() + INSPECTOR_TIMEOUT_MS;
  let targets = [];
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${server.inspectorPort}/json`, { signal: AbortSignal.timeout(5_000) });
      targets = (await response.json()).filter((t) => t.webSocketDebuggerUrl);
      if (targets.length) break;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  if (!targets.length) throw new Error(`no inspector target on port ${server.inspectorPort} within ${INSPECTOR_TIMEOUT_MS / 1000} s`);
  const target = targets[0];
  // wrangler's inspector proxy refuses connections without an Origin header.
  // @ts-ignore: Node's (undici's) WebSocket takes options with headers as its second argument
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { Origin: "http://localhost" } });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("inspector WebSocket did not open")), INSPECTOR_TIMEOUT_MS);
    ws.onopen = () => (clearTimeout(timer), resolve(undefined));
    ws.onerror = (event) => (clearTimeout(timer), reject(new Error(`inspector WebSocket: ${event.message ?? "error"}`)));
  });
  let nextId = 0;
  const pending = new Map();
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data));
    const waiter = message.id !== undefined && pending.get(message.id);
    if (!waiter) return; // events (we ask for none we need)
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
    else waiter.resolve(message.result);
  };
  ws.onclose = () => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${waiter.method}: inspector connection closed`));
    pending.clear();
  };
  const send = (method, params = {}, timeoutMs = CDP_TIMEOUT_MS) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${method}: no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      pending.set(id, {
        method,
        resolve: (result) => (clearTimeout(timer), resolve(result)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { target, send, close: () => ws.close() };
}

/**
 * The bundle's source, to name the module behind a line (esbuild starts each module with a
 * `// path/to/module.ts` comment). Best effort: the report just leaves module names out without it.
 */
async function bundleModules(inspector, profile) {
  const scriptId = profile.nodes.find((n) => n.callFrame.url === "index.js")?.callFrame.scriptId;
  if (!scriptId) return null;
  try {
    await inspector.send("Debugger.enable");
    const { scriptSource } = await inspector.send("Debugger.getScriptSource", { scriptId });
    await inspector.send("Debugger.disable").catch(() => {});
    const starts = []; // [line (0-based), module path], ascending
    scriptSource.split("\n").forEach((line, i) => {
      const m = /^\/\/ ([\w@.+\-/]+\.(?:[cm]?[jt]sx?|json|wasm))$/.exec(line);
      if (m) starts.push([i, m[1]]);
    });
    return starts.length ? starts : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Load

/**
 * One scenario with autocannon for `durationS`; counts responses that are not a correct 2xx
 * (status, X-Cache when the scenario expects one, the cheap body check).
 */
function runLoad(scenario, port, { connections, durationS }) {
  const bad = { count: 0, first: null };
  const onResponse = (status, text, _context, headers) => {
    if (status < 200 || status > 299) return; // counted by autocannon as non-2xx
    let problem = null;
    if (scenario.cache) {
      const xCache = Object.entries(headers).find(([k]) => k.toLowerCase() === "x-cache")?.[1];
      if (!String(xCache ?? "").startsWith(scenario.cache)) problem = `X-Cache ${xCache ?? "(none)"}, expected ${scenario.cache}`;
    }
    if (!problem && !scenario.quickCheck(text)) problem = "body failed the check";
    if (problem) {
      bad.count++;
      bad.first ??= `${problem}: ${text.slice(0, 300)}`;
    }
  };
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        requests: [{ method: scenario.method, path: scenario.path, headers: scenario.headers, body: scenario.body, onResponse }],
        connections,
        duration: durationS,
        timeout: REQUEST_TIMEOUT_S,
      },
      (error, result) => {
        currentLoad = null;
        if (error) return reject(error);
        resolve({
          elapsedS: (performance.now() - startedAt) / 1000,
          requests: result.requests.total,
          ok: result["2xx"],
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          badBodies: bad.count,
          firstBadBody: bad.first,
        });
      },
    );
    currentLoad = instance;
  });
}

/** One request before any load: a broken service stops here. A cache hit needs a stored result first. */
async function preflight(scenario, port) {
  let problem = "no answer";
  for (let attempt = 0; attempt < (scenario.cache === "HIT" ? 10 : 1); attempt++) {
    if (attempt > 0) await sleep(200);
    const response = await fetch(`http://127.0.0.1:${port}${scenario.path}`, {
      method: scenario.method,
      headers: scenario.headers,
      body: scenario.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_S * 1000),
    });
    const text = await response.text();
    const xCache = response.headers.get("x-cache") ?? "";
    problem =
      response.status !== 200 ? `HTTP ${response.status}`
      : scenario.cache && !xCache.startsWith(scenario.cache) ? `X-Cache ${xCache || "(none)"}, expected ${scenario.cache}`
      : !scenario.quickCheck(text) ? "body failed the check"
      : null;
    if (!problem) return;
    problem = `${problem}\n  body: ${text.slice(0, 500)}`;
  }
  throw new Error(`(${scenario.id}) ${scenario.method} ${scenario.path} is not answering correctly: ${problem}`);
}

// ---------------------------------------------------------------------------------------------
// Analysis

/**
 * Self and inclusive time (µs) per function from a V8 CPU profile. A sample's time is the gap to
 * the next sample (as DevTools counts it). Functions are keyed by name and position, so two
 * closures on one line stay apart only if their columns differ.
 */
function analyse(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const nodeTime = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    nodeTime.set(profile.samples[i], (nodeTime.get(profile.samples[i]) ?? 0) + dt);
  }
  const key = (n) => `${n.callFrame.functionName}\0${n.callFrame.url}\0${n.callFrame.lineNumber}\0${n.callFrame.columnNumber}`;
  const frames = new Map(); // key -> { frame, self, inclusive }
  const entry = (n) => {
    const k = key(n);
    let e = frames.get(k);
    if (!e) frames.set(k, (e = { frame: n.callFrame, self: 0, inclusive: 0 }));
    return e;
  };
  let total = 0;
  for (const [id, t] of nodeTime) {
    total += t;
    const node = byId.get(id);
    entry(node).self += t;
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      const k = key(n);
      if (seen.has(k)) continue; // recursion: count the sample once per function
      seen.add(k);
      entry(n).inclusive += t;
    }
  }
  const idle = [...frames.values()].filter((e) => e.frame.functionName === "(idle)").reduce((sum, e) => sum + e.self, 0);
  const listed = [...frames.values()].filter((e) => e.frame.functionName !== "(root)" && e.frame.functionName !== "(idle)");
  return { totalUs: total, idleUs: idle, frames: listed };
}

function moduleAt(modules, line) {
  if (!modules) return null;
  let lo = 0;
  let hi = modules.length - 1;
  let found = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (modules[mid][0] <= line) {
      found = modules[mid][1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function describe(frame, modules) {
  const name = frame.functionName || "(anonymous)";
  const { url, lineNumber } = frame;
  if (!url) return { name, where: "" };
  if (url.startsWith("wasm://")) return { name, where: `wasm ${url.split("/").pop()}` };
  if (url === "index.js") {
    const mod = moduleAt(modules, lineNumber);
    return { name, where: `index.js:${lineNumber + 1}${mod ? `  ${mod}` : ""}` };
  }
  return { name, where: lineNumber >= 0 ? `${url}:${lineNumber + 1}` : url };
}

// ---------------------------------------------------------------------------------------------
// Report

const ms = (us, requests) => (us / 1000 / requests).toFixed(3);
const int = (n) => Math.round(n).toLocaleString("en-US");

function printReport({ options, load, analysis, cpu, loadgenCpuMs, modules, target }) {
  const n = load.requests || 1;
  const busy = analysis.totalUs - analysis.idleUs;
  console.log(
    `\n(${options.scenario.id}) ${options.scenario.label}: ${options.connections} connections, ${options.durationS} s profiled ` +
      `after ${WARMUP_S} s warm-up, sampling every ${options.intervalUs} µs` +
      (options.vars.length ? `, --var ${options.vars.join(" --var ")}` : "") +
      `\ninspector target: ${target.title ?? target.id}`,
  );
  console.log(`requests: ${int(load.requests)} (${int(load.ok)} 2xx), ${(load.ok / load.elapsedS).toFixed(0)} req/s while profiled`);
  console.log(`\nWorker isolate, ms per request:`);
  console.log(`  ${ms(analysis.totalUs, n).padStart(8)}  sampled (profiled wall time / requests)`);
  console.log(`  ${ms(analysis.idleUs, n).padStart(8)}  idle`);
  console.log(`  ${ms(busy, n).padStart(8)}  busy (JavaScript, wasm, GC and workerd's native work on the isolate's thread)`);

  console.log(`\nprocess CPU (utime+stime from /proc over the profiled load), ms per request:`);
  const byLabel = new Map();
  for (const [k, after] of Object.entries(cpu.after)) {
    const label = k.split("\0")[0];
    byLabel.set(label, (byLabel.get(label) ?? 0) + after - (cpu.before[k] ?? 0));
  }
  const rows = [...byLabel].sort((a, b) => b[1] - a[1]);
  rows.push(["load generator (this process)", loadgenCpuMs]);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, cpuMs] of rows) console.log(`  ${label.padEnd(width)}  ${(cpuMs / n).toFixed(3).padStart(7)}`);
  console.log(`  (10 ms clock ticks: ±${(10 / n).toFixed(3)} ms per process)`);

  const table = (title, field) => {
    console.log(`\ntop ${options.top} by ${title}, ms per request (% of busy):`);
    const top = [...analysis.frames].sort((a, b) => b[field] - a[field]).slice(0, options.top);
    const described = top.map((e) => ({ ...describe(e.frame, modules), t: e[field] }));
    const nameWidth = Math.min(48, Math.max(...described.map((d) => d.name.length)));
    for (const d of described) {
      const share = busy ? `${((d.t / busy) * 100).toFixed(1)}%` : "";
      console.log(`  ${ms(d.t, n).padStart(7)} ${share.padStart(6)}  ${d.name.slice(0, 48).padEnd(nameWidth)}  ${d.where}`);
    }
  };
  table("self time (the function's own code)", "self");
  table("inclusive time (itself and everything it called)", "inclusive");
}

// ---------------------------------------------------------------------------------------------
// Main

let server = null;
let workDir = null;
/** @type {any} the autocannon instance running now, so Ctrl-C can stop it */
let currentLoad = null;

function installStopHandlers(options) {
  const killNow = () => {
    if (server && !server.stopped) {
      try {
        process.kill(-server.pgid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  // Last resort on any exit (synchronous: no waiting here).
  process.on("exit", killNow);
  let stopping = false;
  const stopAndExit = (message, code, keepWorkDir) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${message}: stopping the server…`);
    currentLoad?.stop();
    stopServer(server).finally(() => {
      if (workDir && keepWorkDir) console.error(`server log and state kept in ${workDir.dir}`);
      else if (workDir) rmSync(workDir.dir, { recursive: true, force: true });
      process.exit(code);
    });
  };
  process.on("SIGINT", () => stopAndExit("SIGINT", 130, false));
  process.on("SIGTERM", () => stopAndExit("SIGTERM", 143, false));
  const overallMs = OVERALL_TIMEOUT_MS + options.durationS * 1000;
  setTimeout(() => stopAndExit(`gave up after ${overallMs / 1000} s`, 1, true), overallMs).unref();
}

async function main() {
  const options = readOptions();
  installStopHandlers(options);

  const dir = mkdtempSync(path.join(os.tmpdir(), "edgebox-profile-"));
  workDir = { dir, state: path.join(dir, "state"), logFile: path.join(dir, "wrangler-dev.log") };
  console.log("applying local D1 migrations (fresh local state)…");
  applyMigrations(workDir.state);
  const port = await freePort();
  const inspectorPort = await freePort();
  console.log(`starting wrangler dev on 127.0.0.1:${port} (inspector ${inspectorPort})…`);
  server = startDevServer({ port, inspectorPort, state: workDir.state, logFile: workDir.logFile, vars: options.vars });
  await waitReady(server);
  const inspector = await connectInspector(server);
  await preflight(options.scenario, port);

  console.log(`(${options.scenario.id}) ${options.scenario.label}: ${WARMUP_S} s warm-up, then ${options.durationS} s profiled…`);
  await runLoad(options.scenario, port, { connections: options.connections, durationS: WARMUP_S });
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: options.intervalUs });
  await inspector.send("Profiler.start");
  const cpuBefore = groupCpu(server);
  const loadgenBefore = process.cpuUsage();
  const load = await runLoad(options.scenario, port, { connections: options.connections, durationS: options.durationS });
  const loadgen = process.cpuUsage(loadgenBefore);
  const cpuAfter = groupCpu(server);
  const { profile } = await inspector.send("Profiler.stop", {}, 120_000);
  await inspector.send("Profiler.disable").catch(() => {});
  const modules = await bundleModules(inspector, profile);
  inspector.close();
  await stopServer(server);

  mkdirSync(path.dirname(options.out), { recursive: true });
  writeFileSync(options.out, JSON.stringify(profile));
  printReport({
    options,
    load,
    analysis: analyse(profile),
    cpu: { before: cpuBefore, after: cpuAfter },
    loadgenCpuMs: (loadgen.user + loadgen.system) / 1000,
    modules,
    target: inspector.target,
  });
  const shown = path.relative(process.cwd(), options.out);
  console.log(`\nprofile written to ${shown.startsWith("..") ? options.out : shown} (Chrome DevTools → Performance → Load profile, or speedscope.app)`);

  const problems = [];
  if (load.errors || load.timeouts) problems.push(`${load.errors} connection errors, ${load.timeouts} timeouts`);
  if (load.non2xx) problems.push(`${load.non2xx} non-2xx responses`);
  if (load.badBodies) problems.push(`${load.badBodies} 2xx responses failed the check, first: ${load.firstBadBody}`);
  if (problems.length) {
    console.log(`\nINVALID RUN — the profile describes a service that was not answering correctly:`);
    problems.forEach((p) => console.log(`  - ${p}`));
    console.log(`server log kept at ${workDir.logFile}`);
    return 1;
  }
  rmSync(workDir.dir, { recursive: true, force: true });
  return 0;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(`\nprofile failed: ${error.message}`);
    await stopServer(server);
    if (workDir) console.error(`server log and state kept in ${workDir.dir}`);
    process.exit(1);
  },
);
