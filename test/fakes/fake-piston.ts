import type { BackendRuntime } from "../../workers/routing/types";

// A fake Piston v2 server as a pure fetch-style handler, for tests and benchmarks of code that
// talks to remote Piston backends. It runs no code: every execution "prints" the fake's id and then
// the stdin it was given, so a test can see which backend served a request. It speaks
//   GET  /api/v2/runtimes
//   POST /api/v2/execute        (Piston's validation messages for missing fields and unknown runtimes)
// and is driven over HTTP, so code inside workerd can steer it:
//   POST /__fake/control  {latencyMs?, failure?, failNext?, runtimes?}
//   GET  /__fake/stats    → {id, executes, runtimesCalls, inFlight, maxInFlight, lastExecute}
//   POST /__fake/reset    back to the options it was created with, counters zeroed.
//
// Failures apply to the two API routes, never to /__fake/*. `failure` stays until changed; with
// `failNext: n` it applies to the next n API requests only and then reverts to "none".
//   http500 / http502 / http503 / http429   that status (503 and 429 with Retry-After: 1)
//   garbage                       200 with a body that is not JSON
//   hang                          no answer until the caller gives up (request.signal aborts)
//   reset                         handle() throws FakeConnectionReset; the Node adapters
//                                 (serve-fake-piston.ts, vitest.config.ts) destroy the socket, so
//                                 the caller's fetch rejects as for a reset connection.
//
// Importable from workerd and from plain Node (type stripping): no value imports, no Node APIs.

export type FakeFailure = "none" | "http500" | "http502" | "http503" | "http429" | "reset" | "hang" | "garbage";
export const FAKE_FAILURES: readonly FakeFailure[] = ["none", "http500", "http502", "http503", "http429", "reset", "hang", "garbage"];

export interface FakePistonOptions {
  /** Printed as the first line of every execution's stdout. */
  id: string;
  runtimes?: BackendRuntime[];
  /** Delay before every API answer. */
  latencyMs?: number;
}

export interface FakeControl {
  latencyMs?: number;
  failure?: FakeFailure;
  failNext?: number;
  runtimes?: BackendRuntime[];
}

export interface FakeStats {
  id: string;
  /** POST /api/v2/execute requests received, failed ones included. */
  executes: number;
  runtimesCalls: number;
  /** API requests being handled right now (in latency, hanging). */
  inFlight: number;
  maxInFlight: number;
  /** Body of the last execute request, as received. */
  lastExecute: unknown;
}

export interface FakePistonState {
  readonly id: string;
  runtimes: BackendRuntime[];
  latencyMs: number;
  failure: FakeFailure;
  /** Requests left before `failure` reverts to "none"; null = until changed. */
  failNext: number | null;
  executes: number;
  runtimesCalls: number;
  inFlight: number;
  maxInFlight: number;
  lastExecute: unknown;
}

export interface FakePiston {
  handle(request: Request): Promise<Response>;
  readonly state: FakePistonState;
  stats(): FakeStats;
  control(control: FakeControl): void;
  reset(): void;
}

/**
 * Thrown by handle() for the "reset" failure. A fetch-style handler has no way to break a
 * connection, so the Node adapters catch this and destroy the socket instead of answering.
 */
export class FakeConnectionReset extends Error {
  constructor(id: string) {
    super(`fake piston ${id}: connection reset`);
    this.name = "FakeConnectionReset";
  }
}

/** True for FakeConnectionReset, also across module copies (bundled config vs. imported file). */
export function isFakeConnectionReset(error: unknown): boolean {
  return error instanceof Error && error.name === "FakeConnectionReset";
}

export const DEFAULT_FAKE_RUNTIMES: BackendRuntime[] = [
  { language: "javascript", version: "20.11.1", aliases: ["node-javascript", "node-js", "javascript", "js"], runtime: "node" },
  { language: "typescript", version: "5.0.3", aliases: ["ts", "node-ts", "tsc", "typescript"] },
  { language: "python", version: "3.12.0", aliases: ["py", "py3", "python3", "python3.12"] },
];

export function createFakePiston(options: FakePistonOptions): FakePiston {
  const initialRuntimes = options.runtimes ?? DEFAULT_FAKE_RUNTIMES;
  const state: FakePistonState = {
    id: options.id,
    runtimes: initialRuntimes,
    latencyMs: options.latencyMs ?? 0,
    failure: "none",
    failNext: null,
    executes: 0,
    runtimesCalls: 0,
    inFlight: 0,
    maxInFlight: 0,
    lastExecute: null,
  };

  const stats = (): FakeStats => ({
    id: state.id,
    executes: state.executes,
    runtimesCalls: state.runtimesCalls,
    inFlight: state.inFlight,
    maxInFlight: state.maxInFlight,
    lastExecute: state.lastExecute,
  });

  const control = (change: FakeControl) => {
    if (change.latencyMs !== undefined) state.latencyMs = Math.max(0, Number(change.latencyMs) || 0);
    if (change.runtimes !== undefined) state.runtimes = change.runtimes;
    if (change.failure !== undefined) {
      if (!FAKE_FAILURES.includes(change.failure)) throw new Error(`unknown failure ${JSON.stringify(change.failure)}`);
      state.failure = change.failure;
      state.failNext = null;
    }
    if (change.failNext !== undefined) state.failNext = Math.max(0, Math.trunc(change.failNext));
  };

  const reset = () => {
    Object.assign(state, {
      runtimes: initialRuntimes,
      latencyMs: options.latencyMs ?? 0,
      failure: "none",
      failNext: null,
      executes: 0,
      runtimesCalls: 0,
      inFlight: 0,
      maxInFlight: 0,
      lastExecute: null,
    });
  };

  /** The failure this API request gets, counting down failNext. */
  const takeFailure = (): FakeFailure => {
    const failure = state.failure;
    if (failure === "none") return failure;
    if (state.failNext !== null) {
      state.failNext -= 1;
      if (state.failNext <= 0) {
        state.failure = "none";
        state.failNext = null;
      }
    }
    return failure;
  };

  async function api(request: Request, answer: () => Promise<Response>): Promise<Response> {
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    try {
      const failure = takeFailure();
      await sleep(state.latencyMs, request.signal);
      switch (failure) {
        case "none":
          return await answer();
        case "http500":
          return Response.json({ message: "Internal Server Error" }, { status: 500 });
        case "http502":
          return new Response("<html><body>502 Bad Gateway</body></html>", { status: 502, headers: { "content-type": "text/html" } });
        case "http503":
          return new Response("503 Service Unavailable", { status: 503, headers: { "retry-after": "1", "content-type": "text/plain" } });
        case "http429":
          return Response.json({ message: "Too many requests" }, { status: 429, headers: { "retry-after": "1" } });
        case "garbage":
          return new Response("<html><body>Welcome to nginx!</body></html>", { status: 200, headers: { "content-type": "text/html" } });
        case "reset":
          throw new FakeConnectionReset(state.id);
        case "hang":
          await sleep(Infinity, request.signal);
          throw new Error("unreachable");
      }
    } finally {
      state.inFlight -= 1;
    }
  }

  async function execute(request: Request): Promise<Response> {
    let body: Record<string, unknown>;
    try {
      body = (await request.json()) as Record<string, unknown>;
    } catch {
      return Response.json({ message: "Request body is not valid JSON" }, { status: 400 });
    }
    state.lastExecute = body;
    // Piston's checks, in Piston's order and words.
    if (typeof body?.language !== "string") return badRequest("language is required as a string");
    if (typeof body.version !== "string") return badRequest("version is required as a string");
    if (!Array.isArray(body.files)) return badRequest("files is required as an array");
    for (const [i, file] of (body.files as unknown[]).entries()) {
      if (typeof (file as { content?: unknown })?.content !== "string") return badRequest(`files[${i}].content is required as a string`);
    }
    const runtime = findRuntime(state.runtimes, body.language, body.version);
    if (!runtime) return badRequest(`${body.language}-${body.version} runtime is unknown`);
    if ((body.files as unknown[]).length === 0) return badRequest("files must include at least one utf8 encoded file");
    const stdin = typeof body.stdin === "string" ? body.stdin : "";
    const stdout = `${state.id}\n${stdin}`;
    return Response.json({
      language: runtime.language,
      version: runtime.version,
      run: {
        stdout,
        stderr: "",
        output: stdout,
        code: 0,
        signal: null,
        message: null,
        status: null,
        cpu_time: 4,
        wall_time: 7 + state.latencyMs,
        memory: 1_048_576,
      },
    });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    // The public Piston host serves the same API under /api/v2/piston.
    const path = url.pathname.replace(/^\/api\/v2\/piston\//, "/api/v2/").replace(/\/+$/, "");
    const method = request.method.toUpperCase();

    if (path === "/__fake/stats" && method === "GET") return Response.json(stats());
    if (path === "/__fake/reset" && method === "POST") {
      reset();
      return Response.json(stats());
    }
    if (path === "/__fake/control" && method === "POST") {
      try {
        control((await request.json()) as FakeControl);
      } catch (error) {
        return Response.json({ message: error instanceof Error ? error.message : String(error) }, { status: 400 });
      }
      return Response.json({ ...stats(), latencyMs: state.latencyMs, failure: state.failure, failNext: state.failNext });
    }

    if (path === "/api/v2/runtimes" && method === "GET") {
      state.runtimesCalls += 1;
      return api(request, async () => Response.json(state.runtimes));
    }
    if (path === "/api/v2/execute" && method === "POST") {
      state.executes += 1;
      return api(request, () => execute(request));
    }
    return Response.json({ message: `fake piston ${state.id}: no route ${method} ${url.pathname}` }, { status: 404 });
  }

  return { handle, state, stats, control, reset };
}

function badRequest(message: string): Response {
  return Response.json({ message }, { status: 400 });
}

/** Piston's lookup: language or alias, version as a semver range ("*", "3", "3.12", "3.x", "3.12.0"). */
function findRuntime(runtimes: BackendRuntime[], language: string, version: string): BackendRuntime | undefined {
  return runtimes
    .filter((runtime) => runtime.language === language || runtime.aliases.includes(language))
    .find((runtime) => versionMatches(runtime.version, version));
}

function versionMatches(actual: string, wanted: string): boolean {
  const range = wanted.trim();
  if (range === "*" || range === "x" || range === "") return true;
  const have = actual.split(".");
  return range
    .replace(/^[v=]/, "")
    .split(".")
    .every((part, i) => part === "x" || part === "*" || part === have[i]);
}

/** Resolves after ms (never for Infinity); rejects with the signal's reason when it aborts. */
function sleep(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  if (ms <= 0 && !signal?.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
    function done() {
      signal?.removeEventListener("abort", aborted);
      resolve();
    }
    function aborted() {
      if (timer !== undefined) clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener("abort", aborted, { once: true });
  });
}
