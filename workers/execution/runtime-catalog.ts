import { BUILTIN_RUNTIMES } from "../sandbox";
import type { RuntimeInfo } from "../sandbox/types";
import type { BackendRuntime } from "../routing/types";
import { compareVersionsDescending, satisfies } from "./version-range";

/**
 * Every runtime the service offers: the built-in QuickJS runtimes plus `remote`, the runtimes the
 * usable remote backends report (workers/routing/route-plan.ts `remoteRuntimes`). A remote runtime
 * with the same language and version as a built-in one is listed once.
 */
export function listRuntimes(remote: readonly BackendRuntime[] = []): RuntimeInfo[] {
  const all: RuntimeInfo[] = [...BUILTIN_RUNTIMES];
  const known = new Set(all.map((runtime) => `${runtime.language}@${runtime.version}`));
  for (const runtime of remote) {
    const key = `${runtime.language}@${runtime.version}`;
    if (known.has(key)) continue;
    known.add(key);
    all.push({ language: runtime.language, version: runtime.version, aliases: runtime.aliases, runtime: runtime.runtime ?? runtime.language });
  }
  return all;
}

/** Latest runtime whose name or alias is `language` and whose version is in `versionRange`. */
export function findRuntime(language: string, versionRange: string, remote: readonly BackendRuntime[] = []): RuntimeInfo | undefined {
  const wanted = language.trim().toLowerCase();
  return listRuntimes(remote)
    .filter((runtime) => runtime.language === wanted || runtime.aliases.includes(wanted))
    .filter((runtime) => satisfies(runtime.version, versionRange))
    .sort((a, b) => compareVersionsDescending(a.version, b.version))[0];
}
