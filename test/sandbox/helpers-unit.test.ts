// The pure pieces of the runtime, tested directly.
import { describe, expect, it } from "vitest";
import { BUILTIN_RUNTIMES, clampLimits, LIMIT_DEFAULTS, LIMIT_MAXIMA, QUICKJS_VERSION, resolveBuiltinLanguage } from "../../workers/sandbox";
import { lowerNamespaces } from "../../workers/sandbox/compile/namespaces";
import { positionOf, transformSource, usesModuleSyntax } from "../../workers/sandbox/compile/transform-source";
import { normalizePath, resolveModule, sandboxPath } from "../../workers/sandbox/module-resolution";
import { OutputCapture, utf8ByteLength, utf8Prefix } from "../../workers/sandbox/output-capture";
import { describeTermination, normalizeExitCode } from "../../workers/sandbox/termination";

describe("runtime catalogue", () => {
  it("lists javascript and typescript on QuickJS with the vendored version", () => {
    expect(QUICKJS_VERSION).toBe("2025.9.13");
    expect(BUILTIN_RUNTIMES).toEqual([
      { language: "javascript", version: "2025.9.13", aliases: ["js", "node-javascript", "node-js"], runtime: "quickjs" },
      { language: "typescript", version: "2025.9.13", aliases: ["ts"], runtime: "quickjs" },
    ]);
  });

  it("resolves names and aliases, case-insensitively", () => {
    expect(resolveBuiltinLanguage("JS")).toBe("javascript");
    expect(resolveBuiltinLanguage("node-javascript")).toBe("javascript");
    expect(resolveBuiltinLanguage("typescript")).toBe("typescript");
    expect(resolveBuiltinLanguage("ts")).toBe("typescript");
    expect(resolveBuiltinLanguage("python")).toBeUndefined();
  });
});

describe("limits", () => {
  it("keeps defaults within maxima", () => {
    for (const key of Object.keys(LIMIT_DEFAULTS) as Array<keyof typeof LIMIT_DEFAULTS>) {
      expect(LIMIT_DEFAULTS[key]).toBeLessThanOrEqual(LIMIT_MAXIMA[key]);
    }
  });

  it("clamps to the maxima, fills gaps with defaults and rejects nonsense", () => {
    const limits = clampLimits({ cpuTimeMs: 1e9, wallTimeMs: Number.NaN, memoryBytes: -5, stackBytes: 10 * 1024 * 1024 });
    expect(limits).toEqual({ ...LIMIT_DEFAULTS, cpuTimeMs: LIMIT_MAXIMA.cpuTimeMs, memoryBytes: 2 * 1024 * 1024, stackBytes: LIMIT_MAXIMA.stackBytes });
    expect(clampLimits(undefined)).toEqual(LIMIT_DEFAULTS);
  });
});

describe("module resolution", () => {
  const files = new Set(["/sandbox/main.js", "/sandbox/lib/a.js", "/sandbox/lib/index.ts", "/sandbox/util.ts", "/sandbox/data.json", "/sandbox/pkg/package.json", "/sandbox/pkg/dist/entry.js", "/sandbox/node_modules/left-pad/index.js"]);
  const read = (path: string) => (path === "/sandbox/pkg/package.json" ? '{"main":"dist/entry.js"}' : undefined);
  const resolve = (spec: string, from = "/sandbox/main.js") => resolveModule(spec, from, files, read);

  it("probes extensions and index files, and maps .js imports to .ts files", () => {
    expect(resolve("./lib/a")).toEqual({ kind: "file", path: "/sandbox/lib/a.js" });
    expect(resolve("./lib")).toEqual({ kind: "file", path: "/sandbox/lib/index.ts" });
    expect(resolve("./util.js")).toEqual({ kind: "file", path: "/sandbox/util.ts" });
    expect(resolve("../data.json", "/sandbox/lib/a.js")).toEqual({ kind: "file", path: "/sandbox/data.json" });
    expect(resolve("./pkg")).toEqual({ kind: "file", path: "/sandbox/pkg/dist/entry.js" });
    expect(resolve("left-pad", "/sandbox/lib/a.js")).toEqual({ kind: "file", path: "/sandbox/node_modules/left-pad/index.js" });
    expect(resolve("./nope")).toEqual({ kind: "missing" });
  });

  it("knows provided, unavailable and unknown builtins, with or without node:", () => {
    expect(resolve("fs")).toEqual({ kind: "builtin", name: "fs" });
    expect(resolve("node:readline/promises")).toEqual({ kind: "builtin", name: "readline/promises" });
    expect(resolve("child_process")).toEqual({ kind: "unavailable", name: "child_process" });
    expect(resolve("node:nonexistent")).toEqual({ kind: "missing" });
    expect(resolve("lodash")).toEqual({ kind: "missing" });
  });

  it("never leaves the root when normalizing paths", () => {
    expect(normalizePath("/sandbox/../../etc/./passwd")).toBe("/etc/passwd");
    expect(sandboxPath("../../x.js")).toBe("/x.js");
    expect(sandboxPath("./lib\\a.js")).toBe("/sandbox/lib/a.js");
  });
});

describe("output capture", () => {
  it("counts UTF-8 bytes, surrogate pairs included", () => {
    expect(utf8ByteLength("aé€😀")).toBe(1 + 2 + 3 + 4);
    expect(utf8Prefix("aé€😀", 6)).toBe("aé€");
    expect(utf8Prefix("😀", 3)).toBe("");
  });

  it("caps each stream, keeps the interleaving and ignores writes after close", () => {
    const capture = new OutputCapture({ stdout: 5, stderr: 100 });
    expect(capture.write("stdout", "abc")).toBe(true);
    expect(capture.write("stderr", "E")).toBe(true);
    expect(capture.write("stdout", "defg")).toBe(false);
    expect(capture.text("stdout")).toBe("abcde");
    expect(capture.truncated("stdout")).toBe(true);
    expect(capture.combined()).toBe("abcEde");
    capture.close();
    capture.write("stderr", "late");
    expect(capture.text("stderr")).toBe("E");
  });
});

describe("termination", () => {
  it("maps exits and kills onto status, exit code, signal and message", () => {
    expect(describeTermination({ kind: "exit", code: 0 })).toEqual({ status: "ok", exitCode: 0, signal: null, message: null });
    expect(describeTermination({ kind: "exit", code: 2 })).toMatchObject({ status: "runtime_error", exitCode: 2, signal: null });
    expect(describeTermination({ kind: "killed", reason: "memory" })).toEqual({ status: "memory_limit_exceeded", exitCode: null, signal: "SIGKILL", message: "Memory limit exceeded" });
    expect(describeTermination({ kind: "killed", reason: "stdout" }).message).toBe("stdout length exceeded");
    expect(describeTermination({ kind: "internal", detail: "x" })).toMatchObject({ status: "internal_error", exitCode: null });
  });

  it("normalizes exit codes the way Node does", () => {
    expect(normalizeExitCode(256)).toBe(0);
    expect(normalizeExitCode(-1)).toBe(255);
    expect(normalizeExitCode("3")).toBe(3);
    expect(normalizeExitCode(Number.NaN)).toBe(0);
  });
});

describe("source transforms", () => {
  it("detects module syntax without touching plain CommonJS", () => {
    expect(usesModuleSyntax("const a = require('x');\nmodule.exports = a;", "a.js")).toBe(false);
    expect(usesModuleSyntax("import x from 'y'", "a.js")).toBe(true);
    expect(usesModuleSyntax("const m = await import('./m.js')", "a.js")).toBe(true);
    expect(usesModuleSyntax("export default 1", "a.js")).toBe(true);
    expect(usesModuleSyntax("", "a.mjs")).toBe(true);
    expect(transformSource("/sandbox/a.js", "x = 1", false)).toEqual({ ok: true, code: "x = 1" });
  });

  it("keeps line numbers through TypeScript and ESM transforms", () => {
    const source = "import { a } from './a';\ntype T = { x: number };\ninterface I { y: string }\nconst v: T = { x: a };\nthrow new Error(String(v.x));";
    const result = transformSource("/sandbox/main.ts", source, true);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.code.split("\n")[4]).toContain("throw new Error");
  });

  it("reports TypeScript syntax errors with 1-based line and column", () => {
    expect(transformSource("/sandbox/main.ts", "let a = 1;\nlet b: = 2;", true)).toEqual({
      ok: false,
      diagnostic: { line: 2, column: 8, message: "Unexpected token" },
    });
    expect(positionOf("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
  });

  it("lowers namespaces to IIFEs and leaves declare namespaces alone", () => {
    const lowered = lowerNamespaces("namespace N {\n  export const a = 1, b = (x: number) => x;\n  export function f() { return a }\n}\ndeclare namespace D { const q: number }");
    expect(lowered.split("\n")).toHaveLength(5);
    expect(lowered).toContain("var N; (function (N) {");
    expect(lowered).toContain("N.a = a; N.b = b; N.f = f;");
    expect(lowered).not.toContain("N.x");
    expect(lowered).toContain("declare namespace D");
  });
});
