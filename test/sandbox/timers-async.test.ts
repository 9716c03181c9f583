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

describe("process.nextTick", () => {
  // One program exercising every queue; the expected orders are what Node 22.12 prints for it.
  const ORDER_PROGRAM = [
    "const log = (x) => console.log(x);",
    "Promise.resolve().then(() => log('p1'));",
    "process.nextTick(() => log('t1'));",
    "queueMicrotask(() => { log('m1'); process.nextTick(() => log('t-from-micro')); Promise.resolve().then(() => log('p-from-micro')); });",
    "process.nextTick(() => { log('t2'); process.nextTick(() => log('t3')); Promise.resolve().then(() => log('p-from-tick')); });",
    "setTimeout(() => { Promise.resolve().then(() => log('timer-p')); process.nextTick(() => log('timer-t')); log('timer'); }, 0);",
    "setTimeout(() => log('timer2'), 0);",
    "log('sync');",
  ].join("\n");

  it("runs ticks before the promise jobs queued in the same tick, in a CommonJS entry", async () => {
    expect((await stdoutOf(ORDER_PROGRAM)).trim().split("\n").join(" ")).toBe(
      "sync t1 t2 t3 p1 m1 p-from-tick p-from-micro t-from-micro timer timer-t timer-p timer2",
    );
  });

  it("runs the promise jobs first in an ES module entry, as Node does", async () => {
    expect((await stdoutOf(ORDER_PROGRAM, { name: "main.mjs" })).trim().split("\n").join(" ")).toBe(
      "sync p1 m1 p-from-micro t1 t2 t-from-micro t3 p-from-tick timer timer-t timer-p timer2",
    );
    expect((await stdoutOf("export {};\n" + ORDER_PROGRAM)).trim().split("\n")[1]).toBe("p1");
    expect(await stdoutOf("Promise.resolve().then(() => console.log('p1'));\nprocess.nextTick(() => console.log('t1'));\nawait null;\nconsole.log('after await');")).toBe(
      "p1\nafter await\nt1\n",
    );
  });

  it("passes arguments, reports throws as uncaught errors and validates its callback", async () => {
    expect(await stdoutOf("process.nextTick((a, b) => console.log(a + b), 'x', 'y')")).toBe("xy\n");
    const thrown = await run("process.nextTick(() => { throw new Error('in tick') }); process.nextTick(() => console.log('not reached'))");
    expect(thrown).toMatchObject({ status: "runtime_error", exitCode: 1, stdout: "" });
    expect(thrown.stderr).toContain("Error: in tick");
    expect(await stdoutOf("try { process.nextTick(42) } catch (e) { console.log(e.name, e.message) }")).toBe(
      'TypeError The "callback" argument must be of type function. Received type number (42)\n',
    );
  });

  it("is metered: an endless nextTick chain ends with cpu_time_exceeded", async () => {
    const result = await run("function again() { process.nextTick(again) } again()", { limits: { cpuTimeMs: 200 } });
    expect(result.status).toBe("cpu_time_exceeded");
  });
});

describe("unhandled promise rejections (as Node 22: printed, exit code 1)", () => {
  it("reports an async function that throws with nobody awaiting it", async () => {
    const result = await run('async function main() { throw new Error("x") }\nmain()\nconsole.log("sync done")');
    expect(result).toMatchObject({ status: "runtime_error", exitCode: 1, stdout: "sync done\n" });
    expect(result.stderr).toMatch(/^\/sandbox\/main\.js:1\nasync function main\(\) \{ throw new Error\("x"\) \}\n +\^\n\nError: x\n {4}at main \(\/sandbox\/main\.js:1:/);
    expect(result.stderr).toMatch(/\n\nNode\.js v22\.12\.0\n$/);
  });

  it("wraps a reason that is not an error the way Node does", async () => {
    const result = await run("Promise.reject(42)");
    expect(result).toMatchObject({ status: "runtime_error", exitCode: 1 });
    expect(result.stderr).toBe(
      "node:internal/process/promises:392\n      new UnhandledPromiseRejection(reason);\n      ^\n\n" +
        "UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason \"42\".\n" +
        "    at throwUnhandledRejectionsMode (node:internal/process/promises:392:7)\n" +
        "    at processPromiseRejections (node:internal/process/promises:475:17)\n" +
        "    at process.processTicksAndRejections (node:internal/process/task_queues:104:32) {\n  code: 'ERR_UNHANDLED_REJECTION'\n}\n\nNode.js v22.12.0\n",
    );
    const reasons = await stdoutOf(
      "process.on('uncaughtException', (e, origin) => console.log(e.code, origin, /reason \"(.*)\"\\.$/.exec(e.message)[1]));\nfor (const r of [{ a: 1 }, [1, 2], new (class Foo {})(), undefined, Symbol('s'), 10n, Object.create(null)]) Promise.reject(r);",
    );
    expect(reasons).toBe(
      ["#<Object>", "[object Array]", "#<Foo>", "undefined", "Symbol(s)", "10", "[object Object]"].map((r) => `ERR_UNHANDLED_REJECTION unhandledRejection ${r}\n`).join(""),
    );
  });

  it("does not report a rejection that gets a handler before the microtask and nextTick queues drain", async () => {
    expect(await stdoutOf("const p = Promise.reject(new Error('same tick'));\nPromise.resolve().then(() => p.catch((e) => console.log('caught', e.message)));")).toBe("caught same tick\n");
    expect(await stdoutOf("const p = Promise.reject(new Error('t'));\nprocess.nextTick(() => p.catch(() => console.log('caught in tick')));")).toBe("caught in tick\n");
    expect(
      await stdoutOf(
        "async function f() { await null; throw new Error('deep'); }\nasync function g() { try { await f(); } catch (e) { console.log('g caught', e.message); } }\ng(); f().catch((e) => console.log('direct', e.message));\nPromise.allSettled([Promise.reject(1), Promise.resolve(2)]).then((r) => console.log(r.map((x) => x.status).join()));",
      ),
    ).toBe("g caught deep\ndirect deep\nrejected,fulfilled\n");
  });

  it("reports a rejection that is handled only in a later macrotask, before that macrotask runs", async () => {
    const result = await run("const p = Promise.reject(new Error('late'));\nsetTimeout(() => p.catch(() => console.log('caught late')), 0);");
    expect(result).toMatchObject({ status: "runtime_error", exitCode: 1, stdout: "" });
    expect(result.stderr).toContain("Error: late\n");
  });

  it("gives 'unhandledRejection' listeners the reason and promise instead, and keeps running", async () => {
    expect(
      await stdoutOf("process.on('unhandledRejection', (r, p) => console.log('unhandled', r, p instanceof Promise));\nPromise.reject('why');\nsetTimeout(() => console.log('still running'), 0);"),
    ).toBe("unhandled why true\nstill running\n");
    expect(
      await stdoutOf("process.on('uncaughtException', (e, origin) => console.log('uncaught', e.message, origin));\nPromise.reject(new Error('boom'));\nsetTimeout(() => console.log('still running'), 0);"),
    ).toBe("uncaught boom unhandledRejection\nstill running\n");
  });

  it("ends with exit code 1 whatever process.exitCode was, skipping later timers", async () => {
    const result = await run("console.log('before');\nprocess.exitCode = 3;\nnew Promise((_, rej) => rej(new TypeError('bad')));\nsetTimeout(() => console.log('not reached'), 10);");
    expect(result).toMatchObject({ status: "runtime_error", exitCode: 1, stdout: "before\n" });
    expect(result.stderr).toContain("TypeError: bad");
  });

  it("reports a rejected top-level await once", async () => {
    const result = await run("await Promise.reject(new Error('tla'))");
    expect(result).toMatchObject({ status: "runtime_error", exitCode: 1 });
    expect(result.stderr.match(/Error: tla/g)).toHaveLength(1);
  });

  it("is metered and bounded when a program rejects in a loop", async () => {
    const handled = await run("for (let i = 0; i < 20000; i++) Promise.reject(i).catch(() => {});\nconsole.log('done')");
    expect(handled).toMatchObject({ status: "ok", stdout: "done\n" });
    const endless = await run("process.on('unhandledRejection', () => {});\nfor (;;) Promise.reject(1);", { limits: { cpuTimeMs: 300 } });
    expect(endless.status).toMatch(/cpu_time_exceeded|memory_limit_exceeded/);
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
