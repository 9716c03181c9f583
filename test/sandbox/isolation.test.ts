// What a program can reach, what it can leave behind, and how engine faults are contained.
import { describe, expect, it } from "vitest";
import { LIMIT_DEFAULTS, LIMIT_MAXIMA } from "../../workers/sandbox";
import { EnginePool } from "../../workers/sandbox/engine/engine-pool";
import { matchesSnapshot, STACK_GUARD_BYTES, STACK_MARGIN_BYTES } from "../../workers/sandbox/engine/snapshot";
import { SNAPSHOT_SETUP } from "../../workers/sandbox/execution";
import { runProgramWith } from "../../workers/sandbox/run-program";
import { expectHealthy, run, stdoutOf } from "./helpers";

describe("no host capabilities", () => {
  it("has no network, no host globals and no bridge left on globalThis", async () => {
    const out = await stdoutOf(
      "const names = ['fetch', 'XMLHttpRequest', 'WebSocket', 'Request', 'Response', 'caches', 'navigator', 'WebAssembly', 'scheduler', 'addEventListener', 'host', '__host', 'std', 'os', 'scriptArgs', 'bootstrap'];\nconsole.log(names.filter((n) => typeof globalThis[n] !== 'undefined').join(',') || 'none');\nconsole.log(Object.getOwnPropertyNames(globalThis).filter((n) => /host|bridge|^internal$|^__/i.test(n)).join(',') || 'none');",
    );
    expect(out).toBe("none\nnone\n");
  });

  it("gives Function-constructor and eval escapes only the sandbox's own global", async () => {
    const out = await stdoutOf(
      "const g1 = Function('return this')();\nconst g2 = (0, eval)('this');\nconst g3 = (function () { return this })();\nconst g4 = Object.getPrototypeOf(async function () {}).constructor('return globalThis');\nconsole.log(g1 === globalThis, g2 === globalThis, g3 === globalThis, typeof g1.fetch, typeof g2.fetch);\ng4().then((g) => console.log(g === globalThis));",
    );
    expect(out).toBe("true true true undefined undefined\ntrue\n");
  });

  it("does not expose the runtime's bridge through its own functions", async () => {
    const out = await stdoutOf(
      "const probes = [\n  () => console.log.caller,\n  () => process.exit.arguments,\n  () => require.caller,\n  () => setTimeout.caller,\n];\nconsole.log(probes.map((p) => { try { const v = p(); return v === null || v === undefined ? 'empty' : typeof v; } catch (e) { return e.constructor.name; } }).join(','));",
    );
    expect(out).not.toMatch(/function|object/);
  });

  it("cannot load host modules in any way", async () => {
    const out = await stdoutOf(
      "const attempts = ['child_process', 'node:child_process', 'http', 'net', 'worker_threads', 'vm', 'cloudflare:workers', '/srv/app/package.json', '../../etc/passwd'];\nfor (const name of attempts) { try { require(name); console.log('LOADED', name); } catch (e) { console.log(e.code || e.name); } }\nimport('node:child_process').then(() => console.log('LOADED dynamic'), (e) => console.log('dynamic', e.code));",
    );
    expect(out).not.toContain("LOADED");
    expect(out.trim().split("\n")).toHaveLength(10);
  });

  it("keeps the file system virtual: no host files, writes stay in the run", async () => {
    const out = await stdoutOf(
      "const fs = require('fs');\nfor (const p of ['/etc/passwd', '/srv/app/package.json', '../package.json']) { try { fs.readFileSync(p); console.log('READ', p); } catch (e) { console.log(e.code); } }\nfs.writeFileSync('/tmp/note.txt', 'kept');\nconsole.log(fs.readFileSync('/tmp/note.txt', 'utf8'), fs.readdirSync('/sandbox').join(','));",
    );
    expect(out).toBe("ENOENT\nENOENT\nENOENT\nkept main.js\n");
    const next = await stdoutOf("console.log(require('fs').existsSync('/tmp/note.txt'))");
    expect(next).toBe("false\n");
  });
});

describe("nothing survives a run", () => {
  it("does not let one run's globals, prototype patches or module state reach the next", async () => {
    await stdoutOf(
      [
        "globalThis.leak = 'secret';",
        "Array.prototype.push = function () { return 'hijacked'; };",
        "Object.prototype.polluted = true;",
        "Math.random = () => 4;",
        "JSON.parse = () => 'evil';",
        "console.log = () => {};",
        "require('fs').writeFileSync = () => {};",
        "process.env.TOKEN = 'x';",
      ].join("\n"),
    );
    const out = await stdoutOf(
      "const a = []; a.push(1);\nconsole.log(typeof globalThis.leak, a.length, ({}).polluted, Math.random() < 1, JSON.parse('[1]')[0], typeof require('fs').writeFileSync, process.env.TOKEN);",
    );
    expect(out).toBe("undefined 1 undefined true 1 function undefined\n");
  });

  it("runs concurrent programs without mixing their output or state", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        run(`globalThis.id = ${i};\nlet s = 0; for (let k = 0; k < 20000; k++) s += k;\nfor (let k = 0; k < 3; k++) console.log(globalThis.id, s);`),
      ),
    );
    results.forEach((result, i) => {
      expect(result.status).toBe("ok");
      expect(result.stdout).toBe(`${i} 199990000\n`.repeat(3));
    });
  });
});

describe("engines restored to the snapshot", () => {
  const HARD_MAX = 96 * 1024 * 1024;
  const request = (content: string, stdin = "", memoryBytes = LIMIT_DEFAULTS.memoryBytes) => ({
    language: "javascript",
    files: [{ name: "main.js", content }],
    stdin,
    args: [],
    limits: { ...LIMIT_DEFAULTS, memoryBytes },
  });
  /** A private pool of one, so consecutive runs are guaranteed to share the instance. */
  const singlePool = () => {
    const pool = new EnginePool({ maxPooled: 1, maxPoolableBytes: HARD_MAX, hardMaxHeapBytes: HARD_MAX, setup: SNAPSHOT_SETUP });
    const runOn = (content: string, stdin = "", memoryBytes?: number) =>
      runProgramWith(request(content, stdin, memoryBytes), () => pool.acquire(), (engine, execution) =>
        pool.release(engine, execution.engineFaulted, execution.untouchedRanges),
      );
    return { pool, runOn };
  };

  it("come back byte-identical to the snapshot, with no trace of the previous program's data", async () => {
    const { pool, runOn } = singlePool();
    const secret = "SECRET-" + "x".repeat(40);
    const result = await runOn("const kept = readline() + '!'.repeat(3); const a = new Array(1e5).fill(kept); console.log(a.length)", secret);
    expect(result).toMatchObject({ status: "ok", stdout: "100000\n" });
    expect(pool.size).toBe(1);
    const engine = await pool.acquire();
    expect(matchesSnapshot(engine.snapshot, engine.instance.governor.memory)).toBe(true);
    const bytes = new Uint8Array(engine.instance.governor.memory.buffer);
    const needle = new TextEncoder().encode("SECRET-");
    let found = false;
    for (let i = bytes.indexOf(needle[0]); i !== -1 && !found; i = bytes.indexOf(needle[0], i + 1)) {
      found = needle.every((b, k) => bytes[i + k] === b);
    }
    expect(found).toBe(false);
  });

  it("skip only the stack a run could not reach, and come back byte-identical after the deepest recursion allowed", async () => {
    const pool = new EnginePool({ maxPooled: 1, maxPoolableBytes: HARD_MAX, hardMaxHeapBytes: HARD_MAX, setup: SNAPSHOT_SETUP });
    let skipped: Array<{ start: number; end: number }> = [];
    const deepest = await runProgramWith(
      {
        ...request("let depth = 0; function f(a, b, c) { depth++; return f(a + 1, [b], { c }) + 1; }\ntry { f(0, 0, 0); } catch (e) { console.log(e instanceof RangeError, depth > 100); }"),
        limits: { ...LIMIT_DEFAULTS, stackBytes: LIMIT_MAXIMA.stackBytes },
      },
      () => pool.acquire(),
      (engine, execution) => {
        skipped = execution.untouchedRanges;
        pool.release(engine, execution.engineFaulted, skipped);
      },
    );
    expect(deepest).toMatchObject({ status: "ok", stdout: "true true\n" });
    expect(pool.size).toBe(1);
    const engine = await pool.acquire();
    const { stackPointer, stackGap } = engine.snapshot;
    // The pinned build's layout: data, then the stack growing down to the heap's start.
    expect(stackGap).not.toBeNull();
    expect(skipped).toContainEqual({ start: stackGap!.start, end: stackPointer - LIMIT_MAXIMA.stackBytes - STACK_MARGIN_BYTES });
    expect(matchesSnapshot(engine.snapshot, engine.instance.governor.memory)).toBe(true);
  });

  it("restore the whole stack when something wrote below the window a run's stack limit allows", async () => {
    const pool = new EnginePool({ maxPooled: 1, maxPoolableBytes: HARD_MAX, hardMaxHeapBytes: HARD_MAX, setup: SNAPSHOT_SETUP });
    let skipped: Array<{ start: number; end: number }> = [];
    let strayByte = -1;
    const result = await runProgramWith(
      request("console.log('ran')"),
      () => pool.acquire(),
      (engine, execution) => {
        // Stand-in for a frame deeper than the engine's stack check allows: a byte in the guard band.
        const { stackPointer } = engine.snapshot;
        strayByte = stackPointer - LIMIT_DEFAULTS.stackBytes - STACK_MARGIN_BYTES - STACK_GUARD_BYTES / 2;
        new Uint8Array(engine.instance.governor.memory.buffer)[strayByte] = 0x5a;
        skipped = execution.untouchedRanges;
        pool.release(engine, execution.engineFaulted, skipped);
      },
    );
    expect(result.stdout).toBe("ran\n");
    expect(skipped.some((range) => range.start <= strayByte && strayByte < range.end)).toBe(false);
    const engine = await pool.acquire();
    expect(new Uint8Array(engine.instance.governor.memory.buffer)[strayByte]).toBe(0);
    expect(matchesSnapshot(engine.snapshot, engine.instance.governor.memory)).toBe(true);
  });

  it("give the next run on the same instance none of the previous run's state", async () => {
    const { pool, runOn } = singlePool();
    const first = await runOn(
      [
        "globalThis.leak = 'secret'; Array.prototype.push = function () { return 'hijacked'; };",
        "Object.prototype.polluted = true; JSON.parse = () => 'evil'; Promise.prototype.then = null;",
        "process.env.TOKEN = 'x'; process.argv.push('extra'); require('fs').writeFileSync('/tmp/f', 'kept');",
        "require('fs').readFileSync = () => 'stale'; console.log = () => {}; Date.now = () => 0;",
        "process.stdout.write(String(Math.random()));",
      ].join("\n"),
    );
    expect(first.status).toBe("ok");
    expect(pool.size).toBe(1);
    const second = await runOn(
      "const a = []; a.push(1);\nconsole.log(typeof globalThis.leak, a.length, ({}).polluted, JSON.parse('[1]')[0], typeof Promise.prototype.then, process.env.TOKEN, process.argv.length, require('fs').existsSync('/tmp/f'), Date.now() > 0);\nprocess.stdout.write(String(Math.random()));",
    );
    expect(second.status).toBe("ok");
    const [line, random] = second.stdout.split("\n");
    expect(line).toBe("undefined 1 undefined 1 function undefined 2 false true");
    // Math.random is reseeded for every run, although the snapshot's engine state is identical.
    expect(random).not.toBe(first.stdout);
    expect(Number(random)).toBeGreaterThanOrEqual(0);
  });

  it("run the next program exactly like a fresh one, limits included", async () => {
    const { pool, runOn } = singlePool();
    // Grow the memory to ~22 MiB, then reuse the instance with a 16 MiB limit: the budget must still hold.
    expect((await runOn("const a = new Uint8Array(6 * 1024 * 1024).fill(1); console.log(a[5])")).stdout).toBe("1\n");
    expect(pool.size).toBe(1);
    const overLimit = await runOn("const a = new Uint8Array(20 * 1024 * 1024).fill(1); console.log(a[5])", "", 16 * 1024 * 1024);
    expect(overLimit.status).toBe("memory_limit_exceeded");
    const fine = await runOn("const a = new Uint8Array(10 * 1024 * 1024).fill(2); console.log(a[5], globalThis.leak)", "", 16 * 1024 * 1024);
    expect(fine).toMatchObject({ status: "ok", stdout: "2 undefined\n" });
  });
});

describe("engine faults", () => {
  it("reports an engine that fails to start as internal_error, and the next run is fine", async () => {
    const result = await runProgramWith(
      { language: "javascript", files: [{ name: "main.js", content: "console.log(1)" }], stdin: "", args: [], limits: LIMIT_DEFAULTS },
      () => Promise.reject(new WebAssembly.RuntimeError("instantiation failed")),
    );
    expect(result).toMatchObject({ status: "internal_error", exitCode: null });
    expect(result.message).toContain("instantiation failed");
    await expectHealthy();
  });

  it("contains a trap inside the engine mid-run (corrupted engine memory) and recovers", async () => {
    const pool = new EnginePool({ maxPooled: 1, maxPoolableBytes: 128 * 1024 * 1024, hardMaxHeapBytes: 128 * 1024 * 1024, setup: SNAPSHOT_SETUP });
    const result = await runProgramWith(
      { language: "javascript", files: [{ name: "main.js", content: "let x = 0; for (let i = 0; i < 1e6; i++) x += i; console.log(x)" }], stdin: "", args: [], limits: LIMIT_DEFAULTS },
      async () => {
        const engine = await pool.acquire();
        const { instance } = engine;
        const arm = instance.governor.arm.bind(instance.governor);
        // After the runtime is set up, wipe the engine's static data (its function tables and
        // globals): the next thing the engine does traps.
        instance.governor.arm = (cap: number) => {
          arm(cap);
          new Uint8Array(instance.governor.memory.buffer).fill(0xff, 1024, 90_000);
        };
        return engine;
      },
      (engine, execution) => pool.release(engine, execution.engineFaulted, execution.untouchedRanges),
    );
    expect(result.status).toBe("internal_error");
    expect(result.message).toMatch(/^Internal sandbox error: /);
    expect(pool.size).toBe(0); // the faulted instance is never reused
    await expectHealthy();
  });

  it("contains a host stack overflow inside the engine", async () => {
    const result = await run("let a = []; for (let i = 0; i < 1e5; i++) a = [a];\nconsole.log('before');\nJSON.stringify(a);");
    expect(result).toMatchObject({ status: "runtime_error", exitCode: 1, stdout: "before\n" });
    expect(result.stderr).toContain("RangeError: Maximum call stack size exceeded");
    await expectHealthy();
  });
});
