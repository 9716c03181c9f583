// Hostile programs against every limit. Each one must end with the right status, quickly, and leave
// the sandbox able to run the next program normally.
import { afterEach, describe, expect, it } from "vitest";
import { expectHealthy, run } from "./helpers";

afterEach(async () => {
  await expectHealthy();
});

const KILLED = { exitCode: null, signal: "SIGKILL" };

describe("CPU", () => {
  it("stops an infinite loop with cpu_time_exceeded", async () => {
    const result = await run("console.log('spinning'); while (true) {}", { limits: { cpuTimeMs: 500, wallTimeMs: 10_000 } });
    expect(result).toMatchObject({ ...KILLED, status: "cpu_time_exceeded", message: "CPU time limit exceeded", stdout: "spinning\n" });
    expect(result.wallTimeMs).toBeLessThan(1_500);
  });

  it("stops catastrophic regex backtracking (the regex engine polls the same budget)", async () => {
    const started = performance.now();
    const result = await run("console.log(/(a+)+$/.test('a'.repeat(40) + 'b'))", { limits: { cpuTimeMs: 500, wallTimeMs: 10_000 } });
    expect(result).toMatchObject({ ...KILLED, status: "cpu_time_exceeded" });
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it("cannot escape by catching the interrupt", async () => {
    const result = await run("for (;;) { try { while (true) {} } catch (e) { console.log('caught') } }", { limits: { cpuTimeMs: 300 } });
    expect(result).toMatchObject({ status: "cpu_time_exceeded", stdout: "" });
  });

  it("meters an endless setImmediate chain and an endless promise chain", async () => {
    const immediates = await run("function f() { setImmediate(f) } f()", { limits: { cpuTimeMs: 300, wallTimeMs: 10_000 } });
    expect(immediates.status).toBe("cpu_time_exceeded");
    const promises = await run("function f() { Promise.resolve().then(f) } f()", { limits: { cpuTimeMs: 300, wallTimeMs: 10_000 } });
    expect(promises.status).toBe("cpu_time_exceeded");
  });

  it("bounds loops over expensive native calls by the wall clock where it moves", async () => {
    const result = await run("const s = 'a'.repeat(4e6); for (;;) s.indexOf('b')", { limits: { cpuTimeMs: 10_000, wallTimeMs: 1_000 } });
    expect(result).toMatchObject({ ...KILLED, status: "wall_time_exceeded" });
    expect(result.wallTimeMs).toBeLessThan(2_000);
  });

  it("reports small CPU and wall times for a trivial program", async () => {
    const result = await run("console.log(1)");
    expect(result.cpuTimeMs).toBeGreaterThanOrEqual(0);
    expect(result.cpuTimeMs).toBeLessThan(100);
    expect(result.wallTimeMs).toBeGreaterThanOrEqual(result.cpuTimeMs);
  });
});

describe("wall time", () => {
  it("stops CPU-bound work at the wall budget when it is lower than the CPU budget", async () => {
    const result = await run("while (true) {}", { limits: { cpuTimeMs: 10_000, wallTimeMs: 300 } });
    expect(result).toMatchObject({ ...KILLED, status: "wall_time_exceeded", message: "Wall time limit exceeded" });
  });
});

describe("memory", () => {
  const bombs: Record<string, string> = {
    "array push loop": "const a = []; while (true) a.push(1);",
    "strings pushed into an array": "const a = []; while (true) a.push('x'.repeat(100));",
    "string doubling, flattened": "let s = 'x'; while (true) { s = s + s; s.indexOf('y'); }",
    "object graph": "let o = null; while (true) o = { next: o, v: [1, 2, 3] };",
    "Map entries": "const m = new Map(); let i = 0; while (true) m.set(i, i++);",
    "ArrayBuffers": "const a = []; while (true) a.push(new ArrayBuffer(1e5));",
    "one huge typed array": "new Uint8Array(1e9)",
    "caught out-of-memory errors": "const a = []; for (;;) { try { while (true) a.push(new Array(1000).fill(1)); } catch (e) { console.log('caught', e.message); } }",
  };
  it.each(Object.entries(bombs))("ends the %s bomb with memory_limit_exceeded, fast", async (_, code) => {
    const result = await run(code, { limits: { memoryBytes: 32 * 1024 * 1024, cpuTimeMs: 10_000, wallTimeMs: 15_000 } });
    expect(result).toMatchObject({ ...KILLED, status: "memory_limit_exceeded", message: "Memory limit exceeded", stdout: "", stderr: "" });
    expect(result.wallTimeMs).toBeLessThan(1_000);
    expect(result.memoryBytes).toBeLessThanOrEqual(32 * 1024 * 1024 + 512 * 1024);
  });

  it("treats string doubling (ropes, no memory used) as Node's RangeError", async () => {
    const result = await run("let s = 'x'; while (true) s += s;");
    expect(result).toMatchObject({ status: "runtime_error", exitCode: 1 });
    expect(result.stderr).toContain("RangeError: Invalid string length");
  });

  it("distinguishes new Array(2 ** 32) (a plain RangeError) from exhaustion", async () => {
    const result = await run("new Array(2 ** 32)");
    expect(result).toMatchObject({ status: "runtime_error", exitCode: 1, signal: null });
    expect(result.stderr).toContain("RangeError: invalid array length");
  });

  it("enforces the requested limit on real bytes, and reports the peak", async () => {
    const code = "const a = new Uint8Array(20 * 1024 * 1024); a.fill(7); console.log(a[123])";
    expect(await run(code, { limits: { memoryBytes: 16 * 1024 * 1024 } })).toMatchObject({ status: "memory_limit_exceeded" });
    const ok = await run(code, { limits: { memoryBytes: 32 * 1024 * 1024 } });
    expect(ok).toMatchObject({ status: "ok", stdout: "7\n" });
    expect(ok.memoryBytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(ok.memoryBytes).toBeLessThan(22 * 1024 * 1024);
    const small = await run("console.log(1)");
    expect(small.memoryBytes).toBeGreaterThan(0);
    expect(small.memoryBytes).toBeLessThan(1024 * 1024);
  });
});

describe("stack", () => {
  it("turns deep recursion into a RangeError the program can catch", async () => {
    const result = await run("let depth = 0; function f() { depth++; f(); }\ntry { f(); } catch (e) { console.log(e instanceof RangeError, depth > 500); }");
    expect(result).toMatchObject({ status: "ok", stdout: "true true\n" });
  });

  it("reports uncaught deep recursion like Node, exit 1", async () => {
    const result = await run("function f() { f() }\nf()");
    expect(result).toMatchObject({ status: "runtime_error", exitCode: 1, signal: null });
    expect(result.stderr).toContain("RangeError: Maximum call stack size exceeded");
    expect(result.stderr.split("\n").filter((l) => l.startsWith("    at ")).length).toBe(10);
  });

  it("survives deeply nested JSON.parse, JSON.stringify and source nesting", async () => {
    for (const code of [
      "JSON.parse('['.repeat(1e6))",
      "let a = []; for (let i = 0; i < 1e5; i++) a = [a]; JSON.stringify(a)",
      "eval('('.repeat(1e5))",
    ]) {
      const result = await run(code);
      expect(result.status, code).toBe("runtime_error");
      expect(result.exitCode, code).toBe(1);
    }
    await expectHealthy();
  });
});

describe("output", () => {
  it("truncates endless stdout at the cap and stops the program", async () => {
    const result = await run("while (true) console.log('x')", { limits: { maxStdoutBytes: 1000 } });
    expect(result).toMatchObject({ ...KILLED, status: "stdout_limit_exceeded", message: "stdout length exceeded", stdoutTruncated: true });
    expect(result.stdout).toBe("x\n".repeat(500));
    expect(result.wallTimeMs).toBeLessThan(1_000);
  });

  it("does the same for stderr", async () => {
    const result = await run("for (;;) process.stderr.write('err ')", { limits: { maxStderrBytes: 10 } });
    expect(result).toMatchObject({ ...KILLED, status: "stderr_limit_exceeded", message: "stderr length exceeded", stderrTruncated: true, stderr: "err err er" });
  });

  it("counts UTF-8 bytes and never splits a character", async () => {
    const result = await run("for (;;) process.stdout.write('é')", { limits: { maxStdoutBytes: 7 } });
    expect(result.status).toBe("stdout_limit_exceeded");
    expect(result.stdout).toBe("ééé");
  });

  it("keeps output under the cap intact", async () => {
    const result = await run("process.stdout.write('a'.repeat(1000))", { limits: { maxStdoutBytes: 1000 } });
    expect(result).toMatchObject({ status: "ok", stdoutTruncated: false });
    expect(result.stdout.length).toBe(1000);
  });
});
