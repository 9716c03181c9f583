// The requests behind the benchmark's scenarios (a)–(e), shared by `npm run bench` (bench/run.mjs)
// and `npm run bench:profile` (bench/profile.mjs), so both always send the same load. Each scenario
// is what autocannon needs to send it (method, path, headers, body), what X-Cache the answer must
// carry (BYPASS: the program ran; HIT: the result cache answered), a cheap substring check of the
// body, a full check of a parsed body (null when it passes, else what is wrong) and where the
// service reports the program's time inside the sandbox.

/** Prime count below LIMIT by trial division: ~20–50 ms of interpreter time in QuickJS. */
export const PRIMES_LIMIT = 50_000;
export const PRIMES_PROGRAM = `let count = 0;
for (let n = 2; n < ${PRIMES_LIMIT}; n++) {
  let prime = true;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
  if (prime) count++;
}
console.log(count);`;

/** The expected output, computed with the same algorithm so the check cannot drift. */
function countPrimesBelow(limit) {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
    if (prime) count++;
  }
  return count;
}
export const PRIMES_STDOUT = `${countPrimesBelow(PRIMES_LIMIT)}\n`;

const JSON_HEADERS = { "content-type": "application/json" };
/**
 * Identical deterministic programs are answered from the result cache (docs/cache.md), so without
 * this header (b)–(d) would measure cache hits after the first request, not executions.
 */
const RUN_IT_HEADERS = { ...JSON_HEADERS, "cache-control": "no-store" };

function nativeExecution(id, label, code, stdout, cache = "BYPASS") {
  const stdoutJson = JSON.stringify(stdout); // e.g. "1\n" as it appears inside the JSON response
  return {
    id,
    label,
    method: "POST",
    path: "/v1/executions",
    headers: cache === "BYPASS" ? RUN_IT_HEADERS : JSON_HEADERS,
    body: JSON.stringify({ language: "javascript", code }),
    cache,
    quickCheck: (text) => text.includes('"status":"ok"') && text.includes(`"stdout":${stdoutJson}`),
    fullCheck: (json) =>
      json.status !== "ok" ? `status ${JSON.stringify(json.status)} (${json.message ?? "no message"})`
      : json.stdout !== stdout ? `stdout ${JSON.stringify(json.stdout)}, expected ${stdoutJson}`
      : json.exitCode !== 0 ? `exitCode ${json.exitCode}`
      : null,
    /** Time the program spent inside the sandbox, as the service reports it (a hit repeats the original's). */
    sandboxMs: (json) => json.timings?.wallMs,
  };
}

/** @type {{ id: string, label: string, method: string, path: string, headers: Record<string, string>, body?: string, cache?: string, quickCheck: (text: string) => boolean, fullCheck: (json: any) => string | null, sandboxMs?: (json: any) => unknown }[]} */
export const SCENARIOS = [
  {
    id: "a",
    label: "GET / (baseline)",
    method: "GET",
    path: "/",
    headers: {},
    quickCheck: (text) => text.includes('"service":"edgebox"'),
    fullCheck: (json) => (json.service === "edgebox" ? null : `service ${JSON.stringify(json.service)}`),
  },
  nativeExecution("b", "POST /v1/executions console.log(1)", "console.log(1)", "1\n"),
  nativeExecution("c", `POST /v1/executions primes < ${PRIMES_LIMIT}`, PRIMES_PROGRAM, PRIMES_STDOUT),
  {
    id: "d",
    label: "POST /api/v2/execute console.log(1)",
    method: "POST",
    path: "/api/v2/execute",
    headers: RUN_IT_HEADERS,
    body: JSON.stringify({ language: "javascript", version: "*", files: [{ content: "console.log(1)" }] }),
    cache: "BYPASS",
    quickCheck: (text) => text.includes('"stdout":"1\\n"') && text.includes('"code":0'),
    fullCheck: (json) =>
      json.run?.stdout !== "1\n" ? `run.stdout ${JSON.stringify(json.run?.stdout)}`
      : json.run.code !== 0 ? `run.code ${json.run.code} (${json.run.message ?? "no message"})`
      : null,
    sandboxMs: (json) => json.run?.wall_time,
  },
  // What (b) costs when the result cache answers it instead of the sandbox.
  nativeExecution("e", "POST /v1/executions console.log(1), cache hit", "console.log(1)", "1\n", "HIT"),
];
