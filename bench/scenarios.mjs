// The requests behind the benchmark's scenarios (a)–(e), for tools that want to send the same
// load as `npm run bench` without running it (bench/run.mjs runs the benchmark when imported).
//
// bench/run.mjs still defines its own copy, with the full response checks; keep the two in step
// if a scenario changes. Each scenario here is what autocannon needs to send it (method, path,
// headers, body), what X-Cache the answer must carry (BYPASS: the program ran; HIT: the result
// cache answered) and a cheap substring check of the body.

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
/** Identical deterministic programs are answered from the result cache unless a request says no-store. */
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
  };
}

/** @type {{ id: string, label: string, method: string, path: string, headers: Record<string, string>, body?: string, cache?: string, quickCheck: (text: string) => boolean }[]} */
export const SCENARIOS = [
  {
    id: "a",
    label: "GET / (baseline)",
    method: "GET",
    path: "/",
    headers: {},
    quickCheck: (text) => text.includes('"service":"edgebox"'),
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
  },
  // What (b) costs when the result cache answers it instead of the sandbox.
  nativeExecution("e", "POST /v1/executions console.log(1), cache hit", "console.log(1)", "1\n", "HIT"),
];
