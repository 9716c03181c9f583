// Source of every builtin module, by the name the VM asks for. Each is a function expression
// `(module, internal, require) => void`, compiled once into the engine snapshot
// (execution.ts precompileBuiltins), called on first use in a run and cached for the rest of it.
import { compactSource } from "../compact";
import { ASSERT_BUILTIN } from "./assert";
import { BUFFER_BUILTIN } from "./buffer";
import { CONSOLE_BUILTIN } from "./console";
import { EVENTS_BUILTIN } from "./events";
import { FS_BUILTIN } from "./fs";
import {
  CRYPTO_BUILTIN,
  OS_BUILTIN,
  PATH_BUILTIN,
  PERF_HOOKS_BUILTIN,
  reexport,
  STRING_DECODER_BUILTIN,
  TIMERS_BUILTIN,
  TIMERS_PROMISES_BUILTIN,
} from "./small";
import { readlineBuiltin, STDIN_BUILTIN } from "./stdin";
import { CLONE_BUILTIN } from "./clone";
import { INSPECT_BUILTIN } from "./inspect";
import { TABLE_BUILTIN } from "./table";
import { UTIL_BUILTIN } from "./util";

const SOURCES: Record<string, string> = {
  util: UTIL_BUILTIN,
  "internal/inspect": INSPECT_BUILTIN,
  "internal/table": TABLE_BUILTIN,
  "internal/clone": CLONE_BUILTIN,
  "util/types": reexport("require('util').types"),
  buffer: BUFFER_BUILTIN,
  fs: FS_BUILTIN,
  "fs/promises": reexport("require('fs').promises"),
  "internal/stdin": STDIN_BUILTIN,
  readline: readlineBuiltin(false),
  "readline/promises": readlineBuiltin(true),
  path: PATH_BUILTIN,
  "path/posix": reexport("require('path')"),
  assert: ASSERT_BUILTIN,
  "assert/strict": reexport("require('assert').strict"),
  os: OS_BUILTIN,
  events: EVENTS_BUILTIN,
  string_decoder: STRING_DECODER_BUILTIN,
  timers: TIMERS_BUILTIN,
  "timers/promises": TIMERS_PROMISES_BUILTIN,
  perf_hooks: PERF_HOOKS_BUILTIN,
  crypto: CRYPTO_BUILTIN,
  console: reexport("internal.console"),
  "internal/console": CONSOLE_BUILTIN,
  process: reexport("internal.process"),
};

export const BUILTIN_SOURCES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(SOURCES).map(([name, source]) => [name, compactSource(source)]),
);
