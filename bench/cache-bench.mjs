#!/usr/bin/env node
// Result-cache benchmark (docs/cache.md): `npx node bench/cache-bench.mjs [-- options]`
// (`npx node` runs the pinned Node 22, which this script needs to import workers/cache/zipf.ts).
//
// Against `wrangler dev` (local workerd, fresh local state), in one run:
//   1. the workload: --requests requests (default 50,000) whose programs are drawn from a
//      Zipf(s = --zipf-s, default 1.1) distribution over --programs distinct deterministic programs
//      (default 10,000); every response's X-Cache and latency are recorded and its stdout checked;
//   2. throughput: the baseline GET / (the trivial route, same middleware and access log) and the
//      cached path (2,000 requests drawn from the same distribution restricted to programs the
//      workload already ran, i.e. requests the cache can answer, built in advance like the
//      baseline's), both saturated with --connections connections, in
//      alternating slices of --slice seconds (--rounds of each), so that load from anything else on
//      the machine hits both alike; the ratio is of their total requests/s;
//   3. latency: the cached path and the baseline on one connection for --duration seconds each, so
//      the percentiles show what a request costs rather than how long it queued behind the others
//      (at saturation, mean latency is connections ÷ throughput whatever the code does; those
//      saturated percentiles are reported too);
//   4. GET /v1/cache/stats, the service's own view, to cross-check the counts.
// Prints a table (markdown, for docs/cache.md) and writes bench/results/cache-latest.json.
// Targets (issue): hit ratio ≥ 80 %, cached req/s ≥ 80 % of the baseline's, cached p99 < 20 ms.

import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { seededRandom, zipfSampler } from "../workers/cache/zipf.ts";
import { applyMigrations, ROOT, startWranglerDev } from "./cache-local-server.mjs";

const RESULTS_FILE = path.join(ROOT, "bench", "results", "cache-latest.json");
const TARGETS = { hitRatio: 0.8, cachedThroughputRatio: 0.8, cachedP99Ms: 20 };
/** Per-request timeout (s): slower counts as a timeout, not a latency. */
const REQUEST_TIMEOUT_S = 10;

function options() {
  const { values } = parseArgs({
    options: {
      programs: { type: "string", default: "10000" },
      requests: { type: "string", default: "50000" },
      "zipf-s": { type: "string", default: "1.1" },
      slice: { type: "string", default: "5" },
      rounds: { type: "string", default: "6" },
      duration: { type: "string", default: "10" },
      var: { type: "string", multiple: true, default: [] },
      connections: { type: "string", default: "8" },
      seed: { type: "string", default: "42" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(`usage: npx node bench/cache-bench.mjs [options]
  --programs N     distinct programs (default 10000)
  --requests N     workload requests (default 50000)
  --zipf-s S       Zipf exponent (default 1.1)
  --connections N  keep-alive connections (default 8)
  --slice S        seconds per throughput slice (default 5); --rounds N slices of each (default 6)
  --duration S     seconds of each one-connection latency run (default 10)
  --seed N         workload seed (default 42)
  --var NAME=VALUE a wrangler var for the server, e.g. --var CACHE_L1_TTL_SECONDS=0 (repeatable)`);
    process.exit(0);
  }
  const int = (name) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  return {
    programs: int("programs"),
    requests: int("requests"),
    zipfS: Number(values["zipf-s"]),
    sliceS: int("slice"),
    rounds: int("rounds"),
    durationS: int("duration"),
    connections: int("connections"),
    seed: int("seed"),
    vars: Object.fromEntries(values.var.map((pair) => {
      const at = pair.indexOf("=");
      if (at < 1) throw new Error(`--var wants NAME=VALUE, got ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    })),
  };
}

/** Program `rank`: distinct for every rank, deterministic, cheap; its expected stdout is known here. */
const programBody = (rank) => JSON.stringify({ language: "javascript", code: `const n = ${rank}; console.log("program", n, n * 7 + 3)` });
const expectedStdout = (rank) => JSON.stringify(`program ${rank} ${rank * 7 + 3}\n`);

function percentiles(values, ranks = [50, 90, 99]) {
  const sorted = Float64Array.from(values).sort();
  return Object.fromEntries(ranks.map((r) => [`p${r}`, sorted.length ? sorted[Math.max(0, Math.ceil((r / 100) * sorted.length) - 1)] : null]));
}

/** How many requests of the cached path are built in advance (cycled through by every connection). */
const CACHED_REQUESTS = 2_000;

/**
 * One autocannon run. Either `requestFor` (the program of each request, drawn as it is sent: the
 * workload, whose sequence matters) or `ranks` (programs built into requests in advance and cycled
 * through, so the load generator does no more work per request than for GET /: it shares the CPU
 * with the server, and a busier generator would make the cached path look slower than it is);
 * neither means the baseline GET /. Responses are checked; X-Cache and latency are recorded.
 */
function load(url, { connections, durationS, amount, requestFor, ranks }) {
  const samples = []; // [xCache, latencyMs]
  const problems = { bad: 0, first: null };
  let lastXCache = null;
  const check = (rank, status, body, headers) => {
    // Raw header names, as the server cased them.
    lastXCache = headers["x-cache"] ?? headers["X-Cache"] ?? "none";
    if (status !== 200 || !body.includes(`"stdout":${expectedStdout(rank)}`)) {
      problems.bad++;
      problems.first ??= `program ${rank}: HTTP ${status} ${body.slice(0, 200)}`;
    }
  };
  const execution = { method: "POST", path: "/v1/executions", headers: { "content-type": "application/json" } };
  let requests;
  if (requestFor) {
    requests = [
      {
        ...execution,
        setupRequest(req, context) {
          context.rank = requestFor();
          return { ...req, body: programBody(context.rank) };
        },
        onResponse: (status, body, context, headers) => check(context.rank, status, body, headers),
      },
    ];
  } else if (ranks) {
    requests = ranks.map((rank) => ({ ...execution, body: programBody(rank), onResponse: (status, body, _context, headers) => check(rank, status, body, headers) }));
  } else {
    requests = [
      {
        method: "GET",
        path: "/",
        onResponse(status, body) {
          lastXCache = "baseline";
          if (status !== 200 || !body.includes('"service":"edgebox"')) {
            problems.bad++;
            problems.first ??= `GET /: HTTP ${status}`;
          }
        },
      },
    ];
  }
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let lastAt = startedAt;
    const instance = autocannon(
      {
        url,
        connections,
        timeout: REQUEST_TIMEOUT_S,
        requests,
        ...(amount ? { amount } : { duration: durationS }),
      },
      (error, result) => {
        if (error) return reject(error);
        const seconds = (lastAt - startedAt) / 1000;
        resolve({ seconds, requests: result.requests.total, ok: result["2xx"], errors: result.errors + result.timeouts + result.non2xx, problems, samples, rps: result["2xx"] / seconds });
      },
    );
    // autocannon calls onResponse (headers) and then emits "response" (latency) for the same response.
    instance.on("response", (_client, _status, _bytes, latencyMs) => {
      samples.push([lastXCache, latencyMs]);
      lastAt = performance.now();
    });
  });
}

function summarize(samples, filter = () => true) {
  const picked = samples.filter(([status]) => filter(status));
  return { count: picked.length, latencyMs: percentiles(picked.map(([, ms]) => ms)) };
}

function countStatuses(samples) {
  const counts = { "HIT-L1": 0, "HIT-L2": 0, "HIT-L3": 0, MISS: 0, BYPASS: 0 };
  for (const [status] of samples) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

const isHit = (status) => typeof status === "string" && status.startsWith("HIT-");
const fmt = (n, digits = 2) => (n === null || n === undefined ? "–" : Number(n).toFixed(digits));
const pct = (n) => `${(100 * n).toFixed(1)} %`;

/** Adds up alternating slices of one scenario. */
function combine(runs) {
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const ok = runs.reduce((sum, r) => sum + r.ok, 0);
  return {
    seconds,
    ok,
    rps: ok / seconds,
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    problems: { bad: runs.reduce((sum, r) => sum + r.problems.bad, 0), first: runs.find((r) => r.problems.first)?.problems.first ?? null },
    samples: runs.flatMap((r) => r.samples),
    slicesRps: runs.map((r) => Math.round(r.rps)),
  };
}

async function main() {
  const opts = options();
  const work = mkdtempSync(path.join(os.tmpdir(), "edgebox-cache-bench-"));
  const state = path.join(work, "state");
  console.log(`fresh local state in ${work}; applying migrations…`);
  applyMigrations(state);
  const server = await startWranglerDev({ persistTo: state, logFile: path.join(work, "wrangler-dev.log"), vars: opts.vars });
  const loadAverageAtStart = os.loadavg().map((n) => Math.round(n * 100) / 100);
  let failed = false;
  try {
    console.log(`wrangler dev ready on ${server.url}${Object.keys(opts.vars).length ? ` with ${JSON.stringify(opts.vars)}` : ""}`);
    const sample = zipfSampler(opts.programs, opts.zipfS, seededRandom(opts.seed));
    const seen = new Set();
    const workloadRank = () => {
      const rank = sample();
      seen.add(rank);
      return rank;
    };
    const c = opts.connections;

    console.log(`(0) warm-up: GET / for 2 s`);
    await load(server.url, { connections: c, durationS: 2 });

    console.log(`(1) workload: ${opts.requests} requests, Zipf(s=${opts.zipfS}) over ${opts.programs} programs, ${c} connections`);
    const workload = await load(server.url, { connections: c, amount: opts.requests, requestFor: workloadRank });
    const counts = countStatuses(workload.samples);
    const hits = counts["HIT-L1"] + counts["HIT-L2"] + counts["HIT-L3"];

    const cachedSampler = zipfSampler(opts.programs, opts.zipfS, seededRandom(opts.seed + 1));
    const cachedRank = () => {
      for (;;) {
        const rank = cachedSampler();
        if (seen.has(rank)) return rank;
      }
    };
    const cachedRanks = Array.from({ length: CACHED_REQUESTS }, cachedRank);

    console.log(`(2) throughput: ${opts.rounds} × (${opts.sliceS} s GET / + ${opts.sliceS} s cached path), ${c} connections`);
    const baselineSlices = [];
    const cachedSlices = [];
    for (let round = 0; round < opts.rounds; round++) {
      baselineSlices.push(await load(server.url, { connections: c, durationS: opts.sliceS }));
      cachedSlices.push(await load(server.url, { connections: c, durationS: opts.sliceS, ranks: cachedRanks }));
    }
    const baseline = combine(baselineSlices);
    const cached = combine(cachedSlices);

    console.log(`(3) latency: ${opts.durationS} s each on one connection`);
    const cachedSingle = await load(server.url, { connections: 1, durationS: opts.durationS, ranks: cachedRanks });
    const baselineSingle = await load(server.url, { connections: 1, durationS: opts.durationS });
    const singleHits = summarize(cachedSingle.samples, isHit);

    const stats = await (await fetch(`${server.url}/v1/cache/stats`)).json();
    const allLatencies = (run) => percentiles(run.samples.map(([, ms]) => ms));

    const results = {
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? null,
        loadAverageAtStart,
        loadAverageAtEnd: os.loadavg().map((n) => Math.round(n * 100) / 100),
        node: process.version,
      },
      options: opts,
      workload: {
        requests: workload.requests,
        distinctPrograms: seen.size,
        maxPossibleHitRatio: 1 - seen.size / workload.requests,
        statuses: counts,
        hitRatio: hits / workload.requests,
        levelRatio: { l1: counts["HIT-L1"] / workload.requests, l2: counts["HIT-L2"] / workload.requests, l3: counts["HIT-L3"] / workload.requests },
        rps: workload.rps,
        hits: summarize(workload.samples, isHit),
        misses: summarize(workload.samples, (status) => status === "MISS"),
        errors: workload.errors,
        badBodies: workload.problems.bad,
        firstBadBody: workload.problems.first,
      },
      throughput: {
        baseline: { rps: baseline.rps, slicesRps: baseline.slicesRps, latencyMs: allLatencies(baseline) },
        cached: { rps: cached.rps, slicesRps: cached.slicesRps, hitShare: summarize(cached.samples, isHit).count / cached.samples.length, statuses: countStatuses(cached.samples), latencyMs: allLatencies(cached) },
        ratio: cached.rps / baseline.rps,
        // Per round (adjacent slices), and their median: robust to a burst of load in one slice.
        roundRatios: cachedSlices.map((slice, i) => slice.rps / baselineSlices[i].rps),
      },
      latency: {
        oneConnection: {
          cached: { rps: cachedSingle.rps, hitShare: singleHits.count / cachedSingle.samples.length, latencyMs: singleHits.latencyMs },
          baseline: { rps: baselineSingle.rps, latencyMs: allLatencies(baselineSingle) },
        },
        saturated: { connections: c, cached: allLatencies(cached), baseline: allLatencies(baseline) },
      },
      serverStats: stats,
    };
    results.targets = {
      hitRatio: { value: results.workload.hitRatio, target: `>= ${TARGETS.hitRatio}`, pass: results.workload.hitRatio >= TARGETS.hitRatio },
      cachedThroughputRatio: { value: results.throughput.ratio, target: `>= ${TARGETS.cachedThroughputRatio}`, pass: results.throughput.ratio >= TARGETS.cachedThroughputRatio },
      cachedP99Ms: { value: singleHits.latencyMs.p99, target: `< ${TARGETS.cachedP99Ms} (one connection)`, pass: singleHits.latencyMs.p99 < TARGETS.cachedP99Ms },
    };
    const runs = [workload, baseline, cached, cachedSingle, baselineSingle];
    const problems = runs.reduce((n, r) => n + r.errors + r.problems.bad, 0);
    results.valid = problems === 0;
    failed = !results.valid || !Object.values(results.targets).every((t) => t.pass);

    mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    writeFileSync(`${RESULTS_FILE}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
    renameSync(`${RESULTS_FILE}.tmp`, RESULTS_FILE);

    const w = results.workload;
    const t = results.throughput;
    const l = results.latency;
    const verdict = (target) => (target.pass ? "PASS" : "FAIL");
    console.log(`
${results.date}: ${results.machine.cpus} × ${results.machine.cpuModel}, load average ${loadAverageAtStart[0]} at start, ${results.machine.loadAverageAtEnd[0]} at end; ${c} connections

| measure | value | target |
| --- | --- | --- |
| workload: requests / distinct programs | ${w.requests} / ${w.distinctPrograms} (best possible hit ratio ${pct(w.maxPossibleHitRatio)}) | |
| hit ratio, all levels | ${pct(w.hitRatio)} | ≥ 80 % ${verdict(results.targets.hitRatio)} |
| hit ratio L1 / L2 / L3 | ${pct(w.levelRatio.l1)} / ${pct(w.levelRatio.l2)} / ${pct(w.levelRatio.l3)} | |
| MISS / BYPASS | ${w.statuses.MISS} / ${w.statuses.BYPASS} | |
| workload req/s; p50 / p99 of hits, of misses | ${fmt(w.rps, 0)}; ${fmt(w.hits.latencyMs.p50)} / ${fmt(w.hits.latencyMs.p99)} ms, ${fmt(w.misses.latencyMs.p50)} / ${fmt(w.misses.latencyMs.p99)} ms | |
| baseline GET / req/s (slices) | ${fmt(t.baseline.rps, 0)} (${t.baseline.slicesRps.join(", ")}) | |
| cached path req/s (slices) | ${fmt(t.cached.rps, 0)} (${t.cached.slicesRps.join(", ")}; ${pct(t.cached.hitShare)} hits) | |
| cached / baseline req/s | ${fmt(t.ratio, 3)} (per round ${t.roundRatios.map((r) => fmt(r, 2)).join(", ")}) | ≥ 0.8 ${verdict(results.targets.cachedThroughputRatio)} |
| cached p50 / p90 / p99, one connection | ${fmt(l.oneConnection.cached.latencyMs.p50)} / ${fmt(l.oneConnection.cached.latencyMs.p90)} / ${fmt(l.oneConnection.cached.latencyMs.p99)} ms (${fmt(l.oneConnection.cached.rps, 0)} req/s) | p99 < 20 ms ${verdict(results.targets.cachedP99Ms)} |
| baseline p50 / p90 / p99, one connection | ${fmt(l.oneConnection.baseline.latencyMs.p50)} / ${fmt(l.oneConnection.baseline.latencyMs.p90)} / ${fmt(l.oneConnection.baseline.latencyMs.p99)} ms (${fmt(l.oneConnection.baseline.rps, 0)} req/s) | |
| saturated (${c} connections) p50 / p99: cached; baseline | ${fmt(l.saturated.cached.p50)} / ${fmt(l.saturated.cached.p99)} ms; ${fmt(l.saturated.baseline.p50)} / ${fmt(l.saturated.baseline.p99)} ms | (queueing) |
| the service's own count (GET /v1/cache/stats) | ${stats.lookups} lookups, hit ratio ${pct(stats.hitRatio)} | |
`);
    if (!results.valid) console.log(`INVALID RUN: ${problems} failed or wrong responses; first: ${w.firstBadBody ?? cached.problems.first ?? "(see the JSON)"}`);
    console.log(`results: ${path.relative(process.cwd(), RESULTS_FILE)}`);
  } finally {
    await server.stop();
    if (!failed) rmSync(work, { recursive: true, force: true });
    else console.log(`server log and state kept in ${work}`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`cache benchmark failed: ${error.stack ?? error}`);
    process.exit(1);
  },
);
