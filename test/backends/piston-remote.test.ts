import { describe, expect, it } from "vitest";
import { toPistonResponse } from "../../workers/api/presenters/piston-result";
import {
  BackendError,
  executeOnPiston,
  fetchPistonRuntimes,
  fromPistonResponse,
  probePiston,
  type PistonProgram,
} from "../../workers/backends/piston-remote";
import type { ExecutionLimits, ExecutionResult, ExecutionStatus } from "../../workers/sandbox/types";
import { DEFAULT_FAKE_RUNTIMES, createFakePiston, type FakeControl, type FakeStats } from "../fakes/fake-piston";

// Remote Piston client against the fake Piston that vitest.config.ts serves for *.piston.test:
// real fetch() from workerd, through Miniflare's outbound service, to the fake in Node. Each test
// gets a backend name of its own because the fakes are shared by all test files.

const LIMITS: ExecutionLimits = {
  cpuTimeMs: 3000,
  wallTimeMs: 5000,
  memoryBytes: 32 * 1024 * 1024,
  stackBytes: 1024 * 1024,
  maxStdoutBytes: 65536,
  maxStderrBytes: 65536,
};

function program(overrides: Partial<PistonProgram> = {}): PistonProgram {
  return {
    language: "javascript",
    version: "*",
    files: [{ name: "main.js", content: "console.log(require('fs').readFileSync(0, 'utf8'))" }],
    stdin: "hello\n",
    args: ["a", "b"],
    limits: LIMITS,
    ...overrides,
  };
}

function backend(tag: string) {
  const name = `${tag}-${crypto.randomUUID().slice(0, 8)}`;
  const url = `http://${name}.piston.test`;
  return {
    name,
    url,
    async control(control: FakeControl) {
      const response = await fetch(`${url}/__fake/control`, { method: "POST", body: JSON.stringify(control) });
      expect(response.status).toBe(200);
    },
    async stats(): Promise<FakeStats> {
      return (await fetch(`${url}/__fake/stats`)).json();
    },
  };
}

async function backendError(promise: Promise<unknown>): Promise<BackendError> {
  const error = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(BackendError);
  return error as BackendError;
}

/** A fetcher answering every request with one canned Piston body; records what it was sent. */
function cannedFetcher(body: unknown, init: ResponseInit = {}) {
  const requests: Request[] = [];
  const fetcher = (async (input: RequestInfo | URL, requestInit?: RequestInit) => {
    requests.push(new Request(input, requestInit));
    return new Response(typeof body === "string" ? body : JSON.stringify(body), init);
  }) as typeof fetch;
  return { fetcher, requests };
}

function stage(overrides: Record<string, unknown> = {}) {
  return { stdout: "", stderr: "", output: "", code: 0, signal: null, message: null, status: null, cpu_time: 5, wall_time: 9, memory: 2048, ...overrides };
}

describe("executeOnPiston against a fake Piston (real fetch through the outbound service)", () => {
  it("round-trips an execution with Piston's field names and maps the answer back", async () => {
    const a = backend("roundtrip");
    const result = await executeOnPiston(a.url, program(), { timeoutMs: 5000 });
    expect(result).toMatchObject({
      status: "ok",
      exitCode: 0,
      signal: null,
      message: null,
      stdout: `${a.name}\nhello\n`,
      stderr: "",
      output: `${a.name}\nhello\n`,
      stdoutTruncated: false,
      stderrTruncated: false,
      cpuTimeMs: 4,
      wallTimeMs: 7,
      memoryBytes: 1_048_576,
      nondeterministic: true,
      runtime: { language: "javascript", version: "20.11.1" },
    });
    expect(result.compile).toBeUndefined();
    const stats = await a.stats();
    expect(stats).toMatchObject({ id: a.name, executes: 1, runtimesCalls: 0, inFlight: 0, maxInFlight: 1 });
    expect(stats.lastExecute).toEqual({
      language: "javascript",
      version: "*",
      files: [{ name: "main.js", content: "console.log(require('fs').readFileSync(0, 'utf8'))" }],
      stdin: "hello\n",
      args: ["a", "b"],
      compile_timeout: 5000,
      run_timeout: 5000,
      compile_cpu_time: 3000,
      run_cpu_time: 3000,
      compile_memory_limit: 33554432,
      run_memory_limit: 33554432,
    });
  });

  it("accepts a base URL with trailing slashes or a path prefix, and sends the extra headers", async () => {
    const a = backend("slash");
    expect((await executeOnPiston(`${a.url}//`, program(), { timeoutMs: 5000 })).stdout).toBe(`${a.name}\nhello\n`);
    const canned = cannedFetcher({ language: "python", version: "3.12.0", run: stage({ stdout: "x" }) });
    await executeOnPiston("https://piston.example/", program(), {
      timeoutMs: 1000,
      fetcher: canned.fetcher,
      headers: { authorization: "Bearer k" },
    });
    await executeOnPiston("https://emkc.example/prefix/", program(), { timeoutMs: 1000, fetcher: canned.fetcher });
    expect(canned.requests.map((request) => request.url)).toEqual([
      "https://piston.example/api/v2/execute",
      "https://emkc.example/prefix/api/v2/execute",
    ]);
    expect(canned.requests[0].method).toBe("POST");
    expect(canned.requests[0].headers.get("authorization")).toBe("Bearer k");
    expect(canned.requests[0].headers.get("content-type")).toBe("application/json");
  });

  it("unknown runtime: 400 with Piston's message, not retryable", async () => {
    const a = backend("unknown");
    const error = await backendError(executeOnPiston(a.url, program({ language: "cobol", version: "3" }), { timeoutMs: 5000 }));
    expect(error).toMatchObject({ kind: "http", status: 400, retryable: false, message: "cobol-3 runtime is unknown" });
  });

  it.each([
    ["http503", "http", 503, 1000],
    ["http502", "http", 502, null],
    ["http429", "overloaded", 429, 1000],
  ] as const)("%s is a retryable %s error", async (failure, kind, status, retryAfterMs) => {
    const a = backend(failure);
    await a.control({ failure });
    const error = await backendError(executeOnPiston(a.url, program(), { timeoutMs: 5000 }));
    expect(error).toMatchObject({ kind, status, retryable: true, retryAfterMs });
    expect(error.message).toContain(String(status));
  });

  it("500 is not retryable (Piston answers 500 for requests it cannot handle)", async () => {
    const a = backend("http500");
    await a.control({ failure: "http500" });
    const error = await backendError(executeOnPiston(a.url, program(), { timeoutMs: 5000 }));
    expect(error).toMatchObject({ kind: "http", status: 500, retryable: false });
  });

  it("reset: the socket is destroyed, fetch rejects, and it surfaces as a retryable connect error", async () => {
    const a = backend("reset");
    await a.control({ failure: "reset" });
    const error = await backendError(executeOnPiston(a.url, program(), { timeoutMs: 5000 }));
    expect(error).toMatchObject({ kind: "connect", status: null, retryable: true });
    expect(error.message).toContain(`http://${a.name}.piston.test unreachable`);
    // The fake did receive it (once: no transparent retry underneath us).
    expect((await a.stats()).executes).toBe(1);
  });

  it("hang: a timeout error within timeoutMs, and the fake sees the request go away", async () => {
    const a = backend("hang");
    await a.control({ failure: "hang" });
    const startedAt = Date.now();
    const error = await backendError(executeOnPiston(a.url, program(), { timeoutMs: 300 }));
    const elapsed = Date.now() - startedAt;
    expect(error).toMatchObject({ kind: "timeout", status: null, retryable: true });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1500);
    let stats = await a.stats();
    for (let attempt = 0; attempt < 40 && stats.inFlight > 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      stats = await a.stats();
    }
    expect(stats).toMatchObject({ executes: 1, inFlight: 0, maxInFlight: 1 });
  });

  it("a caller's abort is rethrown as is, not turned into a backend error", async () => {
    const a = backend("cancel");
    await a.control({ failure: "hang" });
    const controller = new AbortController();
    const reason = new Error("hedge lost");
    setTimeout(() => controller.abort(reason), 50);
    await expect(executeOnPiston(a.url, program(), { timeoutMs: 5000, signal: controller.signal })).rejects.toBe(reason);
  });

  it("garbage 200 body: protocol error, not retryable", async () => {
    const a = backend("garbage");
    await a.control({ failure: "garbage" });
    const error = await backendError(executeOnPiston(a.url, program(), { timeoutMs: 5000 }));
    expect(error).toMatchObject({ kind: "protocol", status: 200, retryable: false });
    expect(error.message).toContain("not JSON");
  });

  it("failNext fails only the next n requests", async () => {
    const a = backend("failnext");
    await a.control({ failure: "http503", failNext: 2 });
    await backendError(executeOnPiston(a.url, program(), { timeoutMs: 5000 }));
    await backendError(fetchPistonRuntimes(a.url, { timeoutMs: 5000 }));
    expect((await executeOnPiston(a.url, program(), { timeoutMs: 5000 })).status).toBe("ok");
  });

  it("latency holds requests in flight; the fake counts concurrent requests", async () => {
    const a = backend("latency");
    await a.control({ latencyMs: 150 });
    const results = await Promise.all([1, 2, 3].map((n) => executeOnPiston(a.url, program({ stdin: `${n}` }), { timeoutMs: 5000 })));
    expect(results.map((result) => result.stdout)).toEqual([1, 2, 3].map((n) => `${a.name}\n${n}`));
    expect(await a.stats()).toMatchObject({ executes: 3, inFlight: 0, maxInFlight: 3 });
  });

  it("a 200 that is JSON but not a Piston answer is a protocol error", async () => {
    const canned = cannedFetcher({ language: "javascript", version: "1", run: { stdout: 42 } });
    const error = await backendError(executeOnPiston("http://x.test", program(), { timeoutMs: 1000, fetcher: canned.fetcher }));
    expect(error).toMatchObject({ kind: "protocol", retryable: false });
  });

  it("an answer far larger than the output caps allow is refused", async () => {
    const huge = "x".repeat(200_000);
    const canned = cannedFetcher({ language: "javascript", version: "1", run: stage({ stdout: huge, output: huge }) });
    const limits = { ...LIMITS, maxStdoutBytes: 1024, maxStderrBytes: 1024 };
    const error = await backendError(executeOnPiston("http://x.test", program({ limits }), { timeoutMs: 1000, fetcher: canned.fetcher }));
    expect(error).toMatchObject({ kind: "protocol", retryable: false });
    expect(error.message).toContain("larger than");
  });

  it("a fetcher that throws is a retryable connect error", async () => {
    const fetcher = (async () => {
      throw new TypeError("Network connection lost.");
    }) as typeof fetch;
    const error = await backendError(executeOnPiston("http://x.test", program(), { timeoutMs: 1000, fetcher }));
    expect(error).toMatchObject({ kind: "connect", retryable: true, message: "http://x.test unreachable: Network connection lost." });
  });

  it("works with the fake used directly as the fetcher (no outbound service)", async () => {
    const fake = createFakePiston({ id: "direct" });
    const fetcher = ((input: RequestInfo | URL, init?: RequestInit) => fake.handle(new Request(input, init))) as typeof fetch;
    const result = await executeOnPiston("http://direct", program({ stdin: "" }), { timeoutMs: 1000, fetcher });
    expect(result.stdout).toBe("direct\n");
    expect(fake.state.executes).toBe(1);
  });
});

describe("fromPistonResponse: every Piston status", () => {
  const limits = LIMITS;
  const map = (run: Record<string, unknown>, compile?: Record<string, unknown>) =>
    fromPistonResponse({ language: "x", version: "1", run: stage(run), ...(compile ? { compile: stage(compile) } : {}) }, limits);

  it.each([
    ["exit 0, no status", { code: 0 }, "ok", 0, null],
    ["RE", { code: 3, status: "RE", message: "Exited with error status 3" }, "runtime_error", 3, null],
    ["no status, non-zero exit (pre-isolate Piston)", { code: 1 }, "runtime_error", 1, null],
    ["no status, killed by a signal (pre-isolate Piston)", { code: null, signal: "SIGTERM" }, "runtime_error", null, "SIGTERM"],
    ["TO, CPU", { code: null, signal: "SIGKILL", status: "TO", message: "Time limit exceeded" }, "cpu_time_exceeded", null, "SIGKILL"],
    ["TO, wall clock", { code: null, signal: "SIGKILL", status: "TO", message: "Time limit exceeded (wall clock)" }, "wall_time_exceeded", null, "SIGKILL"],
    ["TO, no message, CPU budget used", { code: null, status: "TO", cpu_time: 3000 }, "cpu_time_exceeded", null, "SIGKILL"],
    ["TO, no message, CPU budget not used", { code: null, status: "TO", cpu_time: 10 }, "wall_time_exceeded", null, "SIGKILL"],
    ["SG, memory message", { code: null, signal: "SIGKILL", status: "SG", message: "Memory limit exceeded" }, "memory_limit_exceeded", null, "SIGKILL"],
    ["SG, whole memory limit used", { code: null, signal: "SIGKILL", status: "SG", memory: 32 * 1024 * 1024 }, "memory_limit_exceeded", null, "SIGKILL"],
    ["SG, segfault", { code: null, signal: "SIGSEGV", status: "SG", message: "Caught fatal signal 11" }, "runtime_error", null, "SIGSEGV"],
    ["OL", { code: null, signal: "SIGKILL", status: "OL", message: "stdout length exceeded" }, "stdout_limit_exceeded", null, "SIGKILL"],
    ["EL", { code: null, signal: "SIGKILL", status: "EL", message: "stderr length exceeded" }, "stderr_limit_exceeded", null, "SIGKILL"],
    ["XX", { code: null, status: "XX", message: "isolate: cannot create box" }, "internal_error", null, null],
  ] as const)("%s → %s", (_label, run, status, exitCode, signal) => {
    const result = map(run);
    expect(result).toMatchObject({ status, exitCode, signal, nondeterministic: true, cpuTimeMs: (run as { cpu_time?: number }).cpu_time ?? 5, wallTimeMs: 9 });
    if (status !== "ok") expect(result.message).toBeTruthy();
    expect(result.stdoutTruncated).toBe(status === "stdout_limit_exceeded");
    expect(result.stderrTruncated).toBe(status === "stderr_limit_exceeded");
  });

  it("keeps the backend's message for XX and RE", () => {
    expect(map({ status: "XX", code: null, message: "isolate: cannot create box" }).message).toBe("isolate: cannot create box");
    expect(map({ status: "RE", code: 2, message: "Exited with error status 2" }).message).toBe("Exited with error status 2");
  });

  it("a failed compile stage is a compile_error with the compiler's stderr (run repeating it, or absent)", () => {
    const compile = { code: 1, status: "RE", message: "Exited with error status 1", stderr: "main.c:1: error: expected ';'", wall_time: 120 };
    for (const body of [
      { language: "c", version: "10.2.0", run: stage(compile), compile: stage(compile) },
      { language: "c", version: "10.2.0", compile: stage(compile) },
    ]) {
      const result = fromPistonResponse(body, limits);
      expect(result).toMatchObject({
        status: "compile_error",
        exitCode: 1,
        stdout: "",
        stderr: "main.c:1: error: expected ';'",
        compile: { ok: false, stderr: "main.c:1: error: expected ';'", wallTimeMs: 120 },
        runtime: { language: "c", version: "10.2.0" },
      });
    }
    // A compiler that reports on stdout.
    const stdoutCompiler = fromPistonResponse({ language: "x", version: "1", compile: stage({ code: 2, stdout: "Error: bad" }) }, limits);
    expect(stdoutCompiler).toMatchObject({ status: "compile_error", stderr: "Error: bad" });
  });

  it("a successful compile stage is kept next to the run", () => {
    const result = map({ code: 0, stdout: "hi\n", output: "hi\n" }, { code: 0, wall_time: 80 });
    expect(result).toMatchObject({ status: "ok", stdout: "hi\n", compile: { ok: true, stderr: "", wallTimeMs: 80 } });
  });

  it("missing optional fields default (pre-isolate Piston stages)", () => {
    const result = fromPistonResponse({ language: "x", version: "1", run: { stdout: "o", stderr: "e", code: 0, signal: null } }, limits);
    expect(result).toMatchObject({ status: "ok", stdout: "o", stderr: "e", output: "oe", cpuTimeMs: 0, wallTimeMs: 0, memoryBytes: 0 });
  });

  it("enforces our output caps on arrival, without splitting a character", () => {
    const small = { ...LIMITS, maxStdoutBytes: 10, maxStderrBytes: 4 };
    const cut = fromPistonResponse({ language: "x", version: "1", run: stage({ stdout: "abcdefghi€€", output: "abcdefghi€€" }) }, small);
    expect(cut).toMatchObject({ status: "stdout_limit_exceeded", exitCode: null, signal: "SIGKILL", stdout: "abcdefghi", stdoutTruncated: true, stderrTruncated: false });
    const err = fromPistonResponse({ language: "x", version: "1", run: stage({ code: 1, status: "RE", stderr: "Traceback..." }) }, small);
    expect(err).toMatchObject({ status: "stderr_limit_exceeded", stderr: "Trac", stderrTruncated: true });
    // A run that already ended for a limit keeps its status.
    const timedOut = fromPistonResponse({ language: "x", version: "1", run: stage({ code: null, status: "TO", message: "Time limit exceeded", stdout: "x".repeat(20) }) }, small);
    expect(timedOut).toMatchObject({ status: "cpu_time_exceeded", stdoutTruncated: true });
  });

  it("inverts our own Piston presenter for every status", () => {
    const statuses: ExecutionStatus[] = [
      "ok",
      "runtime_error",
      "cpu_time_exceeded",
      "wall_time_exceeded",
      "memory_limit_exceeded",
      "stdout_limit_exceeded",
      "stderr_limit_exceeded",
      "internal_error",
    ];
    const killedByLimit = (status: ExecutionStatus) => status.endsWith("_exceeded");
    for (const status of statuses) {
      const local: ExecutionResult = {
        status,
        exitCode: status === "ok" ? 0 : status === "runtime_error" ? 2 : null,
        signal: killedByLimit(status) ? "SIGKILL" : null,
        message: status === "ok" ? null : "why",
        stdout: "out",
        stderr: "err",
        output: "outerr",
        stdoutTruncated: status === "stdout_limit_exceeded",
        stderrTruncated: status === "stderr_limit_exceeded",
        cpuTimeMs: 1.5,
        wallTimeMs: 2.5,
        memoryBytes: 4096,
        nondeterministic: false,
      };
      const back = fromPistonResponse(JSON.parse(JSON.stringify(toPistonResponse("javascript", "1.0.0", local))), LIMITS);
      expect({ status: back.status, exitCode: back.exitCode, signal: back.signal }, status).toEqual({
        status: local.status,
        exitCode: local.exitCode,
        signal: local.signal,
      });
      expect(back).toMatchObject({ stdout: "out", stderr: "err", output: "outerr", cpuTimeMs: 1.5, wallTimeMs: 2.5, memoryBytes: 4096 });
    }
    const compileFailed: ExecutionResult = {
      status: "compile_error",
      exitCode: 1,
      signal: null,
      message: "Compilation failed",
      stdout: "",
      stderr: "main.ts:1:5: Unexpected token",
      output: "main.ts:1:5: Unexpected token",
      stdoutTruncated: false,
      stderrTruncated: false,
      cpuTimeMs: 1,
      wallTimeMs: 1,
      memoryBytes: 0,
      compile: { ok: false, stderr: "main.ts:1:5: Unexpected token", wallTimeMs: 3 },
      nondeterministic: false,
    };
    const back = fromPistonResponse(JSON.parse(JSON.stringify(toPistonResponse("typescript", "5.0.0", compileFailed))), LIMITS);
    expect(back).toMatchObject({ status: "compile_error", exitCode: 1, stderr: compileFailed.stderr, compile: { ok: false, stderr: compileFailed.stderr } });
  });
});

describe("fetchPistonRuntimes", () => {
  it("parses the backend's runtimes", async () => {
    const a = backend("runtimes");
    expect(await fetchPistonRuntimes(a.url, { timeoutMs: 5000 })).toEqual(DEFAULT_FAKE_RUNTIMES);
    expect(await a.stats()).toMatchObject({ runtimesCalls: 1, executes: 0 });
  });

  it("a list of the wrong shape is a protocol error; a failure is a BackendError", async () => {
    const a = backend("badruntimes");
    await a.control({ runtimes: [{ language: "python" }] as never });
    expect(await backendError(fetchPistonRuntimes(a.url, { timeoutMs: 5000 }))).toMatchObject({ kind: "protocol", retryable: false });
    await a.control({ failure: "reset" });
    expect(await backendError(fetchPistonRuntimes(a.url, { timeoutMs: 5000 }))).toMatchObject({ kind: "connect", retryable: true });
  });
});

describe("probePiston", () => {
  it("healthy: runtimes listed and the JavaScript probe program answered", async () => {
    const a = backend("probe");
    const probe = await probePiston(a.url, { timeoutMs: 5000 });
    expect(probe).toMatchObject({ healthy: true, runtimes: DEFAULT_FAKE_RUNTIMES });
    expect(probe.error).toBeUndefined();
    expect(probe.latencyMs).toBeGreaterThanOrEqual(0);
    const stats = await a.stats();
    expect(stats).toMatchObject({ runtimesCalls: 1, executes: 1 });
    expect(stats.lastExecute).toEqual({
      language: "javascript",
      version: "20.11.1",
      files: [{ name: "probe.js", content: "console.log(6 * 7)" }],
      stdin: "42\n",
      args: [],
    });
  });

  it("without JavaScript only the runtimes call is made", async () => {
    const a = backend("probepy");
    await a.control({ runtimes: [{ language: "python", version: "3.12.0", aliases: ["py"] }] });
    expect(await probePiston(a.url, { timeoutMs: 5000 })).toMatchObject({ healthy: true, runtimes: [{ language: "python" }] });
    expect((await a.stats()).executes).toBe(0);
  });

  it("unhealthy with the reason when the backend fails or answers wrongly", async () => {
    const a = backend("probedown");
    await a.control({ failure: "http503" });
    const down = await probePiston(a.url, { timeoutMs: 5000 });
    expect(down).toMatchObject({ healthy: false, runtimes: [], error: { kind: "http", status: 503 } });

    // A backend that lists JavaScript but prints the wrong answer.
    const fetcher = (async (input: RequestInfo | URL) =>
      String(input).endsWith("/runtimes")
        ? Response.json(DEFAULT_FAKE_RUNTIMES)
        : Response.json({ language: "javascript", version: "20.11.1", run: stage({ stdout: "41\n" }) })) as typeof fetch;
    const bad = await probePiston("http://x.test", { timeoutMs: 1000, fetcher });
    expect(bad).toMatchObject({ healthy: false, error: { kind: "protocol" } });
    expect(bad.error!.message).toContain("expected 42");
  });
});
