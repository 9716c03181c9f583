import { BUILTIN_RUNTIMES } from "../sandbox";
import type { RuntimeInfo } from "../sandbox/types";
import { compareVersionsDescending, satisfies } from "./version-range";

/**
 * Every runtime the service offers. Today that is the built-in QuickJS runtimes; remote backends
 * add theirs when the regional pools arrive.
 */
export function listRuntimes(): RuntimeInfo[] {
  return BUILTIN_RUNTIMES;
}

/** Latest runtime whose name or alias is `language` and whose version is in `versionRange`. */
export function findRuntime(language: string, versionRange: string): RuntimeInfo | undefined {
  const wanted = language.trim().toLowerCase();
  return listRuntimes()
    .filter((runtime) => runtime.language === wanted || runtime.aliases.includes(wanted))
    .filter((runtime) => satisfies(runtime.version, versionRange))
    .sort((a, b) => compareVersionsDescending(a.version, b.version))[0];
}
