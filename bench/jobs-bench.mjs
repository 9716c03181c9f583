#!/usr/bin/env node
// Async jobs benchmark (docs/jobs.md#benchmark):
//   npm run bench:jobs [-- --jobs 10000 --interactive-share 0.2 --submitters 4]
// (npm runs the pinned Node 22, which this script needs: it imports test/e2e/local-server.ts
// directly, with Node's type stripping.)
//
// One command, one run, every number from that run:
//   1. The service under `wrangler dev` (test/e2e/local-server.ts: fresh local D1, ENVIRONMENT
//      development), with JOBS_MAX_QUEUED_INTERACTIVE and JOBS_MAX_QUEUED_BATCH raised to
//      max(20000, 2 × --jobs) so the whole flood is accepted (429s are still handled and counted).
//   2. Baseline: the same trivial program through synchronous POST /v1/executions (autocannon,
//      `Cache-Control: no-store`, every answer checked) on 1, 4 and 8 connections.
//   3. The flood: --jobs trivial JavaScript jobs (`console.log(<n>)`, `"cache":"bypass"`, so every
//      job really executes), through POST /v1/jobs/batch, --batch-size per request, lanes
//      interleaved (every 5th job interactive at the default share 0.2), --submitters requests in
//      flight, as fast as the API accepts them (429 → wait Retry-After, retry the same request).
//   4. While it drains:
//      - interactive probes: one POST /v1/jobs (interactive) every --probe-interval-ms from the end
//        of the submission until the batch lane is empty — "interactive latency while a batch
//        flood is draining", with the interactive lane's own backlog gone;
//      - long-poll cross-check: every --watch-every-th interactive job of the flood is waited for
//        with GET /v1/jobs/:id?wait=60 by a pool of --watchers requests, so the client-observed
//        submit-to-result time can be set against the job's own timestamps;
//      - drain detection: once a second GET /v1/jobs?status=queued&limit=50 and, when nothing is
//        queued, ?status=running&limit=1. Nothing else polls.
//   5. After the drain: one sweep of GET /v1/jobs?limit=100 pages (every job of the tenant) reads
//      each job's createdAt/startedAt/completedAt; all latencies come from those timestamps (one
//      clock, the Worker's), so they do not depend on when the client looked.
//      Where the time goes, also from the service's own records: the delivered batches of each lane
//      (recovered from startedAt: a consumer invocation starts its first 6 messages in one clock
//      tick), and the traces of --traces submit requests (GET /v1/traces/:id, named by each submit
//      response's traceparent), whose consumer spans split each job's handler time into before
//      startedAt / startedAt → completedAt / after completedAt. CPU by process from /proc.
//   6. Prints tables and writes bench/results/jobs-latest.json with the machine's description.
//
// Correctness is part of the measurement: every submitted job must be found completed exactly once
// in the sweep, with result status ok, stdout "<n>\n" and cache.status BYPASS. Lost, failed,
// stuck, duplicated or unexpected jobs, non-2xx answers (other than counted 429s), and a change to
// the Worker's sources during the run make the run invalid (exit 1): wrangler dev then reloads the
// Worker, and the local queues lose the messages they held (those jobs stay queued for ever). With
// others editing the checkout, use --snapshot: the service then runs from a copy of HEAD.

import { execFileSync, execSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, watch, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { commandLine, isWorkerdProxy, listProcesses, machineBusySeconds } from "./lib/proc.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);

const NOISY_OTHER_CPU_PERCENT = 25;
const REQUEST_TIMEOUT_MS = 30_000;
const DRAIN_POLL_MS = 1_000;
/** Parse and check in full one baseline response in this many (the others get the cheap checks). */
const SAMPLE_EVERY = 50;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Options

function readOptions() {
  const { values } = parseArgs({
    options: {
      jobs: { type: "string", default: "10000" },
      "batch-size": { type: "string", default: "100" },
      "interactive-share": { type: "string", default: "0.2" },
      submitters: { type: "string", default: "4" },
      "probe-interval-ms": { type: "string", default: "500" },
      "watch-every": { type: "string", default: "20" },
      watchers: { type: "string", default: "16" },
      "baseline-duration": { type: "string", default: "5" },
      "baseline-connections": { type: "string", default: "1,4,8" },
      "drain-timeout": { type: "string", default: "600" },
      output: { type: "string", default: "bench/results/jobs-latest.json" },
      snapshot: { type: "boolean", default: false },
      var: { type: "string", multiple: true, default: [] },
      label: { type: "string", default: "" },
      traces: { type: "string", default: "5" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(`usage: npm run bench:jobs -- [options]
  --jobs N                  jobs in the flood (default 10000)
  --batch-size N            jobs per POST /v1/jobs/batch (default 100, at most JOBS_BATCH_MAX)
  --interactive-share F     share of interactive jobs, interleaved (default 0.2)
  --submitters N            batch submits in flight (default 4)
  --probe-interval-ms MS    interactive probe jobs during the drain, one per MS (default 500; 0: none)
  --watch-every K           long-poll every K-th interactive job of the flood (default 20; 0: none)
  --watchers N              long-polls in flight (default 16)
  --baseline-duration S     seconds per synchronous baseline run, after 1 s warm-up (default 5)
  --baseline-connections L  comma-separated connection counts (default 1,4,8; "" skips the baseline)
  --drain-timeout S         give up waiting for the drain after S seconds (default 600)
  --output FILE             results file (default bench/results/jobs-latest.json)
  --traces N                read the traces of N submit requests (spread over the flood) for the
                            consumer-time breakdown (default 5; 0: none)
  --snapshot                run the service from a copy of the committed tree (git archive HEAD)
                            instead of the working tree: others' edits cannot reload it mid-run
  --var NAME=VALUE          another wrangler var for the service (repeatable)
  --label TEXT              a note stored with the results (e.g. what an experiment changed)`);
    process.exit(0);
  }
  const int = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${values[name]}`);
    return n;
  };
  const share = Number(values["interactive-share"]);
  if (!(share >= 0 && share <= 1)) throw new Error(`--interactive-share must be within 0..1, got ${values["interactive-share"]}`);
  const connections = values["baseline-connections"].split(",").filter(Boolean).map(Number);
  if (connections.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--baseline-connections: ${values["baseline-connections"]}`);
  return {
    jobs: int("jobs", 1),
    batchSize: int("batch-size", 1),
    interactiveShare: share,
    submitters: int("submitters", 1),
    probeIntervalMs: int("probe-interval-ms", 0),
    watchEvery: int("watch-every", 0),
    watchers: int("watchers", 1),
    baselineDurationS: int("baseline-duration", 1),
    baselineConnections: connections,
    drainTimeoutS: int("drain-timeout", 10),
    output: path.resolve(ROOT, values.output),
    traces: int("traces", 0),
    snapshot: values.snapshot,
    extraVars: Object.fromEntries(
      values.var.map((v) => {
        const eq = v.indexOf("=");
        if (eq < 1) throw new Error(`--var must be NAME=VALUE, got ${v}`);
        return [v.slice(0, eq), v.slice(eq + 1)];
      }),
    ),
    label: values.label,
  };
}

// ---------------------------------------------------------------------------------------------
// Processes: CPU time by role (/proc), as in bench/routing-bench.mjs

/** The `wrangler dev` listening on `port` (startLocalServer starts it detached: pid = process group). */
function findServer(port) {
  const wrangler = listProcesses().find((p) => p.pid === p.pgrp && / dev /.test(commandLine(p.pid)) && commandLine(p.pid).includes(`--port ${port} `));
  if (!wrangler) return { group: null, stateDir: null };
  const stateDir = /--persist-to (\S+)/.exec(commandLine(wrangler.pid))?.[1] ?? null;
  return { group: wrangler.pgrp, stateDir };
}

function ioBytes(pid) {
  try {
    const io = Object.fromEntries(readFileSync(`/proc/${pid}/io`, "utf8").trim().split("\n").map((line) => line.split(": ")));
    return { read: Number(io.read_bytes), write: Number(io.write_bytes) };
  } catch {
    return { read: 0, write: 0 };
  }
}

/**
 * CPU seconds so far by role: the workerd running the Worker, its D1, queues and Durable Objects
 * ("runtime"), wrangler's proxy workerd ("proxy"), wrangler itself (node; it also prints every log
 * line), this process (the load generator), and the whole machine. Plus the runtime's disk writes.
 */
function cpuSnapshot(ctx) {
  const split = { runtime: 0, proxy: 0, wrangler: 0 };
  let runtimeWrite = 0;
  for (const p of listProcesses()) {
    if (ctx.serverGroup === null || p.pgrp !== ctx.serverGroup) continue;
    const role = p.comm !== "workerd" ? "wrangler" : isWorkerdProxy(p.pid, ctx.servicePort) ? "proxy" : "runtime";
    split[role] += p.cpuS;
    if (role === "runtime") runtimeWrite += ioBytes(p.pid).write;
  }
  const own = process.cpuUsage();
  return { ...split, loadgen: (own.user + own.system) / 1e6, machine: machineBusySeconds(), runtimeWrite, at: performance.now() };
}

function cpuPercent(before, after) {
  const seconds = (after.at - before.at) / 1000;
  const pct = (key) => (100 * (after[key] - before[key])) / seconds;
  const out = { seconds, runtime: pct("runtime"), proxy: pct("proxy"), wrangler: pct("wrangler"), loadgen: pct("loadgen") };
  out.server = out.runtime + out.proxy + out.wrangler;
  out.other = Math.max(0, pct("machine") - out.server - out.loadgen);
  out.runtimeCpuS = after.runtime - before.runtime;
  out.serverCpuS = out.runtimeCpuS + (after.proxy - before.proxy) + (after.wrangler - before.wrangler);
  out.runtimeDiskWriteMiB = (after.runtimeWrite - before.runtimeWrite) / 1024 ** 2;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Statistics

function percentiles(values, ranks = [50, 90, 99]) {
  const sorted = Float64Array.from(values).sort();
  const out = { n: sorted.length };
  for (const rank of ranks) out[`p${rank}`] = sorted.length ? sorted[Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1)] : null;
  out.max = sorted.length ? sorted[sorted.length - 1] : null;
  out.mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null;
  return out;
}

/** Number of values ≤ x in an ascending array. */
function countAtMost(sorted, x) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countBelow(sorted, x) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Jobs of a set queued at time t: created at or before t, not started by t. */
function backlogCounter(jobs) {
  const created = jobs.map((j) => j.createdAt).sort((a, b) => a - b);
  const started = jobs.map((j) => j.startedAt ?? Infinity).sort((a, b) => a - b);
  return {
    atOrBefore: (t) => countAtMost(created, t) - countAtMost(started, t),
    strictlyBefore: (t) => countBelow(created, t) - countAtMost(started, t),
  };
}

/** Sweep line over [startedAt, completedAt): most jobs running at once, and the mean over a span. */
function concurrency(jobs, from, to) {
  const events = [];
  let busyMs = 0;
  for (const j of jobs) {
    if (j.startedAt === null || j.completedAt === null) continue;
    events.push([j.startedAt, 1], [j.completedAt, -1]);
    busyMs += j.completedAt - j.startedAt;
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, delta] of events) {
    now += delta;
    max = Math.max(max, now);
  }
  return { max, mean: to > from ? busyMs / (to - from) : null };
}

// ---------------------------------------------------------------------------------------------
// HTTP

const httpTally = new Map();
function tally(label, status) {
  const key = `${label} ${status}`;
  httpTally.set(key, (httpTally.get(key) ?? 0) + 1);
}

async function request(ctx, label, method, pathname, body, headers = {}) {
  const startedAt = Date.now();
  let response;
  try {
    response = await fetch(`${ctx.serviceUrl}${pathname}`, {
      method,
      headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(pathname.includes("wait=") ? REQUEST_TIMEOUT_MS + 65_000 : REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    tally(label, "error");
    return { status: 0, error: String(error.cause ?? error), startedAt, endedAt: Date.now(), body: null, headers: new Headers() };
  }
  const text = await response.text();
  tally(label, response.status);
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // kept as text
  }
  return { status: response.status, headers: response.headers, body: parsed, startedAt, endedAt: Date.now() };
}

// ---------------------------------------------------------------------------------------------
// Baseline: synchronous POST /v1/executions

const TRIVIAL_BODY = JSON.stringify({ language: "javascript", code: "console.log(1)" });

function checkExecution(text, headers, full) {
  const xcache = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === "x-cache")?.[1];
  if (xcache !== "BYPASS") return `X-Cache ${xcache}, expected BYPASS`;
  if (!text.includes('"status":"ok"') || !text.includes('"stdout":"1\\n"')) return "status/stdout";
  if (full) {
    const json = JSON.parse(text);
    if (json.status !== "ok" || json.stdout !== "1\n" || json.exitCode !== 0) return `status ${json.status}, stdout ${JSON.stringify(json.stdout)}`;
  }
  return null;
}

let currentLoad = null;

function runLoad(baseUrl, { connections, durationS }) {
  const latencies = [];
  const counts = { seen: 0, bad: 0, firstBad: null };
  const onResponse = (status, text, _context, headers) => {
    if (status < 200 || status > 299) return;
    counts.seen++;
    let problem;
    try {
      problem = checkExecution(text, headers, counts.seen % SAMPLE_EVERY === 1);
    } catch (error) {
      problem = `unparseable body (${error.message})`;
    }
    if (problem) {
      counts.bad++;
      counts.firstBad ??= `${problem}: ${text.slice(0, 300)}`;
    }
  };
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let lastResponseAt = startedAt;
    const instance = autocannon(
      {
        url: baseUrl,
        requests: [{ method: "POST", path: "/v1/executions", headers: { "content-type": "application/json", "cache-control": "no-store" }, body: TRIVIAL_BODY, onResponse }],
        connections,
        duration: durationS,
        timeout: 10,
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
          requestsPerSecond: result["2xx"] / elapsedS,
          latencyMs: percentiles(latencies),
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

async function baseline(ctx, options) {
  const runs = [];
  for (const connections of options.baselineConnections) {
    process.stdout.write(`  POST /v1/executions, ${connections} connection(s): 1 s warm-up + ${options.baselineDurationS} s… `);
    await runLoad(ctx.serviceUrl, { connections, durationS: 1 });
    const before = cpuSnapshot(ctx);
    const load = await runLoad(ctx.serviceUrl, { connections, durationS: options.baselineDurationS });
    const cpu = cpuPercent(before, cpuSnapshot(ctx));
    const cpuMsPerRequest = { runtime: (cpu.runtimeCpuS * 1000) / load.ok, server: (cpu.serverCpuS * 1000) / load.ok };
    console.log(`${load.requestsPerSecond.toFixed(0)} req/s, p50 ${load.latencyMs.p50?.toFixed(1)} ms, p99 ${load.latencyMs.p99?.toFixed(1)} ms`);
    runs.push({ ...load, cpuPercent: cpu, cpuMsPerRequest });
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------
// The flood

function buildFlood(options) {
  const entries = [];
  for (let n = 0; n < options.jobs; n++) {
    // Interleaved: job n is interactive when it crosses the next multiple of 1/share (every 5th at 0.2).
    const interactive = Math.floor((n + 1) * options.interactiveShare) > Math.floor(n * options.interactiveShare);
    entries.push({ n, lane: interactive ? "interactive" : "batch", expectedStdout: `${n}\n` });
  }
  const requests = [];
  for (let i = 0; i < entries.length; i += options.batchSize) requests.push(entries.slice(i, i + options.batchSize));
  return { entries, requests };
}

const jobBody = (n, lane) => ({ language: "javascript", code: `console.log(${n})`, cache: "bypass", priority: lane });

async function submitFlood(ctx, flood, options, submitted) {
  const stats = { requests: [], rateLimited: 0, retryAfterWaitS: 0, rejected: [] };
  let next = 0;
  const worker = async () => {
    while (next < flood.requests.length) {
      const index = next++;
      const chunk = flood.requests[index];
      const body = JSON.stringify({ jobs: chunk.map((e) => jobBody(e.n, e.lane)) });
      for (;;) {
        const response = await request(ctx, "POST /v1/jobs/batch", "POST", "/v1/jobs/batch", body);
        if (response.status === 429) {
          const retryAfter = Number(response.headers.get("retry-after")) || 5;
          stats.rateLimited++;
          stats.retryAfterWaitS += retryAfter;
          await sleep(retryAfter * 1000);
          continue;
        }
        const traceId = /^00-([0-9a-f]{32})-/.exec(response.headers.get("traceparent") ?? "")?.[1] ?? null;
        stats.requests.push({ index, status: response.status, ms: response.endedAt - response.startedAt, startedAt: response.startedAt, endedAt: response.endedAt, traceId });
        if (response.status !== 202 || !Array.isArray(response.body?.jobs)) {
          stats.rejected.push({ index, status: response.status, body: JSON.stringify(response.body ?? response.error).slice(0, 300) });
          break;
        }
        response.body.jobs.forEach((answer, i) => {
          const entry = chunk[i];
          if (answer?.id && answer.status === "queued") {
            submitted.set(answer.id, { ...entry, kind: "flood", submittedAt: response.endedAt, requestStartedAt: response.startedAt });
          } else {
            stats.rejected.push({ index, entry: entry.n, answer: JSON.stringify(answer).slice(0, 300) });
          }
        });
        if (ctx.onAccepted) ctx.onAccepted(chunk, response);
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.submitters, flood.requests.length) }, worker));
  return stats;
}

/** Long-polls sampled jobs (GET /v1/jobs/:id?wait=60) with at most `watchers` in flight. */
function startWatchers(ctx, options) {
  const pending = [];
  const observed = [];
  const idle = [];
  let closed = false;
  const wakeAll = () => idle.splice(0).forEach((resolve) => resolve());
  const add = (id, requestStartedAt) => {
    pending.push({ id, requestStartedAt });
    wakeAll();
  };
  const worker = async () => {
    for (;;) {
      if (pending.length === 0) {
        if (closed) return;
        await new Promise((resolve) => idle.push(resolve));
        continue;
      }
      const { id, requestStartedAt } = pending.shift();
      const firstPollAt = Date.now();
      let polls = 0;
      for (;;) {
        polls++;
        const response = await request(ctx, "GET /v1/jobs/:id?wait=60", "GET", `/v1/jobs/${id}?wait=60`);
        if (response.status === 200) {
          observed.push({ id, requestStartedAt, firstPollAt, observedAt: response.endedAt, polls, status: response.body.status });
          break;
        }
        if (response.status !== 202) {
          observed.push({ id, requestStartedAt, firstPollAt, observedAt: response.endedAt, polls, status: `HTTP ${response.status}` });
          break;
        }
      }
    }
  };
  const workers = Array.from({ length: options.watchers }, worker);
  return {
    add,
    observed,
    close: async () => {
      closed = true;
      wakeAll();
      await Promise.all(workers);
    },
  };
}

/** One interactive job every `intervalMs` (POST /v1/jobs) until stopped. */
function startProbes(ctx, intervalMs, submitted) {
  let stopped = false;
  let count = 0;
  const inFlight = new Set();
  const loop = (async () => {
    while (!stopped) {
      const k = count++;
      const p = (async () => {
        const response = await request(ctx, "POST /v1/jobs (probe)", "POST", "/v1/jobs", jobBody(`"probe-${k}"`, "interactive"));
        if (response.status === 202 && response.body?.id) {
          submitted.set(response.body.id, { n: `probe-${k}`, lane: "interactive", kind: "probe", expectedStdout: `probe-${k}\n`, submittedAt: response.endedAt, requestStartedAt: response.startedAt });
        } else {
          ctx.probeRejected.push({ k, status: response.status, body: JSON.stringify(response.body ?? response.error).slice(0, 300) });
        }
      })();
      inFlight.add(p);
      p.finally(() => inFlight.delete(p));
      await sleep(intervalMs);
    }
  })();
  return {
    get count() {
      return count;
    },
    stop: async () => {
      stopped = true;
      await loop;
      await Promise.all(inFlight);
    },
  };
}

/**
 * Waits until nothing is queued or running. Once a second: the newest 50 queued jobs (the list is
 * newest first); when the page is not full and holds no batch job, the batch lane is empty
 * (`onBatchLaneEmpty`); when nothing is queued, whether anything still runs.
 */
async function waitForDrain(ctx, options, { onBatchLaneEmpty }) {
  const deadline = Date.now() + options.drainTimeoutS * 1000;
  const polls = [];
  let batchLaneEmptyAt = null;
  while (Date.now() < deadline) {
    const queued = await request(ctx, "GET /v1/jobs?status=queued", "GET", "/v1/jobs?status=queued&limit=50");
    polls.push(queued.endedAt - queued.startedAt);
    if (process.env.JOBS_BENCH_DEBUG) console.log(`\n  queued poll: HTTP ${queued.status}, ${queued.body?.jobs?.length} jobs (${queued.body?.jobs?.filter((j) => j.lane === "batch").length} batch), next ${queued.body?.nextCursor}`);
    if (queued.status === 200) {
      const page = queued.body.jobs;
      if (batchLaneEmptyAt === null && queued.body.nextCursor === null && !page.some((j) => j.lane === "batch")) {
        batchLaneEmptyAt = Date.now();
        await onBatchLaneEmpty();
        continue;
      }
      if (page.length === 0) {
        const running = await request(ctx, "GET /v1/jobs?status=running", "GET", "/v1/jobs?status=running&limit=1");
        polls.push(running.endedAt - running.startedAt);
        if (running.status === 200 && running.body.jobs.length === 0) return { drained: true, detectedAt: Date.now(), batchLaneEmptyAt, polls };
      }
    }
    await sleep(DRAIN_POLL_MS);
  }
  return { drained: false, detectedAt: Date.now(), batchLaneEmptyAt, polls };
}

/** Every job of the tenant, newest first, 100 per page. */
async function sweep(ctx) {
  const jobs = [];
  const pageMs = [];
  let cursor = null;
  do {
    const response = await request(ctx, "GET /v1/jobs (sweep)", "GET", `/v1/jobs?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    if (response.status !== 200) throw new Error(`sweep: HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
    pageMs.push(response.endedAt - response.startedAt);
    jobs.push(...response.body.jobs);
    cursor = response.body.nextCursor;
  } while (cursor);
  return { jobs, pages: pageMs.length, pageMs: percentiles(pageMs), totalMs: pageMs.reduce((a, b) => a + b, 0) };
}

/** Files and bytes under the local state directory, by top-level Durable Object / D1 directory. */
function stateUsage(stateDir) {
  const out = {};
  if (!stateDir) return out;
  const walk = (dir, key) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, key ?? entry.name);
      else {
        const k = key ?? ".";
        out[k] ??= { files: 0, bytes: 0 };
        out[k].files++;
        try {
          out[k].bytes += statSync(full).size;
        } catch {
          // gone meanwhile
        }
      }
    }
  };
  for (const sub of ["v3/do", "v3/d1"]) {
    try {
      for (const entry of readdirSync(path.join(stateDir, sub), { withFileTypes: true })) {
        if (entry.isDirectory()) walk(path.join(stateDir, sub, entry.name), `${sub}/${entry.name}`);
      }
    } catch {
      // layout differs
    }
  }
  return out;
}

/** The traces of `count` submit requests spread over the flood (GET /v1/traces/:traceId). */
async function readTraces(ctx, requests, count) {
  const withTrace = requests.filter((r) => r.traceId).sort((a, b) => a.index - b.index);
  if (count === 0 || withTrace.length === 0) return [];
  const picks = [...new Set(Array.from({ length: Math.min(count, withTrace.length) }, (_, i) => Math.round((i * (withTrace.length - 1)) / Math.max(1, count - 1))))];
  const traces = [];
  for (const i of picks) {
    const response = await request(ctx, "GET /v1/traces/:traceId", "GET", `/v1/traces/${withTrace[i].traceId}`);
    if (response.status === 200) traces.push({ index: withTrace[i].index, spans: response.body.spans });
  }
  return traces;
}

/**
 * Where a consumer slot's time goes, from the consumer spans of the traced submit requests (one
 * `process edgebox-jobs-<lane>` span per message, from the handler's start to its end) set against
 * the job's own timestamps: before startedAt; startedAt → completedAt (the start UPDATE and the
 * program, through routing); and completedAt → end of the span (the completing UPDATE, re-reading
 * the job, waking its JobWatch). The Workers clock advances only across I/O, so these are I/O-bounded
 * intervals.
 */
function consumerTime(traces, jobs) {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const out = {};
  for (const lane of ["interactive", "batch"]) {
    const rows = [];
    for (const trace of traces) {
      const children = new Map();
      for (const span of trace.spans) {
        if (!span.parentSpanId) continue;
        if (!children.has(span.parentSpanId)) children.set(span.parentSpanId, []);
        children.get(span.parentSpanId).push(span);
      }
      const descendants = (id) => (children.get(id) ?? []).flatMap((c) => [c, ...descendants(c.spanId)]);
      for (const span of trace.spans) {
        if (span.kind !== "consumer" || span.name !== `process edgebox-jobs-${lane}`) continue;
        const job = byId.get(span.attributes?.["edgebox.job.id"]);
        if (!job?.startedAt || !job.completedAt) continue;
        const startedAt = Date.parse(job.startedAt);
        const completedAt = Date.parse(job.completedAt);
        const sandbox = descendants(span.spanId).find((c) => c.name === "sandbox.execute");
        rows.push({
          start: span.startTime,
          end: span.endTime,
          spanMs: span.endTime - span.startTime,
          beforeStartMs: startedAt - span.startTime,
          runMs: completedAt - startedAt,
          afterCompleteMs: span.endTime - completedAt,
          sandboxMs: sandbox ? sandbox.endTime - sandbox.startTime : null,
        });
      }
    }
    if (rows.length === 0) continue;
    const mean = (key) => rows.reduce((a, r) => a + (r[key] ?? 0), 0) / rows.length;
    out[lane] = {
      spans: rows.length,
      spanMs: percentiles(rows.map((r) => r.spanMs)),
      beforeStartMs: percentiles(rows.map((r) => r.beforeStartMs)),
      runMs: percentiles(rows.map((r) => r.runMs)),
      afterCompleteMs: percentiles(rows.map((r) => r.afterCompleteMs)),
      sandboxMs: percentiles(rows.map((r) => r.sandboxMs).filter((x) => x !== null)),
      shareOfSpan: { beforeStart: mean("beforeStartMs") / mean("spanMs"), run: mean("runMs") / mean("spanMs"), afterComplete: mean("afterCompleteMs") / mean("spanMs") },
    };
  }
  return out;
}

/**
 * Delivered batches of a lane, recovered from the jobs' startedAt: a consumer invocation starts its
 * first CONSUMER_CONCURRENCY (6) messages in one synchronous turn, and the Workers clock does not
 * advance without I/O, so those jobs share one startedAt. Every tick shared by ≥ `minGroup` jobs of
 * the lane is a batch start; a job belongs to the latest batch start at or before its own. Per
 * batch: its cycle (to the next batch's start: locally one batch per queue is in flight), the span
 * of its jobs' work (first start → last completedAt), and the gap after it (last completedAt → next
 * batch's start: the last job's completing UPDATE, re-read and wake-up, the end of the invocation
 * and the queue's next dispatch).
 */
function deliveredBatches(set, minGroup) {
  const ticks = new Map();
  for (const r of set) ticks.set(r.startedAt, (ticks.get(r.startedAt) ?? 0) + 1);
  const starts = [...ticks].filter(([, n]) => n >= minGroup).map(([t]) => t).sort((a, b) => a - b);
  if (starts.length < 2) return null;
  const batches = starts.map((start) => ({ start, jobs: 0, lastCompleted: start }));
  for (const r of set) {
    const i = countAtMost(starts, r.startedAt) - 1;
    if (i < 0) continue;
    batches[i].jobs++;
    batches[i].lastCompleted = Math.max(batches[i].lastCompleted, r.completedAt);
  }
  const full = batches.slice(0, -1).map((b, i) => ({ ...b, cycle: starts[i + 1] - b.start, work: b.lastCompleted - b.start, gap: starts[i + 1] - b.lastCompleted }));
  const sum = (key) => full.reduce((a, b) => a + b[key], 0);
  return {
    batches: batches.length,
    jobsPerBatch: percentiles(batches.map((b) => b.jobs)),
    cycleMs: percentiles(full.map((b) => b.cycle)),
    workMs: percentiles(full.map((b) => b.work)),
    gapMs: percentiles(full.map((b) => b.gap)),
    overlapping: full.filter((b) => b.gap < 0).length,
    shareOfCycle: { work: sum("work") / sum("cycle"), gap: sum("gap") / sum("cycle") },
    intervals: batches.map((b) => [b.start, b.lastCompleted]),
  };
}

/** Total length of the union of [from, to) intervals. */
function unionLength(intervals) {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [from, to] = [-Infinity, -Infinity];
  for (const [a, b] of sorted) {
    if (a > to) {
      if (to > from) total += to - from;
      [from, to] = [a, b];
    } else to = Math.max(to, b);
  }
  if (to > from) total += to - from;
  return total;
}

/**
 * Do the two lanes' consumers work at the same time? Over the span where both lanes had delivered
 * batches: the time each lane's batches were working (first start → last completedAt), and the time
 * both were. Independent consumers would overlap by about busyA × busyB / span.
 */
function laneOverlap(lanes) {
  const a = lanes.interactive?.deliveredBatches?.intervals;
  const b = lanes.batch?.deliveredBatches?.intervals;
  if (!a?.length || !b?.length) return null;
  const from = Math.max(a[0][0], b[0][0]);
  const to = Math.min(a.at(-1)[1], b.at(-1)[1]);
  const clip = (list) => list.map(([x, y]) => [Math.max(x, from), Math.min(y, to)]).filter(([x, y]) => y > x);
  const ca = clip(a);
  const cb = clip(b);
  const busyA = unionLength(ca);
  const busyB = unionLength(cb);
  const both = busyA + busyB - unionLength([...ca, ...cb]);
  const span = to - from;
  return { spanMs: span, interactiveBusyMs: busyA, batchBusyMs: busyB, bothBusyMs: both, expectedIfIndependentMs: span > 0 ? (busyA * busyB) / span : null };
}

// ---------------------------------------------------------------------------------------------
// Analysis

const ms = (iso) => (iso ? Date.parse(iso) : null);

function analyse(submitted, swept, watchers, phases, options) {
  const problems = [];
  const byId = new Map();
  const duplicates = [];
  for (const job of swept.jobs) {
    if (byId.has(job.id)) duplicates.push(job.id);
    byId.set(job.id, job);
  }
  if (duplicates.length) problems.push(`${duplicates.length} job ids listed twice in the sweep, e.g. ${duplicates[0]}`);
  const unexpected = [...byId.keys()].filter((id) => !submitted.has(id));
  if (unexpected.length) problems.push(`${unexpected.length} jobs in the tenant that this run did not submit, e.g. ${unexpected[0]}`);

  const rows = [];
  const missing = [];
  const notCompleted = {};
  const wrong = [];
  let redelivered = 0;
  const attemptsHistogram = {};
  for (const [id, s] of submitted) {
    const job = byId.get(id);
    if (!job) {
      missing.push(id);
      continue;
    }
    attemptsHistogram[job.attempts] = (attemptsHistogram[job.attempts] ?? 0) + 1;
    if (job.attempts > 1) redelivered++;
    if (job.status !== "completed") {
      (notCompleted[job.status] ??= []).push({ id, error: job.error });
      continue;
    }
    const r = job.result;
    if (r?.status !== "ok" || r.stdout !== s.expectedStdout || r.exitCode !== 0 || r.cache?.status !== "BYPASS" || job.lane !== s.lane) {
      wrong.push({ id, lane: job.lane, expectedLane: s.lane, status: r?.status, stdout: r?.stdout, expected: s.expectedStdout, cache: r?.cache?.status });
      continue;
    }
    rows.push({
      id,
      kind: s.kind,
      lane: job.lane,
      attempts: job.attempts,
      createdAt: ms(job.createdAt),
      startedAt: ms(job.startedAt),
      completedAt: ms(job.completedAt),
      requestStartedAt: s.requestStartedAt,
      submittedAt: s.submittedAt,
      cpuMs: r.timings?.cpuMs ?? null,
      wallMs: r.timings?.wallMs ?? null,
    });
  }
  if (missing.length) problems.push(`${missing.length} submitted jobs are missing from the sweep (lost), e.g. ${missing[0]}`);
  for (const [status, list] of Object.entries(notCompleted)) problems.push(`${list.length} jobs ended ${status}, e.g. ${list[0].id}: ${list[0].error}`);
  if (wrong.length) problems.push(`${wrong.length} completed jobs with a wrong result, e.g. ${JSON.stringify(wrong[0])}`);

  const flood = rows.filter((r) => r.kind === "flood");
  const probes = rows.filter((r) => r.kind === "probe");
  const all = rows;
  const t0 = Math.min(...flood.map((r) => r.createdAt));
  const lastCreated = Math.max(...flood.map((r) => r.createdAt));
  const tEnd = Math.max(...flood.map((r) => r.completedAt));
  const floodDrainS = (tEnd - t0) / 1000;

  const latency = (set) => ({
    total: percentiles(set.map((r) => r.completedAt - r.createdAt)),
    queueWait: percentiles(set.map((r) => r.startedAt - r.createdAt)),
    run: percentiles(set.map((r) => r.completedAt - r.startedAt)),
  });

  // Completion curve of the flood: when 10 %, 50 %, 90 %, 100 % had completed (s after the first submit).
  const completions = flood.map((r) => r.completedAt).sort((a, b) => a - b);
  const at = (q) => (completions[Math.min(completions.length - 1, Math.ceil(q * completions.length) - 1)] - t0) / 1000;
  const steady = completions.length >= 10 ? (0.8 * completions.length) / (at(0.9) - at(0.1)) : null;
  const perSecond = [];
  for (const t of completions) {
    const bucket = Math.floor((t - t0) / 1000);
    perSecond[bucket] = (perSecond[bucket] ?? 0) + 1;
  }

  // Interactive jobs submitted while batch jobs were queued (the batch lane's backlog at their createdAt).
  const batchJobs = flood.filter((r) => r.lane === "batch");
  const interactiveJobs = all.filter((r) => r.lane === "interactive");
  const batchBacklog = backlogCounter(batchJobs);
  const interactiveBacklog = backlogCounter(interactiveJobs);
  const duringFlood = flood.filter((r) => r.lane === "interactive" && batchBacklog.atOrBefore(r.createdAt) > 0);
  const probesDuringFlood = probes.filter((r) => batchBacklog.atOrBefore(r.createdAt) > 0);
  const probesIsolated = probesDuringFlood.filter((r) => interactiveBacklog.strictlyBefore(r.createdAt) === 0);
  const backlogAt = (set) => percentiles(set.map((r) => batchBacklog.atOrBefore(r.createdAt)));

  const lanes = {};
  for (const lane of ["interactive", "batch"]) {
    const set = flood.filter((r) => r.lane === lane);
    if (set.length === 0) continue;
    const first = Math.min(...set.map((r) => r.createdAt));
    const last = Math.max(...set.map((r) => r.completedAt));
    const firstStart = Math.min(...set.map((r) => r.startedAt));
    lanes[lane] = {
      jobs: set.length,
      drainS: (last - first) / 1000,
      jobsPerSecond: set.length / ((last - firstStart) / 1000),
      ...latency(set),
      concurrency: concurrency(set, firstStart, last),
      deliveredBatches: deliveredBatches(set, 6),
    };
  }

  // Client-observed (long-poll) vs the job's own timestamps, for sampled jobs whose poll began before they completed.
  const watched = [];
  for (const w of watchers) {
    const r = rows.find((row) => row.id === w.id);
    if (!r) continue;
    watched.push({ ...w, waited: w.firstPollAt < r.completedAt, observedMs: w.observedAt - w.requestStartedAt, serverMs: r.completedAt - r.createdAt, wakeMs: w.observedAt - r.completedAt });
  }
  const waitedOnes = watched.filter((w) => w.waited);
  const watcherProblems = watchers.filter((w) => w.status !== "completed");
  if (watcherProblems.length) problems.push(`${watcherProblems.length} long-polls ended without a completed job, e.g. ${JSON.stringify(watcherProblems[0])}`);
  const badClock = waitedOnes.filter((w) => w.observedMs + 1000 < w.serverMs);
  if (badClock.length) problems.push(`${badClock.length} long-polled jobs completed (by their timestamps) later than the client saw them, e.g. ${JSON.stringify(badClock[0])}`);

  const overlap = laneOverlap(lanes);
  for (const l of Object.values(lanes)) if (l.deliveredBatches) delete l.deliveredBatches.intervals;
  return {
    problems,
    laneOverlap: overlap,
    counts: {
      submitted: submitted.size,
      flood: [...submitted.values()].filter((s) => s.kind === "flood").length,
      probes: [...submitted.values()].filter((s) => s.kind === "probe").length,
      swept: swept.jobs.length,
      completedOk: rows.length,
      missing: missing.length,
      notCompleted: Object.fromEntries(Object.entries(notCompleted).map(([k, v]) => [k, v.length])),
      wrongResult: wrong.length,
      unexpected: unexpected.length,
      duplicatesInSweep: duplicates.length,
      redelivered,
      attemptsHistogram,
    },
    flood: {
      jobs: flood.length,
      submitSpanS: (lastCreated - t0) / 1000,
      drainS: floodDrainS,
      jobsPerSecond: flood.length / floodDrainS,
      steadyJobsPerSecond: steady,
      completedByS: { p10: at(0.1), p50: at(0.5), p90: at(0.9), p100: at(1) },
      afterLastSubmitS: (tEnd - lastCreated) / 1000,
      ...latency(flood),
      concurrency: concurrency(flood, t0, tEnd),
      completionsPerSecond: Array.from(perSecond, (n) => n ?? 0),
      sandboxCpuMs: percentiles(flood.map((r) => r.cpuMs).filter((x) => x !== null)),
    },
    lanes,
    interactiveDuringFlood: {
      definition: "interactive jobs of the flood whose createdAt fell while ≥ 1 batch job was queued (created, not yet started)",
      jobs: duringFlood.length,
      ...latency(duringFlood),
      batchBacklogAtSubmit: backlogAt(duringFlood),
      interactiveBacklogAtSubmit: percentiles(duringFlood.map((r) => interactiveBacklog.strictlyBefore(r.createdAt))),
    },
    probes: {
      jobs: probes.length,
      duringFlood: { jobs: probesDuringFlood.length, ...latency(probesDuringFlood), batchBacklogAtSubmit: backlogAt(probesDuringFlood) },
      isolated: {
        definition: "probes submitted while batch jobs were queued and no other interactive job was",
        jobs: probesIsolated.length,
        ...latency(probesIsolated),
        batchBacklogAtSubmit: backlogAt(probesIsolated),
      },
    },
    longPollCrossCheck: {
      sampled: watchers.length,
      waitedBeforeCompletion: waitedOnes.length,
      observedMinusServerMs: percentiles(waitedOnes.map((w) => w.observedMs - w.serverMs)),
      wakeAfterCompletedAtMs: percentiles(waitedOnes.map((w) => w.wakeMs)),
    },
    phasesS: phases,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n, digits = 0) => (n === null || n === undefined || Number.isNaN(n) ? "–" : n.toFixed(digits));
const s1 = (msValue) => fmt(msValue === null || msValue === undefined ? null : msValue / 1000, 2);

function machineInfo(snapshot) {
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
    if (snapshot) commit += " (service run from a copy of the committed tree)";
    else if (dirty) commit += " (uncommitted changes in workers/, durable-objects/ or config)";
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
    miniflare: version("miniflare"),
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
  const { machine, config, analysis: a } = results;
  console.log(
    `\nedgebox jobs benchmark — ${machine.date}\n` +
      `machine: ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, load average ${machine.loadAverageAtStart.join(" ")} at start\n` +
      `software: node ${machine.node}, wrangler ${machine.wrangler}, miniflare ${machine.miniflare}, commit ${machine.commit ?? "?"}\n` +
      `flood: ${config.jobs} jobs (${fmt(config.interactiveShare * 100)} % interactive, interleaved), ${config.batchSize} per POST /v1/jobs/batch, ${config.submitters} in flight; ` +
      `vars ${Object.entries(config.vars).map(([k, v]) => `${k}=${v}`).join(" ")}; service: ${config.serviceSource}${config.label ? `\nlabel: ${config.label}` : ""}\n`,
  );

  if (results.baseline.length) {
    console.log("Baseline: synchronous POST /v1/executions console.log(1), no-store");
    table(
      ["connections", "req/s", "p50 ms", "p99 ms", "requests", "err/non2xx/bad", "runtime CPU ms/req", "server CPU %", "other CPU %"],
      results.baseline.map((r) => [
        r.connections, fmt(r.requestsPerSecond), fmt(r.latencyMs.p50, 1), fmt(r.latencyMs.p99, 1), r.requests, `${r.errors + r.timeouts}/${r.non2xx}/${r.badBodies}`,
        fmt(r.cpuMsPerRequest.runtime, 2), fmt(r.cpuPercent.server), fmt(r.cpuPercent.other),
      ]),
    );
    console.log("");
  }

  const sub = results.submit;
  console.log(
    `Submit: ${sub.accepted} jobs accepted in ${fmt(sub.spanS, 1)} s (${fmt(sub.jobsPerSecond)} jobs/s), ${sub.requests} requests, ` +
      `p50 ${fmt(sub.requestMs.p50)} ms / p99 ${fmt(sub.requestMs.p99)} ms per request; 429s: ${sub.rateLimited} (waited ${sub.retryAfterWaitS} s); rejected: ${sub.rejected}`,
  );
  const f = a.flood;
  console.log(
    `Drain: ${f.jobs} flood jobs, first submit → last completion ${fmt(f.drainS, 1)} s = ${fmt(f.jobsPerSecond, 1)} jobs/s ` +
      `(10 %→90 % of completions: ${fmt(f.steadyJobsPerSecond, 1)} jobs/s; ${fmt(f.afterLastSubmitS, 1)} s after the last submit); ` +
      `jobs running at once: mean ${fmt(f.concurrency.mean, 1)}, max ${f.concurrency.max}\n`,
  );

  console.log("Submit-to-complete latency (completedAt − createdAt, the job's own timestamps), seconds");
  const row = (label, set, extra = "") => [
    label, set.total.n, s1(set.total.p50), s1(set.total.p90), s1(set.total.p99), s1(set.total.max), s1(set.queueWait.p50), s1(set.queueWait.p99), fmt(set.run.p50), fmt(set.run.p99), extra,
  ];
  const rows = [row("flood, all", f, `${fmt(f.jobsPerSecond, 1)} jobs/s`)];
  for (const [lane, l] of Object.entries(a.lanes)) rows.push(row(`flood, ${lane}`, l, `${fmt(l.jobsPerSecond, 1)} jobs/s, ≤${l.concurrency.max} at once (mean ${fmt(l.concurrency.mean, 1)})`));
  const d = a.interactiveDuringFlood;
  rows.push(row("interactive while batch queued", d, `batch backlog p50 ${fmt(d.batchBacklogAtSubmit.p50)}, own lane p50 ${fmt(d.interactiveBacklogAtSubmit.p50)}`));
  if (a.probes.jobs) {
    rows.push(row("probes while batch queued", a.probes.duringFlood, `batch backlog p50 ${fmt(a.probes.duringFlood.batchBacklogAtSubmit.p50)}`));
    rows.push(row("  … own lane empty", a.probes.isolated, `batch backlog p50 ${fmt(a.probes.isolated.batchBacklogAtSubmit.p50)}`));
  }
  table(["jobs", "n", "p50", "p90", "p99", "max", "wait p50", "wait p99", "run p50 ms", "run p99 ms", ""], rows);

  const cpu = results.cpu;
  console.log(
    `\nCPU (% of one core; the machine has ${machine.cpuCount * 100} %): submit phase server ${fmt(cpu.submit.server)} % (runtime ${fmt(cpu.submit.runtime)}), other ${fmt(cpu.submit.other)} %; ` +
      `drain phase server ${fmt(cpu.drain.server)} % (runtime ${fmt(cpu.drain.runtime)} + proxy ${fmt(cpu.drain.proxy)} + wrangler ${fmt(cpu.drain.wrangler)}), other ${fmt(cpu.drain.other)} %`,
  );
  console.log(
    `runtime CPU per job over submit + drain: ${fmt(results.cpuPerJob.runtimeMs, 2)} ms (server ${fmt(results.cpuPerJob.serverMs, 2)} ms); ` +
      `sandbox's own cpuMs per job p50 ${fmt(f.sandboxCpuMs.p50, 2)}; runtime disk writes ${fmt(cpu.submit.runtimeDiskWriteMiB + cpu.drain.runtimeDiskWriteMiB)} MiB`,
  );
  const lp = a.longPollCrossCheck;
  console.log(
    `long-poll cross-check: ${lp.sampled} sampled, ${lp.waitedBeforeCompletion} parked before completion; client-observed − timestamps p50 ${fmt(lp.observedMinusServerMs.p50)} ms, ` +
      `p99 ${fmt(lp.observedMinusServerMs.p99)} ms; 200 arrived p50 ${fmt(lp.wakeAfterCompletedAtMs.p50)} ms after completedAt`,
  );
  for (const [lane, l] of Object.entries(a.lanes)) {
    const b = l.deliveredBatches;
    if (!b) continue;
    console.log(
      `${lane} lane: ${b.batches} delivered batches (recovered from startedAt), p50 ${fmt(b.jobsPerBatch.p50)} jobs; cycle p50 ${fmt(b.cycleMs.p50)} ms = ` +
        `jobs' work p50 ${fmt(b.workMs.p50)} ms (${fmt(b.shareOfCycle.work * 100)} %) + gap to the next batch p50 ${fmt(b.gapMs.p50)} ms (${fmt(b.shareOfCycle.gap * 100)} %)` +
        (b.overlapping ? `; ${b.overlapping} batches overlapped the next` : ""),
    );
  }
  if (a.laneOverlap) {
    const o = a.laneOverlap;
    console.log(
      `lanes at once: over ${fmt(o.spanMs / 1000, 1)} s the interactive lane's batches were working ${fmt(o.interactiveBusyMs / 1000, 1)} s, the batch lane's ${fmt(o.batchBusyMs / 1000, 1)} s, ` +
        `both at once ${fmt(o.bothBusyMs / 1000, 1)} s (independent consumers: ≈ ${fmt(o.expectedIfIndependentMs / 1000, 1)} s)`,
    );
  }
  for (const [lane, c] of Object.entries(a.consumerTime ?? {})) {
    const busy = a.lanes[lane] ? (a.lanes[lane].jobsPerSecond * c.spanMs.mean) / 1000 : null;
    console.log(
      `consumer time per ${lane} job (${c.spans} traced): whole handler p50 ${fmt(c.spanMs.p50)} ms / p99 ${fmt(c.spanMs.p99)} ms = ` +
        `before start ${fmt(c.shareOfSpan.beforeStart * 100)} % + start UPDATE & run ${fmt(c.shareOfSpan.run * 100)} % (p50 ${fmt(c.runMs.p50)} ms; sandbox p50 ${fmt(c.sandboxMs.p50)} ms) + ` +
        `complete, re-read, wake-up ${fmt(c.shareOfSpan.afterComplete * 100)} % (p50 ${fmt(c.afterCompleteMs.p50)} ms); ` +
        `busy handlers ≈ ${fmt(a.lanes[lane]?.jobsPerSecond, 1)} jobs/s × ${fmt(c.spanMs.mean)} ms = ${fmt(busy, 1)}`,
    );
  }
  console.log(`drain detection: ${results.drain.polls} polls, p50 ${fmt(results.drain.pollMs.p50)} ms; sweep: ${results.sweep.pages} pages, ${fmt(results.sweep.totalMs / 1000, 1)} s`);
  console.log(`state on disk at the end: ${Object.entries(results.stateUsage).map(([k, v]) => `${k} ${v.files} files ${fmt(v.bytes / 1024 ** 2, 1)} MiB`).join("; ")}`);
  console.log(`HTTP answers: ${Object.entries(results.http).map(([k, v]) => `${k}: ${v}`).join("; ")}`);
  console.log(`jobs: ${JSON.stringify(a.counts)}`);

  if (results.warnings.length) {
    console.log("\nwarnings:");
    results.warnings.forEach((w) => console.log(`  - ${w}`));
  }
  if (results.problems.length) {
    console.log("\nINVALID RUN — these numbers cannot be trusted:");
    results.problems.forEach((p) => console.log(`  - ${p}`));
  }
  console.log(`\nresults written to ${path.relative(process.cwd(), config.output) || config.output}`);
}

function writeResults(file, results) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(tmp, file);
}

// ---------------------------------------------------------------------------------------------
// Main

let service = null;
let serverGroup = null;
let snapshotDir = null;

async function cleanup() {
  currentLoad?.stop();
  const s = service;
  service = null;
  await s?.stop();
  if (snapshotDir) {
    process.chdir(ROOT);
    rmSync(snapshotDir, { recursive: true, force: true });
    snapshotDir = null;
  }
}

/** The committed tree (git archive HEAD) in a temporary directory, with this checkout's node_modules. */
function makeSnapshot() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "edgebox-jobs-bench-src-"));
  execSync(`git archive HEAD | tar -x -C ${JSON.stringify(dir)}`, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

function installSignalHandlers() {
  let stopping = false;
  const onSignal = (signal) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping the server…`);
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
function watchSources(serviceDir) {
  const changes = [];
  const watchers = [];
  for (const dir of ["workers", "durable-objects"]) {
    try {
      watchers.push(watch(path.join(serviceDir, dir), { recursive: true }, (_event, file) => changes.push(`${dir}/${file}`)));
    } catch {
      // not watchable here: nothing recorded
    }
  }
  try {
    watchers.push(watch(serviceDir, (_event, file) => file === "wrangler.toml" && changes.push(file)));
  } catch {
    // not watchable
  }
  return { changes, close: () => watchers.forEach((w) => w.close()) };
}

async function main() {
  const options = readOptions();
  installSignalHandlers();
  const machine = machineInfo(options.snapshot);
  const startedAt = performance.now();
  const limit = String(Math.max(20_000, 2 * options.jobs));
  const vars = { JOBS_MAX_QUEUED_INTERACTIVE: limit, JOBS_MAX_QUEUED_BATCH: limit, JOBS_BATCH_MAX: String(Math.max(100, options.batchSize)), ...options.extraVars };

  if (options.snapshot) {
    snapshotDir = makeSnapshot();
    process.chdir(snapshotDir); // wrangler dev (startLocalServer) runs in the current directory
    console.log(`service source: a copy of HEAD (${machine.commit}) in ${snapshotDir}`);
  }
  const serviceDir = process.cwd();
  if (!options.snapshot && serviceDir !== ROOT) machine.commit = `service run from ${serviceDir}, not this checkout (${machine.commit})`;
  console.log("starting the service (wrangler dev, fresh local D1)…");
  const { startLocalServer } = await import("../test/e2e/local-server.ts");
  service = await startLocalServer(vars);
  const servicePort = Number(new URL(service.url).port);
  const server = findServer(servicePort);
  serverGroup = server.group;
  const sources = watchSources(serviceDir);
  const ctx = { serviceUrl: service.url, servicePort, serverGroup, probeRejected: [] };
  if (serverGroup === null) console.log("  (could not find wrangler's process group: server CPU will read 0)");

  // Preflight: one job through the whole pipeline, long-polled, checked in full.
  const pre = await request(ctx, "POST /v1/jobs?wait=30 (preflight)", "POST", "/v1/jobs?wait=30", jobBody(42, "batch"));
  if (pre.status !== 200 || pre.body?.status !== "completed" || pre.body.result?.stdout !== "42\n" || pre.body.result?.cache?.status !== "BYPASS") {
    throw new Error(`preflight job: HTTP ${pre.status} ${JSON.stringify(pre.body).slice(0, 500)}`);
  }
  const preflightJobId = pre.body.id;

  console.log("baseline:");
  const baselineRuns = await baseline(ctx, options);

  const flood = buildFlood(options);
  const submitted = new Map();
  const watchers = startWatchers(ctx, options);
  let interactiveSeen = 0;
  ctx.onAccepted = (chunk, response) => {
    if (!options.watchEvery) return;
    response.body.jobs.forEach((answer, i) => {
      if (chunk[i].lane !== "interactive" || !answer?.id) return;
      if (interactiveSeen++ % options.watchEvery === 0) watchers.add(answer.id, response.startedAt);
    });
  };

  console.log(`flood: submitting ${options.jobs} jobs, ${flood.requests.length} × POST /v1/jobs/batch, ${options.submitters} in flight…`);
  const cpuStart = cpuSnapshot(ctx);
  const submitStart = Date.now();
  const submitStats = await submitFlood(ctx, flood, options, submitted);
  const submitEnd = Date.now();
  const cpuSubmitted = cpuSnapshot(ctx);
  const accepted = submitted.size;
  console.log(`  accepted ${accepted} in ${((submitEnd - submitStart) / 1000).toFixed(1)} s; waiting for the drain (probes every ${options.probeIntervalMs} ms)…`);

  const probes = options.probeIntervalMs > 0 ? startProbes(ctx, options.probeIntervalMs, submitted) : null;
  const progress = setInterval(() => process.stdout.write("."), 5_000);
  const drain = await waitForDrain(ctx, options, {
    onBatchLaneEmpty: async () => {
      await probes?.stop();
    },
  });
  await probes?.stop();
  clearInterval(progress);
  const cpuDrained = cpuSnapshot(ctx);
  console.log(`\n  ${drain.drained ? "drained" : "NOT drained (timeout)"} ${((drain.detectedAt - submitStart) / 1000).toFixed(1)} s after the first submit`);
  // The long-polls should all have returned by now; give stragglers their wake-up.
  await Promise.race([watchers.close(), sleep(drain.drained ? 10_000 : 1_000)]);

  console.log("sweep: reading every job…");
  const swept = await sweep(ctx);
  swept.jobs = swept.jobs.filter((j) => j.id !== preflightJobId);
  const traces = await readTraces(ctx, submitStats.requests, options.traces);
  const stateDirUsage = stateUsage(server.stateDir);
  sources.close();
  await cleanup();

  const phases = {
    submit: (submitEnd - submitStart) / 1000,
    drainDetectedAfterFirstSubmit: (drain.detectedAt - submitStart) / 1000,
    batchLaneEmptySeenAfterFirstSubmit: drain.batchLaneEmptyAt ? (drain.batchLaneEmptyAt - submitStart) / 1000 : null,
  };
  const analysis = analyse(submitted, swept, watchers.observed, phases, options);
  analysis.consumerTime = consumerTime(traces, swept.jobs);
  const problems = [...analysis.problems];
  if (!drain.drained) problems.push(`the jobs did not drain within ${options.drainTimeoutS} s`);
  if (submitStats.rejected.length) problems.push(`${submitStats.rejected.length} submits or entries were rejected, e.g. ${JSON.stringify(submitStats.rejected[0])}`);
  if (ctx.probeRejected.length) problems.push(`${ctx.probeRejected.length} probe submits were rejected, e.g. ${JSON.stringify(ctx.probeRejected[0])}`);
  for (const [key, count] of httpTally) {
    const status = key.split(" ").at(-1);
    if (status === "error" || (Number(status) >= 300 && status !== "429")) problems.push(`${count} × ${key}`);
  }
  for (const r of baselineRuns) {
    if (r.errors || r.timeouts || r.non2xx || r.badBodies) problems.push(`baseline ${r.connections} conn: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx, ${r.badBodies} failed checks (${r.firstBadBody})`);
  }
  if (sources.changes.length) problems.push(`the Worker's sources changed during the run (wrangler dev reloads): ${[...new Set(sources.changes)].slice(0, 5).join(", ")}`);

  const cpu = { submit: cpuPercent(cpuStart, cpuSubmitted), drain: cpuPercent(cpuSubmitted, cpuDrained), whole: cpuPercent(cpuStart, cpuDrained) };
  const executed = analysis.counts.completedOk;
  const warnings = [];
  if (machine.loadAverageAtStart[0] > 1) warnings.push(`load average was ${machine.loadAverageAtStart[0]} at start: something else was using the machine`);
  for (const [phase, c] of Object.entries(cpu)) if (c.other > NOISY_OTHER_CPU_PERCENT) warnings.push(`${phase} phase: other programs used ${fmt(c.other)} % of a core`);
  for (const r of baselineRuns) if (r.cpuPercent.other > NOISY_OTHER_CPU_PERCENT) warnings.push(`baseline ${r.connections} conn: other programs used ${fmt(r.cpuPercent.other)} % of a core`);

  const reqMs = submitStats.requests.map((r) => r.ms);
  const results = {
    machine,
    config: {
      ...options,
      output: path.relative(ROOT, options.output),
      vars,
      drainPollMs: DRAIN_POLL_MS,
      serviceSource: options.snapshot ? "git archive HEAD (committed tree)" : serviceDir === ROOT ? "working tree" : `another directory: ${serviceDir}`,
    },
    server: { command: `wrangler dev --var ENVIRONMENT:development ${Object.entries(vars).map(([k, v]) => `--var ${k}:${v}`).join(" ")} (test/e2e/local-server.ts, fresh local D1)`, runtime: "local workerd via wrangler dev; queues by Miniflare's queue broker" },
    baseline: baselineRuns,
    submit: {
      accepted,
      requests: submitStats.requests.length,
      spanS: (submitEnd - submitStart) / 1000,
      jobsPerSecond: accepted / ((submitEnd - submitStart) / 1000),
      requestMs: percentiles(reqMs),
      rateLimited: submitStats.rateLimited,
      retryAfterWaitS: submitStats.retryAfterWaitS,
      rejected: submitStats.rejected.length,
      probesSubmitted: probes?.count ?? 0,
    },
    drain: { drained: drain.drained, polls: drain.polls.length, pollMs: percentiles(drain.polls) },
    sweep: { pages: swept.pages, pageMs: swept.pageMs, totalMs: swept.totalMs },
    cpu,
    cpuPerJob: { runtimeMs: (cpu.whole.runtimeCpuS * 1000) / executed, serverMs: (cpu.whole.serverCpuS * 1000) / executed, jobs: executed },
    stateUsage: stateDirUsage,
    http: Object.fromEntries(httpTally),
    analysis,
    elapsedS: (performance.now() - startedAt) / 1000,
    problems,
    warnings,
    valid: problems.length === 0,
  };
  writeResults(options.output, results);
  printReport(results);
  console.log(`total ${fmt(results.elapsedS)} s`);
  return results.valid ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(`\njobs benchmark failed: ${error.stack ?? error.message}`);
    await cleanup();
    process.exit(1);
  },
);
