// Multiple files: CommonJS, ES modules, TypeScript, builtins, resolution and compile errors.
import { describe, expect, it } from "vitest";
import { BUILTIN_SOURCES } from "../../workers/sandbox/prelude/builtins";
import { PROVIDED_BUILTINS } from "../../workers/sandbox/module-resolution";
import { run, stdoutOf } from "./helpers";

describe("CommonJS", () => {
  it("requires relative files with Node's extension and index probing, JSON, and caches modules", async () => {
    const out = await stdoutOf(
      "const a = require('./lib/a'); const again = require('./lib/a.js'); const u = require('./util'); const data = require('./data.json');\nconsole.log(a.value, a === again, u(2), data.items.length, require.main === module)",
      {
        files: [
          { name: "lib/a.js", content: "exports.value = require('../util')(20);" },
          { name: "util/index.js", content: "module.exports = (x) => x + 1;" },
          { name: "data.json", content: '{ "items": [1, 2, 3] }' },
        ],
      },
    );
    expect(out).toBe("21 true 3 3 true\n");
  });

  it("handles circular requires like Node (partial exports)", async () => {
    const out = await stdoutOf("const a = require('./a'); console.log(a.done, a.sawB)", {
      files: [
        { name: "a.js", content: "exports.done = false; const b = require('./b'); exports.sawB = b.done; exports.done = true;" },
        { name: "b.js", content: "const a = require('./a'); exports.aDoneDuringLoad = a.done; exports.done = true;" },
      ],
    });
    expect(out).toBe("true true\n");
  });

  it("resolves node: builtins and reports unknown or unavailable modules with MODULE_NOT_FOUND", async () => {
    const out = await stdoutOf(
      "console.log(require('node:path').join('/a', 'b'), require('path') === require('node:path'));\nfor (const name of ['child_process', 'http', 'net', 'no-such-module', './missing']) {\n  try { require(name) } catch (e) { console.log(e.code, e.message.split('\\n')[0]) }\n}",
    );
    expect(out).toBe(
      [
        "/a/b true",
        "MODULE_NOT_FOUND Cannot find module 'child_process': the 'child_process' module is not available in the sandbox",
        "MODULE_NOT_FOUND Cannot find module 'http': the 'http' module is not available in the sandbox",
        "MODULE_NOT_FOUND Cannot find module 'net': the 'net' module is not available in the sandbox",
        "MODULE_NOT_FOUND Cannot find module 'no-such-module'",
        "MODULE_NOT_FOUND Cannot find module './missing'",
        "",
      ].join("\n"),
    );
  });

  it("loads every provided builtin", async () => {
    const names = [...PROVIDED_BUILTINS];
    const out = await stdoutOf(`for (const n of ${JSON.stringify(names)}) { const m = require(n); if (m === undefined || m === null) throw new Error(n); } console.log('ok')`);
    expect(out).toBe("ok\n");
    for (const name of names.filter((n) => n !== "process" && n !== "console")) expect(BUILTIN_SOURCES[name]).toBeTypeOf("string");
  });

  it("keeps sloppy mode for plain CommonJS files", async () => {
    expect(await stdoutOf("undeclared = 5; console.log(undeclared, this === module.exports)")).toBe("5 true\n");
  });

  it("reports a syntax error in a required file like Node, with file and line", async () => {
    const result = await run("require('./broken')", { files: [{ name: "broken.js", content: "const x = 1;\nlet y = {;\n" }] });
    expect(result.status).toBe("runtime_error");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^\/sandbox\/broken\.js:2\nlet y = \{;\n/);
    expect(result.stderr).toContain("SyntaxError");
  });
});

describe("ES modules", () => {
  it("imports named, default and namespace bindings, including from CommonJS and builtins", async () => {
    const out = await stdoutOf(
      "import add, { twice } from './math.mjs';\nimport * as ns from './math.mjs';\nimport legacy from './legacy.cjs';\nimport { readFileSync } from 'node:fs';\nimport path from 'path';\nconsole.log(add(1, 2), twice(4), ns.twice(1), legacy.name, typeof readFileSync, path.basename('/x/y.txt'))",
      {
        files: [
          { name: "math.mjs", content: "export default function add(a, b) { return a + b }\nexport const twice = (x) => x * 2;" },
          { name: "legacy.cjs", content: "module.exports = { name: 'cjs' };" },
        ],
      },
    );
    expect(out).toBe("3 8 2 cjs function y.txt\n");
  });

  it("supports re-exports, dynamic import() and top-level await", async () => {
    const out = await stdoutOf(
      "export {};\nconst { value } = await import('./b.js');\nconst sleep = (ms) => new Promise((r) => setTimeout(r, ms));\nawait sleep(10);\nconsole.log(value);",
      {
        files: [
          { name: "a.js", content: "export const value = 42;" },
          { name: "b.js", content: "export * from './a.js';" },
        ],
      },
    );
    expect(out).toBe("42\n");
  });

  it("lets CommonJS require an ES module (default and named exports)", async () => {
    expect(await stdoutOf("const m = require('./esm'); console.log(m.default, m.named)", { files: [{ name: "esm.js", content: "export default 'd';\nexport const named = 'n';" }] })).toBe("d n\n");
  });

  it("points runtime errors at the right line of the ES module", async () => {
    const result = await run("import { fail } from './lib.js';\n\nfail();", { files: [{ name: "lib.js", content: "export function fail() {\n  throw new TypeError('nope');\n}" }] });
    expect(result.status).toBe("runtime_error");
    expect(result.stderr).toMatch(/^\/sandbox\/lib\.js:2\n  throw new TypeError\('nope'\);\n/);
    expect(result.stderr).toContain("TypeError: nope\n    at fail (/sandbox/lib.js:2:");
  });
});

describe("TypeScript", () => {
  it("strips types and supports enums, namespaces, generics, `as`, parameter properties and type-only imports", async () => {
    const out = await stdoutOf(
      [
        "import type { Shape } from './types';",
        "import { area } from './geometry';",
        "enum Color { Red, Green = 'green' }",
        "namespace Util { export const twice = <T extends number>(x: T): number => x * 2; export namespace Deep { export const v = 7 } }",
        "class Point { constructor(public x: number, private y: number = 2) {} sum(): number { return this.x + this.y } }",
        "const s: Shape = { kind: 'square', size: 3 };",
        "const n = (area(s) as unknown) as number;",
        "console.log(Color.Red, Color.Green, Util.twice(21), Util.Deep.v, new Point(1).sum(), n);",
      ].join("\n"),
      {
        language: "typescript",
        files: [
          { name: "types.ts", content: "export interface Shape { kind: 'square'; size: number }" },
          { name: "geometry.ts", content: "import type { Shape } from './types';\nexport function area(s: Shape): number { return s.size ** 2 }" },
        ],
      },
    );
    expect(out).toBe("0 green 42 7 3 9\n");
  });

  it("reports a syntax error as a compile error with file:line:col", async () => {
    const result = await run("const ok = 1;\nconst x: number = ;\n", { language: "typescript" });
    expect(result).toMatchObject({ status: "compile_error", exitCode: 1, stdout: "" });
    expect(result.compile).toMatchObject({ ok: false });
    expect(result.compile?.stderr).toBe("main.ts:2:19: Unexpected token\n");
    expect(result.stderr).toBe(result.compile?.stderr);
  });

  it("catches syntax errors sucrase lets through (QuickJS parses every file before running)", async () => {
    const result = await run("console.log('never');", { language: "typescript", files: [{ name: "other.ts", content: "let a = {\n  b: 1,,\n};" }] });
    expect(result.status).toBe("compile_error");
    expect(result.stdout).toBe("");
    expect(result.compile?.stderr).toMatch(/^other\.ts:2:\d+: /);
  });

  it("always reports a compile stage for TypeScript, never for JavaScript", async () => {
    const ts = await run("console.log(1 as number)", { language: "typescript" });
    expect(ts.compile).toMatchObject({ ok: true, stderr: "" });
    expect(typeof ts.compile?.wallTimeMs).toBe("number");
    const js = await run("console.log(1)");
    expect(js.compile).toBeUndefined();
  });

  it("runs .ts files required from a JavaScript program", async () => {
    expect(await stdoutOf("console.log(require('./lib').f(2))", { files: [{ name: "lib.ts", content: "export const f = (x: number): number => x + 1;" }] })).toBe("3\n");
  });
});
