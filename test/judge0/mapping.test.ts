import { describe, expect, it } from "vitest";
import { openDatabase } from "../../workers/db/client";
import { callbackPayload } from "../../workers/jobs/callback-payload";
import { deliverCallback, tenantCallbackSecret } from "../../workers/jobs/callbacks";
import { verifyCallback } from "../../workers/jobs/signature";
import type { Job, JobResult } from "../../workers/jobs/types";
import { languageName, resolveLanguage } from "../../workers/judge0/languages";
import { DEFAULT_FIELDS, encodeBase64, parseFields, presentSubmission } from "../../workers/judge0/present";
import { judge0Outcome, JUDGE0_STATUSES, normalizeOutput } from "../../workers/judge0/statuses";
import { splitCommandLine, type Judge0JobRequest } from "../../workers/judge0/submission";
import { LIMIT_DEFAULTS } from "../../workers/sandbox";
import { QUICKJS_VERSION } from "../../workers/sandbox/runtimes";
import type { ExecutionResult } from "../../workers/sandbox/types";
import { env } from "../helpers/bindings";
import { unb64 } from "./helpers";

// The pure parts: status mapping, units, output comparison, argument splitting, fields, the
// presenter, and the Judge0 branch of the callback payload.

function result(overrides: Partial<ExecutionResult>): ExecutionResult {
  return {
    status: "ok",
    exitCode: 0,
    signal: null,
    message: null,
    stdout: "",
    stderr: "",
    output: "",
    stdoutTruncated: false,
    stderrTruncated: false,
    cpuTimeMs: 12,
    wallTimeMs: 15.4,
    memoryBytes: 231_424,
    nondeterministic: false,
    ...overrides,
  };
}

function judge0Job(overrides: Partial<Job> = {}, request: Partial<Judge0JobRequest> = {}, execution?: ExecutionResult): Job {
  const jobResult: JobResult | null = execution
    ? { execution, runtime: { language: "javascript", version: QUICKJS_VERSION, engine: "quickjs" }, region: "local", backendId: null, cache: { status: "MISS" } as JobResult["cache"] }
    : null;
  return {
    id: "3f0c6a4e-0000-4000-8000-000000000001",
    tenantId: "judge0-unit",
    lane: "interactive",
    status: execution ? "completed" : "queued",
    flavor: "judge0",
    request: {
      runtime: { language: "javascript", version: QUICKJS_VERSION },
      files: [{ name: "script.js", content: "console.log(42)" }],
      stdin: "",
      args: [],
      limits: LIMIT_DEFAULTS,
      cache: { mode: "default", tags: [] },
      judge0: {
        languageId: 63, hasStdin: false, compilerOptions: null, commandLineArguments: null, cpuTimeLimit: 3, cpuExtraTime: 1,
        wallTimeLimit: 5, memoryLimit: 32768, stackLimit: 64000, maxProcessesAndOrThreads: 60, enablePerProcessAndThreadTimeLimit: false,
        enablePerProcessAndThreadMemoryLimit: false, maxFileSize: 1024, numberOfRuns: 1, redirectStderrToStdout: false,
      },
      ...request,
    } as Judge0JobRequest,
    idempotencyKey: null,
    callbackUrl: "https://hooks.example.com/judge0",
    result: jobResult,
    error: null,
    attempts: 1,
    createdAt: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
    startedAt: Date.UTC(2026, 0, 2, 3, 4, 6),
    completedAt: execution ? Date.UTC(2026, 0, 2, 3, 4, 7) : null,
    ...overrides,
  };
}

describe("GET /statuses table", () => {
  it("is Judge0's, id for id and word for word", () => {
    expect(JUDGE0_STATUSES).toEqual([
      { id: 1, description: "In Queue" },
      { id: 2, description: "Processing" },
      { id: 3, description: "Accepted" },
      { id: 4, description: "Wrong Answer" },
      { id: 5, description: "Time Limit Exceeded" },
      { id: 6, description: "Compilation Error" },
      { id: 7, description: "Runtime Error (SIGSEGV)" },
      { id: 8, description: "Runtime Error (SIGXFSZ)" },
      { id: 9, description: "Runtime Error (SIGFPE)" },
      { id: 10, description: "Runtime Error (SIGABRT)" },
      { id: 11, description: "Runtime Error (NZEC)" },
      { id: 12, description: "Runtime Error (Other)" },
      { id: 13, description: "Internal Error" },
      { id: 14, description: "Exec Format Error" },
    ]);
  });
});

describe("judge0Outcome: ExecutionResult → Judge0", () => {
  it("reports time in seconds with three decimals, memory in whole KB, and empty streams as null", () => {
    const outcome = judge0Outcome(result({ stdout: "42\n", cpuTimeMs: 12, wallTimeMs: 1534.6, memoryBytes: 231_424 }));
    expect(outcome).toEqual({
      status: { id: 3, description: "Accepted" },
      stdout: "42\n",
      stderr: null,
      compileOutput: null,
      message: null,
      time: "0.012",
      wallTime: "1.535",
      memory: 226,
      exitCode: 0,
      exitSignal: null,
    });
  });

  it.each([
    ["ok", {}, 3, null, 0, null],
    ["runtime_error", { exitCode: 1 }, 11, "Exited with error status 1", 1, null],
    ["cpu_time_exceeded", { exitCode: null, signal: "SIGKILL" }, 5, "Time limit exceeded", null, 9],
    ["wall_time_exceeded", { exitCode: null, signal: "SIGKILL" }, 5, "Time limit exceeded (wall clock)", null, 9],
    ["memory_limit_exceeded", { exitCode: null, signal: "SIGKILL" }, 12, "Memory limit exceeded", null, 9],
    ["stdout_limit_exceeded", { exitCode: null, signal: "SIGKILL" }, 8, "File size limit exceeded: stdout is over max_file_size", null, 25],
    ["stderr_limit_exceeded", { exitCode: null, signal: "SIGKILL" }, 8, "File size limit exceeded: stderr is over max_file_size", null, 25],
    ["internal_error", { exitCode: null, message: "Internal sandbox error: x" }, 13, "Internal sandbox error: x", null, null],
  ] as const)("%s → status %i", (status, extra, id, message, exitCode, exitSignal) => {
    const outcome = judge0Outcome(result({ status, ...extra }));
    expect(outcome.status.id).toBe(id);
    expect(outcome.message).toBe(message);
    expect(outcome.exitCode).toBe(exitCode);
    expect(outcome.exitSignal).toBe(exitSignal);
  });

  it("compile_error → 6 with compile_output and nothing else, as Judge0 stops there", () => {
    const outcome = judge0Outcome(
      result({ status: "compile_error", exitCode: 1, stderr: "script.ts:1:18: Unexpected token", compile: { ok: false, stderr: "script.ts:1:18: Unexpected token", wallTimeMs: 3 } }),
    );
    expect(outcome).toEqual({
      status: { id: 6, description: "Compilation Error" },
      stdout: null,
      stderr: null,
      compileOutput: "script.ts:1:18: Unexpected token",
      message: null,
      time: null,
      wallTime: null,
      memory: null,
      exitCode: null,
      exitSignal: null,
    });
  });

  it.each([
    ["SIGSEGV", 7, 11],
    ["SIGXFSZ", 8, 25],
    ["SIGFPE", 9, 8],
    ["SIGABRT", 10, 6],
    ["SIGTERM", 12, 15],
  ] as const)("a remote program killed by %s is status %i (Judge0's signal table)", (signal, id, number) => {
    const outcome = judge0Outcome(result({ status: "runtime_error", exitCode: null, signal }));
    expect(outcome.status.id).toBe(id);
    expect(outcome.exitSignal).toBe(number);
    expect(outcome.message).toBe(`Caught fatal signal ${number}`);
  });

  it("compares expected_output the way Judge0 does: per-line and final trailing whitespace only", () => {
    const ok = (stdout: string, expected: string) => judge0Outcome(result({ stdout }), { expectedOutput: expected }).status.id;
    expect(ok("3\n", "3")).toBe(3);
    expect(ok("a  \r\nb\t\n\n\n", "a\nb")).toBe(3);
    expect(ok("a\nb\n", "a\n\nb")).toBe(4);
    expect(ok(" 3\n", "3")).toBe(4);
    expect(ok("", "")).toBe(3);
    expect(ok("", "\n")).toBe(3);
    expect(ok("x\u00a0", "x")).toBe(4); // Ruby's rstrip keeps non-ASCII spaces
    expect(normalizeOutput("l1 \nl2\t\n\n")).toBe("l1\nl2");
  });

  it("redirect_stderr_to_stdout: stdout is the interleaved output, stderr null", () => {
    const outcome = judge0Outcome(result({ stdout: "a\n", stderr: "b\n", output: "a\nb\n" }), { redirectStderrToStdout: true });
    expect(outcome.stdout).toBe("a\nb\n");
    expect(outcome.stderr).toBeNull();
  });
});

describe("splitCommandLine", () => {
  it.each([
    ["", []],
    ["a b  c", ["a", "b", "c"]],
    [`"b c" 'd e'`, ["b c", "d e"]],
    [`f\\ g "x\\"y" ''`, ["f g", 'x"y', ""]],
    ["a;b|c $HOME `x` <in >out &", ["abc", "HOME", "x", "in", "out"]],
  ])("%j → %j", (line, args) => {
    expect(splitCommandLine(line)).toEqual(args);
  });
});

describe("parseFields", () => {
  it("defaults, *, a list, and unknown names", () => {
    expect(parseFields(undefined)).toEqual({ ok: true, fields: DEFAULT_FIELDS });
    expect(parseFields("")).toEqual({ ok: true, fields: DEFAULT_FIELDS });
    expect(parseFields("*")).toMatchObject({ ok: true, fields: expect.arrayContaining(["source_code", "language", "exit_signal"]) });
    expect(parseFields("stdout, status_id")).toEqual({ ok: true, fields: ["stdout", "status_id"] });
    expect(parseFields("stdout,bad")).toEqual({ ok: false, invalid: ["bad"] });
  });
});

describe("presentSubmission", () => {
  it("a failed job (the service could not run it) is 13 Internal Error with the reason in message", () => {
    const job = judge0Job({ status: "failed", error: "runtime javascript-1.0.0 is not available any more", completedAt: Date.now() });
    expect(presentSubmission(job, { base64Encoded: false, fields: ["status", "message", "finished_at"] })).toEqual({
      finished_at: expect.stringMatching(/Z$/),
      message: "runtime javascript-1.0.0 is not available any more",
      status: { id: 13, description: "Internal Error" },
    });
  });

  it("names the language after what ran it", () => {
    const job = judge0Job({}, {}, result({ stdout: "42\n" }));
    expect(presentSubmission(job, { base64Encoded: false, fields: ["language", "language_id", "created_at"] })).toEqual({
      language_id: 63,
      created_at: "2026-01-02T03:04:05.678Z",
      language: { id: 63, name: `JavaScript (QuickJS ${QUICKJS_VERSION})` },
    });
    expect(languageName({ display: "C++" }, { language: "c++", version: "10.2.0", engine: "gcc" })).toBe("C++ (GCC 10.2.0)");
    expect(languageName({ display: "Python" }, { language: "python", version: "3.12.0", engine: "python" })).toBe("Python (3.12.0)");
  });

  it("resolves Judge0 ids to the latest runtime that can run them", () => {
    expect(resolveLanguage(63, [])?.runtime).toMatchObject({ language: "javascript", runtime: "quickjs" });
    expect(resolveLanguage(71, [])).toBeUndefined();
    const remote = [
      { language: "python", version: "3.10.0", aliases: ["py"] },
      { language: "python", version: "3.12.0", aliases: ["py"] },
      { language: "python", version: "2.7.18", aliases: ["py2"] },
    ];
    expect(resolveLanguage(71, remote)?.runtime.version).toBe("3.12.0");
    expect(resolveLanguage(70, remote)?.runtime.version).toBe("2.7.18");
    expect(resolveLanguage(12345, remote)).toBeUndefined();
  });
});

describe("callback payload (workers/jobs/callback-payload.ts)", () => {
  it("Judge0 submissions are PUT with Judge0's default fields, plain text when not asked for Base64", () => {
    const job = judge0Job({}, { base64Encoded: false }, result({ stdout: "42\n", stderr: "warn\n" }));
    const payload = callbackPayload(job);
    expect(payload.method).toBe("PUT");
    expect(payload.body).toEqual({
      stdout: "42\n",
      time: "0.012",
      memory: 226,
      stderr: "warn\n",
      token: job.id,
      compile_output: null,
      message: null,
      status: { id: 3, description: "Accepted" },
    });
  });

  it("… and in Base64 when the submission asked for it (Judge0 always sends Base64)", () => {
    const job = judge0Job({}, { base64Encoded: true }, result({ status: "runtime_error", exitCode: 2, stdout: "é\n" }));
    const body = callbackPayload(job).body as Record<string, string | null>;
    expect(unb64(body.stdout!)).toBe("é\n");
    expect(unb64(body.message!)).toBe("Exited with error status 2");
    expect(body.stderr).toBeNull();
    expect(body).toMatchObject({ token: job.id, status: { id: 11, description: "Runtime Error (NZEC)" } });
  });

  it("native jobs keep POSTing the native job view", () => {
    const job = judge0Job({ flavor: "native" }, {}, result({ stdout: "42\n" }));
    const payload = callbackPayload(job);
    expect(payload.method).toBe("POST");
    expect(payload.body).toMatchObject({ id: job.id, status: "completed" });
  });

  it("is delivered as a signed JSON PUT", async () => {
    const db = openDatabase(env.DB);
    const job = judge0Job({ tenantId: `judge0-cb-${crypto.randomUUID()}` }, { base64Encoded: true }, result({ stdout: "42\n" }));
    let seen: { method: string; headers: Headers; body: string } | undefined;
    const fetcher = (async (_url: RequestInfo | URL, init?: RequestInit) => {
      seen = { method: init!.method!, headers: new Headers(init!.headers), body: String(init!.body) };
      return new Response(null, { status: 204 });
    }) as typeof fetch;
    const outcome = await deliverCallback(db, job, callbackPayload(job), 1, fetcher);
    expect(outcome.delivered).toBe(true);
    expect(seen!.method).toBe("PUT");
    expect(seen!.headers.get("content-type")).toBe("application/json");
    const body = JSON.parse(seen!.body) as { stdout: string; token: string };
    expect(body.stdout).toBe(encodeBase64("42\n"));
    const secret = await tenantCallbackSecret(db, job.tenantId);
    expect(await verifyCallback(secret, seen!.headers.get("X-Edgebox-Signature")!, seen!.body, Math.floor(Date.now() / 1000))).toBe(true);
  });
});
