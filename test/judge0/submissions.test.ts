import { describe, expect, it } from "vitest";
import { openDatabase } from "../../workers/db/client";
import { insertJob, startJob } from "../../workers/jobs/job-store";
import { ALL_FIELDS, DEFAULT_FIELDS } from "../../workers/judge0/present";
import type { Judge0JobRequest } from "../../workers/judge0/submission";
import { LIMIT_DEFAULTS } from "../../workers/sandbox";
import { QUICKJS_VERSION } from "../../workers/sandbox/runtimes";
import { env } from "../helpers/bindings";
import { call, callWithVars, createTenantWithKey, postJson } from "../helpers/http";
import { b64, finished, getSubmission, JS, json, runWaiting, TS, unb64, type Submission } from "./helpers";

// Judge0 CE over HTTP: POST /submissions (async and wait=true), GET /submissions/:token, fields,
// Base64 in and out, every status the service produces, and Judge0's error shapes.

const SUM = "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(' ').map(Number); console.log(a + b)";

describe("POST /submissions", () => {
  it("answers 201 {token} and runs the submission as a job; GET shows it with Judge0's default fields", async () => {
    const response = await postJson("/submissions", { source_code: SUM, language_id: JS, stdin: "2 3" });
    expect(response.status).toBe(201);
    const created = await json<{ token: string }>(response);
    expect(Object.keys(created)).toEqual(["token"]);
    expect(created.token).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("x-request-id")).toBeTruthy();

    await finished(created.token);
    const { response: got, submission } = await getSubmission(created.token);
    expect(got.status).toBe(200);
    expect(Object.keys(submission)).toEqual(["stdout", "time", "memory", "stderr", "token", "compile_output", "message", "status"]);
    expect(submission).toMatchObject({
      token: created.token,
      stdout: "5\n",
      stderr: null,
      compile_output: null,
      message: null,
      status: { id: 3, description: "Accepted" },
    });
  });

  it("with wait=true runs it before answering: 201 and the finished submission", async () => {
    const { response, submission } = await runWaiting({ source_code: "console.log('hello, ' + require('fs').readFileSync(0, 'utf8').trim())", language_id: JS, stdin: "Judge0" });
    expect(response.status).toBe(201);
    expect(submission).toMatchObject({ stdout: "hello, Judge0\n", status: { id: 3, description: "Accepted" } });
    expect(typeof submission.token).toBe("string");
  });

  it("reports time as seconds with three decimals and memory as whole kilobytes", async () => {
    const { submission } = await runWaiting({ source_code: "let s = 0; for (let i = 0; i < 1e5; i++) s += i; console.log(s)", language_id: JS }, "&fields=time,wall_time,memory");
    expect(submission.time).toMatch(/^\d+\.\d{3}$/);
    expect(submission.wall_time).toMatch(/^\d+\.\d{3}$/);
    expect(Number(submission.wall_time)).toBeGreaterThanOrEqual(Number(submission.time));
    expect(Number.isInteger(submission.memory)).toBe(true);
    // A QuickJS program's heap: some hundreds of KB, nowhere near bytes or megabytes.
    expect(submission.memory).toBeGreaterThan(50);
    expect(submission.memory).toBeLessThan(32 * 1024);
  });

  it("is also served under /judge0", async () => {
    const response = await postJson("/judge0/submissions?wait=true", { source_code: "console.log(6 * 7)", language_id: JS });
    expect(response.status).toBe(201);
    expect(await json(response)).toMatchObject({ stdout: "42\n", status: { id: 3 } });
    const statuses = await call("/judge0/statuses");
    expect(statuses.status).toBe(200);
  });
});

describe("statuses", () => {
  it("3 Accepted when stdout matches expected_output, trailing whitespace aside (Judge0's rule)", async () => {
    const { submission } = await runWaiting({ source_code: SUM, language_id: JS, stdin: "1 2", expected_output: "3  \n\n" });
    expect(submission.status).toEqual({ id: 3, description: "Accepted" });
  });

  it("4 Wrong Answer when it differs", async () => {
    const { submission } = await runWaiting({ source_code: SUM, language_id: JS, stdin: "1 2", expected_output: "4" }, "&fields=stdout,status,exit_code");
    expect(submission).toEqual({ stdout: "3\n", exit_code: 0, status: { id: 4, description: "Wrong Answer" } });
  });

  it("11 Runtime Error (NZEC) for an uncaught exception, with exit_code 1 and isolate's message", async () => {
    const { submission } = await runWaiting({ source_code: "console.log('before'); throw new Error('boom')", language_id: JS }, "&fields=*");
    expect(submission.status).toEqual({ id: 11, description: "Runtime Error (NZEC)" });
    expect(submission.status_id).toBe(11);
    expect(submission.exit_code).toBe(1);
    expect(submission.exit_signal).toBeNull();
    expect(submission.message).toBe("Exited with error status 1");
    expect(submission.stdout).toBe("before\n");
    expect(submission.stderr).toContain("Error: boom");
  });

  it("11 with the program's own exit code", async () => {
    const { submission } = await runWaiting({ source_code: "process.exit(3)", language_id: JS }, "&fields=status,exit_code,message");
    expect(submission).toEqual({ exit_code: 3, message: "Exited with error status 3", status: { id: 11, description: "Runtime Error (NZEC)" } });
  });

  it("6 Compilation Error for a TypeScript syntax error: compile_output only, like Judge0", async () => {
    const { submission } = await runWaiting({ source_code: "const x: number = ;\nconsole.log(x)", language_id: TS }, "&fields=*");
    expect(submission.status).toEqual({ id: 6, description: "Compilation Error" });
    expect(submission.compile_output).toEqual(expect.stringContaining("script.ts"));
    expect(submission).toMatchObject({ stdout: null, stderr: null, time: null, memory: null, exit_code: null, message: null });
  });

  it("TypeScript that compiles runs (74)", async () => {
    const { submission } = await runWaiting({ source_code: "const n: number = 21; console.log(n * 2)", language_id: TS }, "&fields=stdout,status,language");
    expect(submission).toMatchObject({ stdout: "42\n", status: { id: 3 }, language: { id: TS, name: expect.stringMatching(/^TypeScript \(QuickJS /) } });
  });

  it("5 Time Limit Exceeded for an infinite loop (CPU), killed with signal 9", async () => {
    const { submission } = await runWaiting({ source_code: "for (;;) {}", language_id: JS, cpu_time_limit: 0.2 }, "&fields=*");
    expect(submission.status).toEqual({ id: 5, description: "Time Limit Exceeded" });
    expect(submission.message).toBe("Time limit exceeded");
    expect(submission.exit_signal).toBe(9);
    expect(submission.cpu_time_limit).toBe("0.2");
    expect(submission.time).toMatch(/^\d+\.\d{3}$/);
  });

  it("5 for the wall-clock limit too, with isolate's wall-clock message", async () => {
    const { submission } = await runWaiting(
      { source_code: "setTimeout(() => console.log('late'), 5000)", language_id: JS, wall_time_limit: 1 },
      "&fields=status,message,stdout",
    );
    expect(submission).toEqual({ stdout: null, message: "Time limit exceeded (wall clock)", status: { id: 5, description: "Time Limit Exceeded" } });
  });

  it("12 Runtime Error (Other) for a memory bomb, with \"Memory limit exceeded\" in message", async () => {
    const { submission } = await runWaiting(
      { source_code: "const hog = []; for (;;) hog.push(new Array(100000).fill(7))", language_id: JS, memory_limit: 8192 },
      "&fields=status,message,exit_signal,memory,memory_limit",
    );
    expect(submission.status).toEqual({ id: 12, description: "Runtime Error (Other)" });
    expect(submission.message).toBe("Memory limit exceeded");
    expect(submission.exit_signal).toBe(9);
    expect(submission.memory_limit).toBe(8192);
    expect(submission.memory).toBeGreaterThan(4096);
  });

  it("8 Runtime Error (SIGXFSZ) when output passes max_file_size, as a too-large output file is in Judge0", async () => {
    const { submission } = await runWaiting(
      { source_code: "for (;;) console.log('x'.repeat(100))", language_id: JS, max_file_size: 1 },
      "&fields=status,message,exit_signal,stdout,max_file_size",
    );
    expect(submission.status).toEqual({ id: 8, description: "Runtime Error (SIGXFSZ)" });
    expect(submission.exit_signal).toBe(25);
    expect(submission.message).toBe("File size limit exceeded: stdout is over max_file_size of 1 KB");
    expect(new TextEncoder().encode(submission.stdout as string).length).toBeLessThanOrEqual(1024);
    expect(submission.max_file_size).toBe(1);
  });
});

describe("submission fields", () => {
  it("splits command_line_arguments like a shell into the program's arguments", async () => {
    const { submission } = await runWaiting({
      source_code: "console.log(JSON.stringify(process.argv.slice(2)))",
      language_id: JS,
      command_line_arguments: `a "b c" 'd e' f\\ g`,
    }, "&fields=stdout,command_line_arguments");
    expect(JSON.parse(submission.stdout as string)).toEqual(["a", "b c", "d e", "f g"]);
    expect(submission.command_line_arguments).toBe(`a "b c" 'd e' f\\ g`);
  });

  it("redirect_stderr_to_stdout puts both streams in stdout, in write order", async () => {
    const { submission } = await runWaiting(
      { source_code: "console.log('out'); console.error('err'); console.log('out2')", language_id: JS, redirect_stderr_to_stdout: true },
      "&fields=stdout,stderr",
    );
    expect(submission).toEqual({ stdout: "out\nerr\nout2\n", stderr: null });
  });

  it("accepts numbers as strings, as Judge0 does, and echoes the limits it ran with", async () => {
    const { response, submission } = await runWaiting(
      { source_code: "console.log(1)", language_id: "63", cpu_time_limit: "1.5", wall_time_limit: "4", memory_limit: "16384", stack_limit: 32000, number_of_runs: 1 },
      "&fields=*",
    );
    expect(response.status).toBe(201);
    expect(submission).toMatchObject({
      language_id: 63,
      cpu_time_limit: "1.5",
      cpu_extra_time: "1.0",
      wall_time_limit: "4.0",
      memory_limit: 16384,
      stack_limit: 32000,
      number_of_runs: 1,
      max_file_size: 1024,
      enable_network: false,
      additional_files: null,
      compiler_options: null,
      stdin: null,
      expected_output: null,
      language: { id: 63, name: expect.stringMatching(/^JavaScript \(QuickJS \d+\.\d+\.\d+\)$/) },
      execution_host: expect.any(String),
    });
    expect(submission.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(submission.finished_at).toMatch(/Z$/);
  });
});

describe("?fields=", () => {
  it("returns exactly the fields asked for; * returns every attribute", async () => {
    const { submission: picked } = await runWaiting({ source_code: "console.log('f')", language_id: JS }, "&fields=stdout,status_id,language_id");
    expect(picked).toEqual({ language_id: JS, stdout: "f\n", status_id: 3 });

    const token = (await runWaiting({ source_code: "console.log('all')", language_id: JS })).submission.token!;
    const { submission: all } = await getSubmission(token, "?fields=*");
    expect(Object.keys(all)).toEqual([...ALL_FIELDS]);
    const { submission: defaults } = await getSubmission(token, "?fields=");
    expect(Object.keys(defaults)).toEqual(["stdout", "time", "memory", "stderr", "token", "compile_output", "message", "status"]);
    expect(new Set(Object.keys(defaults))).toEqual(new Set(DEFAULT_FIELDS));
  });

  it("400 {error: invalid fields: [...]} for unknown names, on GET and POST", async () => {
    const response = await call(`/submissions/${crypto.randomUUID()}?fields=stdout,bogus,nope`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "invalid fields: [bogus, nope]" });
    const post = await postJson("/submissions?fields=zzz", { source_code: "1", language_id: JS });
    expect(post.status).toBe(400);
    expect(await post.json()).toEqual({ error: "invalid fields: [zzz]" });
  });
});

describe("base64_encoded=true", () => {
  it("decodes source_code, stdin and expected_output, and encodes every text field of the answer", async () => {
    const source = "const s = require('fs').readFileSync(0, 'utf8').trim(); console.log(s.toUpperCase()); console.error('é ' + s)";
    const { response, submission } = await runWaiting(
      { source_code: b64(source), language_id: JS, stdin: b64("héllo"), expected_output: b64("HÉLLO\n") },
      "&base64_encoded=true&fields=token,source_code,stdin,expected_output,stdout,stderr,status",
    );
    expect(response.status).toBe(201);
    expect(submission.status).toEqual({ id: 3, description: "Accepted" });
    expect(unb64(submission.source_code as string)).toBe(source);
    expect(unb64(submission.stdin as string)).toBe("héllo");
    expect(unb64(submission.expected_output as string)).toBe("HÉLLO\n");
    expect(unb64(submission.stdout as string)).toBe("HÉLLO\n");
    expect(unb64(submission.stderr as string)).toBe("é héllo\n");

    // The same submission read back without base64_encoded is plain text.
    const { submission: plain } = await getSubmission(submission.token!, "?fields=stdout,stdin");
    expect(plain).toEqual({ stdin: "héllo", stdout: "HÉLLO\n" });
  });

  it("encodes message and compile_output too", async () => {
    const nzec = await runWaiting({ source_code: b64("process.exit(2)"), language_id: JS }, "&base64_encoded=true&fields=message,status,token");
    expect(unb64(nzec.submission.message as string)).toBe("Exited with error status 2");
    const { submission } = await getSubmission(nzec.submission.token!, "?base64_encoded=true&fields=message");
    expect(unb64(submission.message as string)).toBe("Exited with error status 2");
    const compile = await runWaiting({ source_code: b64("let x: = 1"), language_id: TS }, "&base64_encoded=true&fields=compile_output,status");
    expect(compile.submission.status!.id).toBe(6);
    expect(unb64(compile.submission.compile_output as string)).toContain("script.ts");
  });

  it("accepts Base64 with line breaks (what Ruby's encoder writes)", async () => {
    const encoded = b64("console.log('wrapped base64 works fine here')").replace(/(.{20})/g, "$1\n");
    const { submission } = await runWaiting({ source_code: encoded, language_id: JS }, "&base64_encoded=true&fields=stdout");
    expect(unb64(submission.stdout as string)).toBe("wrapped base64 works fine here\n");
  });

  it("422 for a field that is not valid Base64", async () => {
    const response = await postJson("/submissions?base64_encoded=true", { source_code: "@@not base64@@", language_id: JS, stdin: b64("ok") });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ source_code: ["is not valid Base64-encoded UTF-8 text (base64_encoded=true)"] });
    const binary = await postJson("/submissions?base64_encoded=true", { source_code: b64("1"), language_id: JS, stdin: "/w==" });
    expect(binary.status).toBe(422);
    expect(Object.keys(await binary.json())).toEqual(["stdin"]);
  });
});

describe("In Queue and Processing", () => {
  async function judge0Row(): Promise<string> {
    const request: Judge0JobRequest = {
      runtime: { language: "javascript", version: QUICKJS_VERSION },
      files: [{ name: "script.js", content: "console.log(1)" }],
      stdin: "",
      args: [],
      limits: LIMIT_DEFAULTS,
      cache: { mode: "bypass", tags: [] },
      judge0: {
        languageId: JS, hasStdin: false, compilerOptions: null, commandLineArguments: null, cpuTimeLimit: 3, cpuExtraTime: 1,
        wallTimeLimit: 5, memoryLimit: 32768, stackLimit: 64000, maxProcessesAndOrThreads: 60, enablePerProcessAndThreadTimeLimit: false,
        enablePerProcessAndThreadMemoryLimit: false, maxFileSize: 64, numberOfRuns: 1, redirectStderrToStdout: false,
      },
    };
    // A row with no queue message: it stays queued until the test moves it.
    const outcome = await insertJob(openDatabase(env.DB), {
      id: crypto.randomUUID(), tenantId: "dev", lane: "interactive", flavor: "judge0", request, requestHash: "x",
      idempotencyKey: null, callbackUrl: null, createdAt: Date.now(),
    });
    return outcome.job.id;
  }

  it("a queued job is 1 In Queue, a running one 2 Processing, with no results yet", async () => {
    const token = await judge0Row();
    const queued = await getSubmission(token, "?fields=status,stdout,time,memory,finished_at");
    expect(queued.submission).toEqual({ stdout: null, finished_at: null, time: null, memory: null, status: { id: 1, description: "In Queue" } });
    await startJob(openDatabase(env.DB), token, Date.now());
    const running = await getSubmission(token, "?fields=status,started_at");
    expect(running.submission.status).toEqual({ id: 2, description: "Processing" });
    expect(running.submission.started_at).toMatch(/Z$/);
  });
});

describe("POST /submissions/batch and GET /submissions/batch", () => {
  it("creates each valid entry (201 with a token or the entry's errors), then reads them back in order", async () => {
    const response = await postJson("/submissions/batch", {
      submissions: [
        { source_code: "console.log('one')", language_id: JS },
        { source_code: "console.log('two')", language_id: 9999 },
        { source_code: "const t: string = 'three'; console.log(t)", language_id: TS, expected_output: "three" },
      ],
    });
    expect(response.status).toBe(201);
    const created = await json<Array<Record<string, unknown>>>(response);
    expect(created).toHaveLength(3);
    expect(created[0]).toEqual({ token: expect.any(String) });
    expect(created[1]).toEqual({ language_id: ["language with id 9999 doesn't exist"] });
    expect(created[2]).toEqual({ token: expect.any(String) });
    const tokens = [created[0].token as string, created[2].token as string];
    await Promise.all(tokens.map(finished));

    const unknown = crypto.randomUUID();
    const got = await call(`/submissions/batch?tokens=${tokens[1]},${unknown},${tokens[0]}&fields=token,stdout,status_id`);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({
      submissions: [
        { stdout: "three\n", status_id: 3, token: tokens[1] },
        null,
        { stdout: "one\n", status_id: 3, token: tokens[0] },
      ],
    });
  });

  it("decodes Base64 entries and encodes the batch read", async () => {
    const created = await json<Array<{ token: string }>>(
      await postJson("/submissions/batch?base64_encoded=true", { submissions: [{ source_code: b64("console.log('b64 batch')"), language_id: JS }] }),
    );
    await finished(created[0].token);
    const got = await json<{ submissions: Submission[] }>(await call(`/submissions/batch?tokens=${created[0].token}&base64_encoded=true`));
    expect(unb64(got.submissions[0].stdout as string)).toBe("b64 batch\n");
  });

  it("422 when no entry is valid; 400 for an empty or oversized batch, Judge0's wording", async () => {
    const invalid = await postJson("/submissions/batch", { submissions: [{ language_id: JS }, { source_code: "x" }] });
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toEqual([{ source_code: ["can't be blank"] }, { language_id: ["can't be blank"] }]);

    const empty = await postJson("/submissions/batch", { submissions: [] });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ error: "there should be at least one submission in a batch" });

    const tooMany = await postJson("/submissions/batch", { submissions: Array.from({ length: 101 }, () => ({ source_code: "1", language_id: JS })) });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toEqual({ error: "number of submissions in a batch should be less than or equal to 100" });

    const noTokens = await call("/submissions/batch?tokens=");
    expect(noTokens.status).toBe(400);
    expect(await noTokens.json()).toEqual({ error: "there should be at least one submission in a batch" });
  });
});

describe("errors in Judge0's shapes", () => {
  it("422 {field: [messages]} listing every problem", async () => {
    const missing = await postJson("/submissions", {});
    expect(missing.status).toBe(422);
    expect(await missing.json()).toEqual({ source_code: ["can't be blank"], language_id: ["can't be blank"] });

    const many = await postJson("/submissions", {
      source_code: "console.log(1)",
      language_id: 150000,
      cpu_time_limit: 100,
      wall_time_limit: "soon",
      memory_limit: 1024,
      compiler_options: "-O2",
      enable_network: true,
      additional_files: "UEsDBA==",
      callback_url: "ftp://example.com/hook",
    });
    expect(many.status).toBe(422);
    expect(await many.json()).toEqual({
      language_id: ["language with id 150000 doesn't exist"],
      cpu_time_limit: ["must be less than or equal to 10.0"],
      wall_time_limit: ["is not a number"],
      memory_limit: ["must be greater than or equal to 2048"],
      compiler_options: ["setting compiler options is not allowed"],
      enable_network: ["enabling network is not allowed"],
      additional_files: ["setting additional files is not allowed"],
      callback_url: ["must be an http(s) URL"],
    });
  });

  it("a language id this service cannot run now does not exist (no remote backend has Python here)", async () => {
    const response = await postJson("/submissions", { source_code: "print(1)", language_id: 71 });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ language_id: ["language with id 71 doesn't exist"] });
  });

  it("404 {error: Not Found} for an unknown token, the request id in a header", async () => {
    const response = await call(`/submissions/${crypto.randomUUID()}`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "Not Found", status: 404 });
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  it("a native job's id is not a submission", async () => {
    const native = await postJson("/v1/jobs", { language: "javascript", code: "console.log(1)" });
    if (native.status === 404) return; // the native jobs API is mounted separately
    const { id } = (await native.json()) as { id: string };
    expect((await call(`/submissions/${id}`)).status).toBe(404);
  });

  it("{error} for bodies that are not JSON and for methods a route does not have", async () => {
    const bad = await call("/submissions", { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: expect.stringContaining("not valid JSON") });
    const put = await call("/submissions", { method: "PUT" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("POST");
    expect(await put.json()).toEqual({ error: expect.any(String) });
  });

  it("Idempotency-Key: the same body returns the same token, another body is a 409", async () => {
    const key = { "Idempotency-Key": `j0-${crypto.randomUUID()}` };
    const first = await json<{ token: string }>(await postJson("/submissions", { source_code: "console.log('idem')", language_id: JS }, key));
    const again = await json<{ token: string }>(await postJson("/submissions", { source_code: "console.log('idem')", language_id: JS }, key));
    expect(again.token).toBe(first.token);
    const other = await postJson("/submissions", { source_code: "console.log('other')", language_id: JS }, key);
    expect(other.status).toBe(409);
    expect(await other.json()).toEqual({ error: expect.any(String) });
  });
});

describe("auth", () => {
  it("takes the API key from X-Auth-Token, as Judge0 clients send it; without one, 401 in production", async () => {
    const key = await createTenantWithKey("judge0-auth");
    const body = JSON.stringify({ source_code: "console.log(1)", language_id: JS });
    const headers = { "content-type": "application/json" };
    const anonymous = await callWithVars({ ENVIRONMENT: "production" }, "/submissions", { method: "POST", headers, body });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: expect.stringContaining("API key") });

    const wrong = await callWithVars({ ENVIRONMENT: "production" }, "/submissions", { method: "POST", headers: { ...headers, "X-Auth-Token": "ebx_wrong" }, body });
    expect(wrong.status).toBe(401);

    const ok = await callWithVars({ ENVIRONMENT: "production" }, "/submissions", { method: "POST", headers: { ...headers, "X-Auth-Token": key }, body });
    expect(ok.status).toBe(201);
    const { token } = await json<{ token: string }>(ok);
    // Tokens are the tenant's own: another tenant (here the dev tenant) does not see it.
    expect((await call(`/submissions/${token}`)).status).toBe(404);
    const mine = await callWithVars({ ENVIRONMENT: "production" }, `/submissions/${token}?fields=token`, { headers: { "X-Auth-Token": key } });
    expect(mine.status).toBe(200);
  });
});
