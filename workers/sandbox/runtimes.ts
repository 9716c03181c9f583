import type { RuntimeInfo } from "./types";

/** The vendored QuickJS release (2025-09-13), as semver. */
export const QUICKJS_VERSION = "2025.9.13";

export const BUILTIN_RUNTIMES: RuntimeInfo[] = [
  { language: "javascript", version: QUICKJS_VERSION, aliases: ["js", "node-javascript", "node-js"], runtime: "quickjs" },
  { language: "typescript", version: QUICKJS_VERSION, aliases: ["ts"], runtime: "quickjs" },
];

export type BuiltinLanguage = "javascript" | "typescript";

/** Maps a language name or alias (case-insensitive) to the built-in runtime that runs it. */
export function resolveBuiltinLanguage(nameOrAlias: string): BuiltinLanguage | undefined {
  const wanted = nameOrAlias.trim().toLowerCase();
  for (const runtime of BUILTIN_RUNTIMES) {
    if (runtime.language === wanted || runtime.aliases.includes(wanted)) return runtime.language as BuiltinLanguage;
  }
  return undefined;
}
