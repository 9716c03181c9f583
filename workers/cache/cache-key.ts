import type { ExecutionLimits, SourceFile } from "../sandbox/types";

// The result-cache key: SHA-256 over a canonical encoding of everything that can change a
// deterministic program's result, inside a namespace (a tenant, or the opt-in shared namespace),
// with the current invalidation generations folded in (see generation-cache.ts).

/** Bump when the canonical encoding changes, so old entries can never be read as new ones. */
export const CACHE_KEY_VERSION = 1;

export interface CacheableRequest {
  namespace: string;
  language: string;
  version: string;
  /** Entry file first; the files' content as text (already decoded from base64/hex). */
  files: SourceFile[];
  stdin: string;
  args: string[];
  limits: ExecutionLimits;
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Canonical form. The entry file stays first (it decides what runs); the other files are sorted
 * by name, because the sandbox never exposes their order (`fs.readdirSync` sorts). Limits are
 * listed in a fixed order. Base64/hex files were decoded before they got here, so the same text
 * sent in two encodings is one key.
 *
 * Text is NOT Unicode-normalised: a program sees the exact code points it was sent
 * (`"e\u0301".length` is 2, `"\u00e9".length` is 1; `require("./café")` finds only the file whose
 * name has the same code points), so two spellings that normalise alike can print different things
 * and must not share a result. JSON.stringify keeps lone surrogates distinct (as `\udXXX`).
 */
export function canonicalEncoding(request: CacheableRequest): string {
  const [entry, ...others] = request.files;
  const files = [...(entry ? [entry] : []), ...[...others].sort((a, b) => byCodeUnits(a.name, b.name))].map(
    (file) => [file.name, file.content],
  );
  const limits = request.limits;
  return JSON.stringify([
    CACHE_KEY_VERSION,
    request.namespace,
    request.language,
    request.version,
    files,
    request.stdin,
    request.args,
    [limits.cpuTimeMs, limits.wallTimeMs, limits.memoryBytes, limits.stackBytes, limits.maxStdoutBytes, limits.maxStderrBytes],
  ]);
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Identity of the program run, independent of invalidations: used for hit counting and warming. */
export function programKey(request: CacheableRequest): Promise<string> {
  return sha256Hex(canonicalEncoding(request));
}

/**
 * The key entries are stored under: the program key plus the generation of every tag the entry
 * depends on. Bumping any tag's generation makes every lookup compute a different key, so stale
 * copies (in L1 in every colo, in KV replicas) are simply never asked for again and expire.
 */
export function lookupKey(programKeyHex: string, generations: ReadonlyArray<readonly [string, number]>): Promise<string> {
  const sorted = [...generations].sort(([a], [b]) => byCodeUnits(a, b));
  return sha256Hex(JSON.stringify([programKeyHex, sorted]));
}
