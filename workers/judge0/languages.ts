import { findRuntime } from "../execution/runtime-catalog";
import type { BackendRuntime } from "../routing/types";
import { BUILTIN_RUNTIMES } from "../sandbox/runtimes";
import type { RuntimeInfo } from "../sandbox/types";

// Judge0 CE language ids → the runtimes that run them here (docs/judge0.md). Judge0 clients hardcode
// these ids (63 JavaScript, 71 Python, 54 C++, ...), so the ids are Judge0 CE's; what runs is the
// latest runtime available now for that language: the built-in QuickJS runtimes for JavaScript and
// TypeScript, the other languages when a usable remote backend reports them.

export interface Judge0LanguageSpec {
  id: number;
  /** The language part of the name (Judge0 writes "C++ (GCC 9.2.0)"). */
  display: string;
  /** Judge0 CE's own name for the id, for reference and docs. */
  judge0Name: string;
  /** Judge0's file name for the program. */
  sourceFile: string;
  /** Runtime names or aliases, each with an optional version range, tried in order. */
  candidates: ReadonlyArray<{ language: string; version?: string }>;
  /**
   * Another id of the same language (Judge0 has C with GCC 7/8/9 and Clang): accepted on
   * submissions, left out of GET /languages so the list has one entry per language.
   */
  alias?: true;
}

const c = [{ language: "c" }];
const cpp = [{ language: "c++" }];

export const JUDGE0_LANGUAGES: readonly Judge0LanguageSpec[] = [
  { id: 45, display: "Assembly", judge0Name: "Assembly (NASM 2.14.02)", sourceFile: "main.asm", candidates: [{ language: "nasm" }, { language: "asm" }] },
  { id: 46, display: "Bash", judge0Name: "Bash (5.0.0)", sourceFile: "script.sh", candidates: [{ language: "bash" }] },
  { id: 47, display: "Basic", judge0Name: "Basic (FBC 1.07.1)", sourceFile: "main.bas", candidates: [{ language: "freebasic" }, { language: "basic" }] },
  { id: 48, display: "C", judge0Name: "C (GCC 7.4.0)", sourceFile: "main.c", candidates: c, alias: true },
  { id: 49, display: "C", judge0Name: "C (GCC 8.3.0)", sourceFile: "main.c", candidates: c, alias: true },
  { id: 50, display: "C", judge0Name: "C (GCC 9.2.0)", sourceFile: "main.c", candidates: c },
  { id: 51, display: "C#", judge0Name: "C# (Mono 6.6.0.161)", sourceFile: "Main.cs", candidates: [{ language: "csharp" }, { language: "c#" }] },
  { id: 52, display: "C++", judge0Name: "C++ (GCC 7.4.0)", sourceFile: "main.cpp", candidates: cpp, alias: true },
  { id: 53, display: "C++", judge0Name: "C++ (GCC 8.3.0)", sourceFile: "main.cpp", candidates: cpp, alias: true },
  { id: 54, display: "C++", judge0Name: "C++ (GCC 9.2.0)", sourceFile: "main.cpp", candidates: cpp },
  { id: 55, display: "Common Lisp", judge0Name: "Common Lisp (SBCL 2.0.0)", sourceFile: "script.lisp", candidates: [{ language: "commonlisp" }, { language: "lisp" }] },
  { id: 56, display: "D", judge0Name: "D (DMD 2.089.1)", sourceFile: "main.d", candidates: [{ language: "d" }] },
  { id: 57, display: "Elixir", judge0Name: "Elixir (1.9.4)", sourceFile: "script.exs", candidates: [{ language: "elixir" }] },
  { id: 58, display: "Erlang", judge0Name: "Erlang (OTP 22.2)", sourceFile: "main.erl", candidates: [{ language: "erlang" }] },
  { id: 59, display: "Fortran", judge0Name: "Fortran (GFortran 9.2.0)", sourceFile: "main.f90", candidates: [{ language: "fortran" }] },
  { id: 60, display: "Go", judge0Name: "Go (1.13.5)", sourceFile: "main.go", candidates: [{ language: "go" }] },
  { id: 61, display: "Haskell", judge0Name: "Haskell (GHC 8.8.1)", sourceFile: "main.hs", candidates: [{ language: "haskell" }] },
  { id: 62, display: "Java", judge0Name: "Java (OpenJDK 13.0.1)", sourceFile: "Main.java", candidates: [{ language: "java" }] },
  { id: 63, display: "JavaScript", judge0Name: "JavaScript (Node.js 12.14.0)", sourceFile: "script.js", candidates: [{ language: "javascript" }] },
  { id: 64, display: "Lua", judge0Name: "Lua (5.3.5)", sourceFile: "script.lua", candidates: [{ language: "lua" }] },
  { id: 65, display: "OCaml", judge0Name: "OCaml (4.09.0)", sourceFile: "main.ml", candidates: [{ language: "ocaml" }] },
  { id: 66, display: "Octave", judge0Name: "Octave (5.1.0)", sourceFile: "script.m", candidates: [{ language: "octave" }] },
  { id: 67, display: "Pascal", judge0Name: "Pascal (FPC 3.0.4)", sourceFile: "main.pas", candidates: [{ language: "pascal" }] },
  { id: 68, display: "PHP", judge0Name: "PHP (7.4.1)", sourceFile: "script.php", candidates: [{ language: "php" }] },
  { id: 69, display: "Prolog", judge0Name: "Prolog (GNU Prolog 1.4.5)", sourceFile: "main.pro", candidates: [{ language: "prolog" }] },
  { id: 70, display: "Python", judge0Name: "Python (2.7.17)", sourceFile: "script.py", candidates: [{ language: "python2" }, { language: "python", version: "2" }] },
  { id: 71, display: "Python", judge0Name: "Python (3.8.1)", sourceFile: "script.py", candidates: [{ language: "python", version: "3" }, { language: "python3" }] },
  { id: 72, display: "Ruby", judge0Name: "Ruby (2.7.0)", sourceFile: "script.rb", candidates: [{ language: "ruby" }] },
  { id: 73, display: "Rust", judge0Name: "Rust (1.40.0)", sourceFile: "main.rs", candidates: [{ language: "rust" }] },
  { id: 74, display: "TypeScript", judge0Name: "TypeScript (3.7.4)", sourceFile: "script.ts", candidates: [{ language: "typescript" }] },
  { id: 75, display: "C", judge0Name: "C (Clang 7.0.1)", sourceFile: "main.c", candidates: c, alias: true },
  { id: 76, display: "C++", judge0Name: "C++ (Clang 7.0.1)", sourceFile: "main.cpp", candidates: cpp, alias: true },
  { id: 77, display: "COBOL", judge0Name: "COBOL (GnuCOBOL 2.2)", sourceFile: "main.cob", candidates: [{ language: "cobol" }] },
  { id: 78, display: "Kotlin", judge0Name: "Kotlin (1.3.70)", sourceFile: "Main.kt", candidates: [{ language: "kotlin" }] },
  { id: 79, display: "Objective-C", judge0Name: "Objective-C (Clang 7.0.1)", sourceFile: "main.m", candidates: [{ language: "objective-c" }, { language: "objc" }] },
  { id: 80, display: "R", judge0Name: "R (4.0.0)", sourceFile: "script.r", candidates: [{ language: "rscript" }, { language: "r" }] },
  { id: 81, display: "Scala", judge0Name: "Scala (2.13.2)", sourceFile: "Main.scala", candidates: [{ language: "scala" }] },
  { id: 82, display: "SQL", judge0Name: "SQL (SQLite 3.27.2)", sourceFile: "script.sql", candidates: [{ language: "sqlite3" }, { language: "sql" }] },
  { id: 83, display: "Swift", judge0Name: "Swift (5.2.3)", sourceFile: "Main.swift", candidates: [{ language: "swift" }] },
  { id: 84, display: "Visual Basic.Net", judge0Name: "Visual Basic.Net (vbnc 0.0.0.5943)", sourceFile: "Main.vb", candidates: [{ language: "basic.net" }, { language: "vb" }] },
  { id: 85, display: "Perl", judge0Name: "Perl (5.28.1)", sourceFile: "script.pl", candidates: [{ language: "perl" }] },
  { id: 86, display: "Clojure", judge0Name: "Clojure (1.10.1)", sourceFile: "main.clj", candidates: [{ language: "clojure" }] },
  { id: 87, display: "F#", judge0Name: "F# (.NET Core SDK 3.1.202)", sourceFile: "script.fsx", candidates: [{ language: "fsharp.net" }, { language: "fsharp" }] },
  { id: 88, display: "Groovy", judge0Name: "Groovy (3.0.3)", sourceFile: "script.groovy", candidates: [{ language: "groovy" }] },
];

const BY_ID = new Map(JUDGE0_LANGUAGES.map((spec) => [spec.id, spec]));

export function languageSpec(id: number): Judge0LanguageSpec | undefined {
  return BY_ID.get(id);
}

/** The latest runtime that can run Judge0 language `id` now (built-in ones plus `remote`). */
export function resolveLanguage(id: number, remote: readonly BackendRuntime[]): { spec: Judge0LanguageSpec; runtime: RuntimeInfo } | undefined {
  const spec = BY_ID.get(id);
  if (!spec) return undefined;
  for (const candidate of spec.candidates) {
    const runtime = findRuntime(candidate.language, candidate.version ?? "*", remote);
    if (runtime) return { spec, runtime };
  }
  return undefined;
}

const ENGINE_LABELS: Record<string, string> = {
  quickjs: "QuickJS",
  gcc: "GCC",
  clang: "Clang",
  node: "Node.js",
  deno: "Deno",
  bun: "Bun",
  mono: "Mono",
  dotnet: ".NET",
  "dotnet-sdk": ".NET",
  sbcl: "SBCL",
  fpc: "FPC",
};

/** What runs it, the way Judge0 names languages: "JavaScript (QuickJS 2025.9.13)", "Python (3.12.0)". */
export function languageName(spec: Pick<Judge0LanguageSpec, "display">, runtime: { language: string; version: string; engine?: string }): string {
  const engine = runtime.engine && runtime.engine !== runtime.language ? (ENGINE_LABELS[runtime.engine] ?? runtime.engine) : null;
  return `${spec.display} (${engine ? `${engine} ` : ""}${runtime.version})`;
}

/** The engine of a runtime known only by language and version (a queued job): built-in ones are known. */
export function engineOf(runtime: { language: string; version: string }): string | undefined {
  return BUILTIN_RUNTIMES.find((builtin) => builtin.language === runtime.language && builtin.version === runtime.version)?.runtime;
}

/** GET /languages: one entry per language the service can run now, by id. */
export function availableLanguages(remote: readonly BackendRuntime[]): Array<{ id: number; name: string }> {
  const out: Array<{ id: number; name: string }> = [];
  for (const spec of JUDGE0_LANGUAGES) {
    if (spec.alias) continue;
    const resolved = resolveLanguage(spec.id, remote);
    if (!resolved) continue;
    const { runtime } = resolved;
    out.push({ id: spec.id, name: languageName(spec, { language: runtime.language, version: runtime.version, engine: runtime.runtime }) });
  }
  return out;
}
