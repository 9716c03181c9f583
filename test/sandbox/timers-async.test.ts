// Promises, timers on the virtual clock, uncaught errors and the determinism flag.
import { describe, expect, it } from "vitest";
import { run, stdoutOf } from "./helpers";

describe("virtual clock", () => {
  it("jumps over a 10 s setTimeout without waiting for it", async () => {
    const started = Date.now();
    const result = await run("const t0 = Date.now(); setTimeout(() => console.log('fired after', Math.round((Date.now() - t0) / 1000), 's'), 10_000);", {
      limits: { wallTimeMs: 15_000 },
    });
    expect(result).toMatchObject({ status: "ok", stdout: "fired after 10 s\n" });
    expect(result.wallTimeMs).toBeLessThan(1_000);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("fires timers in due order, with intervals and clearTimeout", async () => {
    const out = await stdoutOf(
      "const log = (x) => console.log(x);\nsetTimeout(() => log('c300'), 300);\nsetTimeout(() => log('a100'), 100);\nconst dead = setTimeout(() => log('never'), 150); clearTimeout(dead);\nlet n = 0; const iv = setInterval(() => { log('tick' + ++n); if (n === 3) clearInterval(iv); }, 80);\nsetTimeout((x, y) => log(x + y), 200, 'arg', 's');",
    );
    expect(out).toBe("tick1\na100\ntick2\nargs\ntick3\nc300\n"); // 80, 100, 160, 200, 240, 300
  });

  it("ends with wall_time_exceeded when the next timer is beyond the wall budget", async () => {
    const result = await run("console.log('start'); setTimeout(() => console.log('too late'), 60_000);", { limits: { wallTimeMs: 5_000 } });
    expect(result).toMatchObject({ status: "wall_time_exceeded", exitCode: null, signal: "SIGKILL", message: "Wall time limit exceeded", stdout: "start\n" });
    expect(result.wallTimeMs).toBeLessThan(1_000);
  });

  it("stops an endless setInterval on the wall budget, quickly", async () => {
    const result = await run("let n = 0; setInterval(() => { n++; }, 1); process.on('exit', () => console.log(n));", { limits: { wallTimeMs: 2_000 } });
    expect(result.status).toBe("wall_time_exceeded");
    expect(result.wallTimeMs).toBeLessThan(2_000);
  });

  it("does not wait for unref'd timers", async () => {
    expect(await run("setTimeout(() => console.log('no'), 1000).unref(); console.log('yes')")).toMatchObject({ status: "ok", stdout: "yes\n" });
  });

  it("moves Date.now, new Date and performance.now with the virtual clock", async () => {
    const out = await stdoutOf(
      "const d0 = Date.now(), p0 = performance.now();\nsetTimeout(() => { console.log(Date.now() - d0 >= 2000, performance.now() - p0 >= 2000, new Date().getTime() >= d0 + 2000, typeof Date(), new Date(0).toISOString()); }, 2000);",
    );
    expect(out).toBe("true true true string 1970-01-01T00:00:00.000Z\n");
  });
});

describe("promises and async code", () => {
  it("drains promise chains, async/await and microtasks between macrotasks", async () => {
    const out = await stdoutOf(
      "const order = [];\nasync function f() { order.push('f1'); await null; order.push('f2'); }\nsetTimeout(() => { order.push('t1'); Promise.resolve().then(() => order.push('t1-micro')); }, 0);\nsetTimeout(() => { order.push('t2'); console.log(order.join(' ')); }, 0);\nf().then(() => order.push('f-done'));\norder.push('sync');",
    );
    expect(out).toBe("f1 sync f2 f-done t1 t1-micro t2\n");
  });

  it("awaits at top level in a script that uses no import/export", async () => {
    expect(await stdoutOf("const v = await new Promise((r) => setTimeout(() => r(7), 50)); console.log(v * 6)")).toBe("42\n");
  });

  it("reports a rejected top-level await as an uncaught error", async () => {
    const result = await run("await Promise.reject(new Error('tla failed'))");
    expect(result).toMatchObject({ status: "runtime_error", exitCode: 1 });
    expect(result.stderr).toContain("Error: tla failed\n    at ");
  });

  it("exits with 13 and a warning when top-level await never settles, like Node", async () => {
    const result = await run("await new Promise(() => {})");
    expect(result).toMatchObject({ status: "runtime_error", exitCode: 13 });
    expect(result.stderr).toBe("Warning: Detected unsettled top-level await at /sandbox/main.js\n");
  });
});

describe("uncaught errors", () => {
  it("prints a synchronous throw like Node: location, source line, caret, stack; exit 1", async () => {
    const result = await run("function f() {\n  throw new Error('boom');\n}\nf();");
    expect(result).toMatchObject({ status: "runtime_error", exitCode: 1, signal: null, stdout: "" });
    // Same layout as Node; the columns are QuickJS's (it points at the call, V8 at `new`).
    expect(result.stderr).toMatch(
      /^\/sandbox\/main\.js:2\n  throw new Error\('boom'\);\n {2,}\^\n\nError: boom\n    at f \(\/sandbox\/main\.js:2:\d+\)\n    at Object\.<anonymous> \(\/sandbox\/main\.js:4:\d+\)\n\nNode\.js v22\.12\.0\n$/,
    );
  });

  it("reports errors thrown in timers and in microtasks", async () => {
    const timer = await run("console.log('a'); setTimeout(() => { null.x }, 10); setTimeout(() => console.log('never'), 20);");
    expect(timer).toMatchObject({ status: "runtime_error", exitCode: 1, stdout: "a\n" });
    expect(timer.stderr).toContain("TypeError: cannot read property 'x' of null");
    const micro = await run("queueMicrotask(() => { throw new RangeError('in microtask') })");
    expect(micro.stderr).toContain("RangeError: in microtask");
    expect(micro.exitCode).toBe(1);
  });

  it("prints thrown non-errors", async () => {
    const result = await run("throw { code: 42 }");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe("Uncaught { code: 42 }\n\nNode.js v22.12.0\n");
  });
});

describe("determinism flag", () => {
  it("is false for programs that only compute", async () => {
    expect((await run("console.log([3, 1, 2].sort().join(','))")).nondeterministic).toBe(false);
    expect((await run("setTimeout(() => console.log('x'), 100)")).nondeterministic).toBe(false);
  });

  it.each([
    ["Date.now()", "Date.now()"],
    ["new Date()", "new Date()"],
    ["performance.now()", "performance.now()"],
    ["Math.random()", "Math.random()"],
    ["crypto.getRandomValues", "crypto.getRandomValues(new Uint8Array(4))"],
    ["crypto.randomUUID", "crypto.randomUUID()"],
    ["require('crypto').randomBytes", "require('crypto').randomBytes(4)"],
    ["process.hrtime", "process.hrtime()"],
  ])("is true after %s", async (_, expression) => {
    const result = await run(`${expression}; console.log('ok')`);
    expect(result.status).toBe("ok");
    expect(result.nondeterministic).toBe(true);
  });

  it("is true when setTimeout(0) races setImmediate from the main module", async () => {
    expect((await run("setTimeout(() => {}, 0); setImmediate(() => {});")).nondeterministic).toBe(true);
  });

  it("gives random values from the host's generator", async () => {
    const out = await stdoutOf("const a = crypto.getRandomValues(new Uint32Array(4)); console.log(new Set(a).size > 1, /^[0-9a-f-]{36}$/.test(crypto.randomUUID()), Math.random() !== Math.random())");
    expect(out).toBe("true true true\n");
  });
});
