// Public surface of the built-in sandbox runtime (QuickJS in WebAssembly). See docs/sandbox.md.
export { LIMIT_DEFAULTS, LIMIT_MAXIMA, clampLimits } from "./limits";
export { BUILTIN_RUNTIMES, resolveBuiltinLanguage, QUICKJS_VERSION } from "./runtimes";
export type { BuiltinLanguage } from "./runtimes";
export { runProgram } from "./run-program";
export type * from "./types";
