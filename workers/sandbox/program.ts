// Turns an ExecutionRequest's files into what the VM loads: absolute paths under /sandbox, original
// text (for fs and error excerpts) and CommonJS code (after TypeScript/ESM transforms). Pure.
import {
  formatDiagnostic,
  isTypeScriptFile,
  transformSource,
  usesModuleSyntax,
  type Diagnostic,
} from "./compile/transform-source";
import { sandboxPath } from "./module-resolution";
import type { BuiltinLanguage } from "./runtimes";
import type { SourceFile } from "./types";

/**
 * Every module is compiled as `PREFIX + code + SUFFIX`. Both prefixes have the same length so
 * column numbers on line 1 can be corrected by one constant; the suffix starts on a new line so a
 * trailing `// comment` cannot swallow it.
 */
export const SYNC_WRAPPER_PREFIX = "(function       (exports, require, module, __filename, __dirname) {";
export const ASYNC_WRAPPER_PREFIX = "(async function (exports, require, module, __filename, __dirname) {";
export const WRAPPER_SUFFIX = "\n})";

export interface ProgramFile {
  /** Absolute path inside the sandbox, e.g. /sandbox/lib/util.ts. */
  path: string;
  /** The name the request used (diagnostics show it). */
  name: string;
  original: string;
  typescript: boolean;
}

export interface Program {
  language: BuiltinLanguage;
  entry: string;
  files: Map<string, ProgramFile>;
}

/** Node strips a leading BOM and `#!` line; we keep the line (blanked) so line numbers stay. */
function stripPreamble(source: string): string {
  let text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  if (text.startsWith("#!")) {
    const end = text.indexOf("\n");
    text = `//${end === -1 ? text.slice(2) : text.slice(2, end)}${end === -1 ? "" : text.slice(end)}`;
  }
  return text;
}

export function prepareProgram(language: BuiltinLanguage, sources: SourceFile[]): Program {
  const files = new Map<string, ProgramFile>();
  for (const file of sources) {
    const path = sandboxPath(file.name);
    if (files.has(path)) continue; // first one wins, like the entry rule
    files.set(path, {
      path,
      name: file.name,
      original: file.content,
      typescript: isTypeScriptFile(path, language),
    });
  }
  const entry = sandboxPath(sources[0]?.name ?? "main.js");
  return { language, entry, files };
}

export type ModuleCode = { ok: true; code: string } | { ok: false; diagnostic: Diagnostic };

/** CommonJS code for one file (transform only; wrapping happens when it is compiled). */
export function moduleCode(file: ProgramFile): ModuleCode {
  return transformSource(file.path, stripPreamble(file.original), file.typescript);
}

/**
 * Whether Node would run the entry as an ES module (which changes when process.nextTick callbacks
 * run relative to promise jobs): .mjs/.mts, or JavaScript with import/export. TypeScript with
 * import/export is what tsc turns into CommonJS, so it counts as CommonJS. (Top-level await is
 * detected when the entry is compiled.)
 */
export function entryIsModule(program: Program): boolean {
  const entry = program.files.get(program.entry);
  if (!entry) return false;
  if (/\.m[jt]s$/.test(entry.path)) return true;
  return !entry.typescript && usesModuleSyntax(entry.original, entry.path);
}

/** Compile diagnostics use the request's own file names. */
export function describeDiagnostic(file: ProgramFile, diagnostic: Diagnostic): string {
  return formatDiagnostic(file.name, diagnostic);
}

export function wrapModule(code: string, asynchronous: boolean): string {
  return (asynchronous ? ASYNC_WRAPPER_PREFIX : SYNC_WRAPPER_PREFIX) + code + WRAPPER_SUFFIX;
}
