// Source-to-source step before QuickJS sees a file: TypeScript type stripping and ES module syntax
// to CommonJS, both by sucrase (pure JS, preserves line numbers). Plain CommonJS JavaScript is
// passed through untouched so it keeps Node's sloppy-mode semantics.
import { transform } from "sucrase";
import { lowerNamespaces } from "./namespaces";

export interface Diagnostic {
  line: number;
  column: number;
  message: string;
}

export type TransformResult = { ok: true; code: string } | { ok: false; diagnostic: Diagnostic };

/** Extensions compiled as TypeScript whatever the request's language is. */
const TYPESCRIPT_EXTENSIONS = /\.(ts|mts|cts)$/;
/** Extensions that are JavaScript whatever the request's language is. */
const JAVASCRIPT_EXTENSIONS = /\.(js|mjs|cjs|json)$/;

/**
 * Cheap test for ES module syntax: an import/export statement at the start of a line, a dynamic
 * `import(`, or `import.meta`. A false positive only costs strict mode; a false negative surfaces as
 * QuickJS's own SyntaxError for `import`.
 */
const ESM_SYNTAX = /(^|[\n;])\s*(import\s*[\w*{$"']|export\s*[\w*{])|\bimport\s*\(|\bimport\.meta\b/;

export function isTypeScriptFile(path: string, language: "javascript" | "typescript"): boolean {
  if (TYPESCRIPT_EXTENSIONS.test(path)) return true;
  if (JAVASCRIPT_EXTENSIONS.test(path)) return false;
  return language === "typescript";
}

export function usesModuleSyntax(source: string, path: string): boolean {
  return path.endsWith(".mjs") || path.endsWith(".mts") || ESM_SYNTAX.test(source);
}

/** 1-based line and column of a character offset. */
export function positionOf(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Prepares one file for the CommonJS loader. TypeScript always goes through sucrase (types are
 * stripped, `import`/`export` become require/exports); JavaScript only when it uses module syntax.
 */
export function transformSource(path: string, source: string, typescript: boolean): TransformResult {
  const esm = usesModuleSyntax(source, path);
  if (!typescript && !esm) return { ok: true, code: source };
  try {
    const input = typescript ? lowerNamespaces(source) : source;
    const { code } = transform(input, {
      transforms: typescript ? ["typescript", "imports"] : ["imports"],
      filePath: path,
      // QuickJS supports class fields, optional chaining, etc. natively: leave them alone.
      disableESTransforms: true,
      // TypeScript files keep TS semantics (type-only imports elided); JS keeps every import.
      keepUnusedImports: !typescript,
    });
    return { ok: true, code };
  } catch (error) {
    const err = error as { pos?: number; message?: string };
    const where = typeof err.pos === "number" ? positionOf(source, err.pos) : { line: 1, column: 1 };
    const message = String(err.message ?? error)
      .replace(/^Error transforming [^:]*: /, "")
      .replace(/ \(\d+:\d+\)$/, "");
    return { ok: false, diagnostic: { ...where, message } };
  }
}

/** "main.ts:3:7: Unexpected token" — the form compile diagnostics take on stderr. */
export function formatDiagnostic(path: string, diagnostic: Diagnostic): string {
  return `${path}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.message}`;
}
